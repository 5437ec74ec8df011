"""Issuing all of a large contest's certificates as a background job with progress.

A contest with more certificates to issue than COMPAPP_CERTIFICATE_ISSUE_DIRECT_MAX is issued
by a job (``start_issue_all``), so that no request holds the server while thousands of
certificates are checked, written and audited. The job records progress every few hundred
holders, committing the certificates issued so far (issuing again skips them, so a job that
stops part-way is simply started again). One issuing job per contest at a time: a second
click, by anyone, is shown the job already queued or running.
"""

from __future__ import annotations

from flask import current_app

from compapp.auth.models import User
from compapp.certificates import issuing
from compapp.contests.models import Contest
from compapp.core.messages import N_
from compapp.core.seen import AlreadyDone
from compapp.extensions import db
from compapp.jobs.models import ACTIVE_STATES, Job
from compapp.jobs.services import JobFailed, JobRequest, params_of, start_job

KIND = "certificate_issue"
PROBLEMS_KEPT = 100  # sentences of holders not issued kept with the job's result
GONE = N_("该赛事已不存在。")
RACED = N_(
    "另一位用户同时在颁发本赛事的证书，本任务已停止。已颁发的证书有效，不会重复颁发；"
    "请返回证书页查看，如仍有待颁发的证书，可再次点击颁发。"
)


def direct_limit() -> int:
    return current_app.config["CERTIFICATE_ISSUE_DIRECT_MAX"]


def start_issue_all(contest: Contest, user, to_issue: int) -> tuple[Job, bool]:
    """Return the job issuing ``contest``'s due certificates and whether it is new (the caller
    commits, then dispatches a new one). The contest's issuing job already queued or running
    is returned instead of a second one. May raise ``JobRefused`` (the caps on jobs)."""
    return start_job(
        JobRequest(KIND, {"contest_id": contest.id}, contest_id=contest.id, total=to_issue),
        user,
    )


def running_issue_job(contest: Contest) -> Job | None:
    """The contest's issuing job queued or running now, if any (one query)."""
    return db.session.scalar(
        db.select(Job)
        .where(Job.kind == KIND, Job.contest_id == contest.id, Job.state.in_(ACTIVE_STATES))
        .order_by(Job.created_at.desc())
        .limit(1)
    )


def issue_all_job(job: Job, progress) -> dict:
    """Job handler: issue every due certificate of the contest, recording progress."""
    contest = db.session.get(Contest, params_of(job)["contest_id"])
    if contest is None:
        raise JobFailed(GONE)
    user = db.session.get(User, job.user_id) if job.user_id is not None else None
    session = db.session()
    # Progress commits the certificates issued so far; the holders loaded at the start stay
    # loaded across those commits (else each would be read again, one query at a time).
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        result = issuing.issue_all_certificates(contest, user, progress=progress)
    except AlreadyDone:
        raise JobFailed(RACED) from None
    finally:
        session.expire_on_commit = expire
    return {
        "issued": len(result.issued),
        "reissued": result.reissued,
        "revoked": result.revoked,
        "already": result.already,
        "problem_count": len(result.problems),
        "problems": result.problems[:PROBLEMS_KEPT],
    }
