"""What a page answers when a person starts a background job, and a job's status as its page
reads it: one way for every kind (exports, certificates, previews, re-pricing)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from compapp.core.refusals import Refusal
from compapp.core.vocab import JobState
from compapp.extensions import db
from compapp.i18n import refusal_text
from compapp.jobs import services as jobs
from compapp.jobs.models import Job


def start_and_show(start: Callable[[], tuple[Job, bool]], back: str, shown: Callable[[Job], str]):
    """Start (or find) a job, commit and hand it over; answer with the page ``shown(job)``.
    A refusal (too many jobs, nothing to do) is said on the page ``back``, nothing kept."""
    try:
        job, new = start()
    except Refusal as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
        return redirect(back)
    db.session.commit()
    if new:
        jobs.dispatch(job)
    return redirect(shown(job))


def job_status(job: Job, *, download: str | None = None, keep_result: bool = False) -> dict:
    """The job's state and progress for its page and its status address; its error (stored as
    a catalog id) in the page's language; ``download``: the endpoint of its file when done."""
    status = jobs.status_of(job)
    if not keep_result:
        status.pop("result", None)
    error = status.pop("error")
    status["error"] = _(error) if error else None
    if download is not None:
        status["download_url"] = (
            url_for(download, job_id=job.id) if job.state == JobState.DONE else None
        )
    return status
