"""Job handlers for the tests: one that fails once, one that can never succeed."""

from __future__ import annotations

from compapp.jobs.services import JobFailed

CALLS: list[str] = []


def flaky(job, progress) -> dict:
    """Fail on the first attempt (a passing fault), succeed on the second."""
    CALLS.append(job.id)
    progress(1, 2)
    if job.attempts < 2:
        raise ConnectionError("the database went away for a moment")
    return {"attempt": job.attempts}


def hopeless(job, progress) -> dict:
    CALLS.append(job.id)
    raise JobFailed("这份数据无法处理。")
