"""Large exports as background jobs: the same file as the direct download, made by a job with
progress, for exports whose rows take more than a few seconds to write.

An export route asks ``export_or_job`` first. A small export (at most
COMPAPP_EXPORT_DIRECT_MAX_ROWS rows) is sent at once, as before. A larger one is offered as a
background job: GET shows what will be made and a button; the button (POST) starts the job
(``start_export``) and shows its page, where a bar follows the rows written and the file is
downloaded when done. The job runs the export's own writing function with the parameters
and language of the person who asked, so the file is the same either way.

The rows are first copied from one query into a temporary file (``spooled``), so the query
ends before the job records progress (a commit) and memory stays flat at any size.
"""

from __future__ import annotations

import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import BinaryIO

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_login import current_user

from compapp import downloads
from compapp.core.vocab import JobState
from compapp.formtools import ConfirmForm
from compapp.jobs import services as jobs
from compapp.jobs.models import Job
from compapp.jobs.pages import job_status, start_and_show

# Job kinds that make an export file, and the page their job page links back to.
EXPORT_KINDS = {"awards_xlsx", "budget_export", "payment_roster"}
PROGRESS_EVERY = 500  # rows between two progress records
# and at least this long: each record is a commit (on SQLite about 10 ms, which every 500
# rows cost a long export a tenth of its time); the page polls a few times a second
PROGRESS_SECONDS = 1.0
SPOOL_BATCH = 500  # rows pickled together while spooling

bp = Blueprint("exports", __name__)


def direct_limit() -> int:
    return current_app.config["EXPORT_DIRECT_MAX_ROWS"]


def export_or_job(
    kind: str,
    params: dict,
    rows: int,
    file_name: str,
    back: str,
    contest_id: int | None = None,
    weight: int = 1,
):
    """What an export route answers before writing a file itself: None to send the file at
    once (GET of a small export), else the offer page (GET of a large one) or the started
    job's page (POST, from the offer or the list page's button).

    :param rows: how many rows the export writes (counted in SQL)
    :param back: the URL of the page the export belongs to
    :param weight: how many spreadsheet rows' time one row costs (a PDF's rows: 3)
    """
    if request.method == "GET":
        if rows * weight <= direct_limit():
            return None
        return render_template(
            "jobs/export_offer.html", file_name=file_name, rows=rows, back=back, form=ConfirmForm()
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return start_and_show(
        lambda: start_export(kind, params, rows, file_name, back, contest_id),
        back,
        lambda job: url_for("exports.job_page", job_id=job.id),
    )


def start_export(
    kind: str, params: dict, rows: int, file_name: str, back: str, contest_id: int | None
) -> tuple[Job, bool]:
    """Start (or find, if the same person's same export is queued or running) the job."""
    params = dict(params, locale=str(get_locale()), file_name=file_name, back=back)
    params["user_id"] = current_user.id
    return jobs.start_job(
        jobs.JobRequest(kind=kind, params=params, contest_id=contest_id, total=rows),
        current_user,
    )


def run_export(
    job: Job,
    progress: jobs.Progress,
    write: Callable[[dict, Callable[[Iterable], Iterator], BinaryIO], object],
) -> dict:
    """Job body shared by the export kinds: in the asker's language, ``write(params, track)``
    writes the file to a temporary file (passing its rows through ``track``, which spools
    them and records progress); the file is stored with the job."""
    params = jobs.params_of(job)
    total = job.total or 0
    counted = {"rows": 0, "next": 0.0}

    def track(rows: Iterable) -> Iterator:
        for row in spooled(rows):
            counted["rows"] += 1
            if counted["rows"] % PROGRESS_EVERY == 0 and time.monotonic() >= counted["next"]:
                progress(counted["rows"], max(total, counted["rows"]))
                counted["next"] = time.monotonic() + PROGRESS_SECONDS
            yield row

    with force_locale(params.get("locale") or "zh"):
        with tempfile.TemporaryFile(prefix="compapp-export-") as out:
            write(params, track, out)
            out.seek(0)
            jobs.store_result(job, out, params["file_name"])
    return {"rows": counted["rows"]}


def spooled(rows: Iterable) -> Iterator:
    """Yield ``rows`` back after copying them all into a temporary file: the query that
    makes them has ended before the first row is written (so the job may commit progress
    meanwhile), and only SPOOL_BATCH rows are in memory at a time (pickled together: one
    pickle per row cost a long export a tenth of its time)."""
    with tempfile.TemporaryFile(prefix="compapp-rows-") as spool:
        batches = 0
        for batch in batched(rows, SPOOL_BATCH):
            pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
            batches += 1
        spool.seek(0)
        for _ in range(batches):
            yield from pickle.load(spool)  # noqa: S301 - our own file, written just above


def batched(rows: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` rows (the last one shorter)."""
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


# --- the job's page --------------------------------------------------------------------------


def own_export(job_id: str) -> Job:
    """The export job ``job_id`` of the signed-in person (anyone else's: 404)."""
    job = jobs.get_job(job_id)
    if job is None or job.kind not in EXPORT_KINDS or job.user_id != current_user.id:
        abort(404)
    return job


def status_json(job: Job) -> dict:
    return job_status(job, download="exports.download")


@bp.route("/exports/<job_id>")
def job_page(job_id: str):
    job = own_export(job_id)
    params = jobs.params_of(job)
    return render_template(
        "jobs/export_job.html",
        job_id=job.id,
        status=status_json(job),
        file_name=params.get("file_name", ""),
        back=params.get("back") or url_for("main.index"),
    )


@bp.route("/exports/<job_id>/status")
def status(job_id: str):
    return jsonify(status_json(own_export(job_id)))


@bp.route("/exports/<job_id>/download")
def download(job_id: str):
    job = own_export(job_id)
    if job.state != JobState.DONE:
        abort(404)
    # The same safe file name as the direct download (a contest's name may hold anything).
    response = downloads.download(
        jobs.open_result(job),
        job.file_name or "export",
        jobs.params_of(job).get("mimetype") or "application/octet-stream",
    )
    response.content_length = job.file_size
    return response
