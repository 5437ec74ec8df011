"""A contest's certificates as one ZIP, built by a background job with progress."""

from __future__ import annotations

import tempfile

from compapp.audit.services import record_change, says
from compapp.certificates.bundle import render_zip
from compapp.certificates.content import (
    safe_part,
)
from compapp.certificates.fonts import GlyphMissing
from compapp.certificates.models import Certificate
from compapp.certificates.queries import (
    contest_certificates,
)
from compapp.certificates.services import (
    CertificateRefused,
    base_url,
    content_of,
    verify_url_for,
)
from compapp.contests.models import (
    Contest,
)
from compapp.core.messages import N_
from compapp.extensions import db
from compapp.jobs.models import Job
from compapp.jobs.runners import forking_allowed
from compapp.jobs.services import (
    JobFailed,
    JobRequest,
    params_of,
    start_job,
    store_result,
)

# Rendering processes per ZIP where forking is safe (an RQ work horse); one elsewhere.
ZIP_WORKERS = 2


def _zip_request(contest: Contest, certs: list[Certificate]) -> JobRequest:
    # The same valid certificates make the same ZIP: a finished one is handed out again.
    fingerprint = ",".join(str(c.id) for c in certs)
    return JobRequest(
        "certificate_zip",
        # The QR codes point at the address the ZIP was asked from (the job runs elsewhere).
        {"contest_id": contest.id, "base_url": base_url()},
        contest_id=contest.id,
        total=len(certs),
        fingerprint=fingerprint,
        reuse_done=True,
    )


def start_contest_zip(contest: Contest, user) -> tuple[Job, bool]:
    """Return the job building ``contest``'s valid certificates into a ZIP and whether it is
    new (the caller commits and then dispatches a new one); the same ZIP asked for again is
    the job already queued, running or done."""
    certs = [c for c in contest_certificates(contest) if c.is_valid]
    if not certs:
        raise CertificateRefused(N_("该赛事还没有有效的证书，请先颁发。"))
    job, new = start_job(_zip_request(contest, certs), user)  # may raise JobRefused
    record_change(
        "download_certificate_zip",
        "contest",
        contest.id,
        says(N_("打包下载赛事证书 %(contest)s（%(n)s 份）"), contest=contest.name, n=len(certs)),
        user=user,
    )
    return job, new


def build_contest_zip(job: Job, progress) -> dict:
    """Job handler: render the contest's valid certificates into a ZIP stored with the job."""

    contest = db.session.get(Contest, params_of(job)["contest_id"])
    if contest is None:
        raise JobFailed("该赛事已不存在。")
    certs = [c for c in contest_certificates(contest) if c.is_valid]
    base = params_of(job).get("base_url")
    items = [(content_of(c), verify_url_for(c.serial, base)) for c in certs]
    name = zip_download_name(contest.name)
    with tempfile.TemporaryFile() as out:
        try:
            render_zip(
                items, out, workers=ZIP_WORKERS if forking_allowed() else 1, progress=progress
            )
        except (GlyphMissing, ValueError) as exc:
            raise JobFailed(str(exc)[:500]) from exc
        out.seek(0)
        store_result(job, out, name)
    return {"count": len(items)}


def zip_download_name(contest_name: str) -> str:
    """Return the ZIP's file name: 证书_<contest>.zip, without characters file systems refuse."""
    return f"证书_{safe_part(contest_name, 60, '赛事')}.zip"
