"""Start, run and read background jobs; the state lives in the database, the work anywhere.

A job is started by a request (``start_job``, then ``dispatch`` after the request commits)
and run by ``run_job`` — in an RQ worker when ``COMPAPP_REDIS_URL`` is set, otherwise in the
web process itself. Whoever runs it records progress and a heartbeat in the ``jobs`` row, so
every host shows the same progress, and a job whose worker stopped beating is marked failed
(``reap_stale``) so the person can start it again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from compapp.auth.models import utcnow
from compapp.core.messages import N_
from compapp.core.refusals import Refusal
from compapp.core.vocab import JobState
from compapp.extensions import db
from compapp.jobs import runners
from compapp.jobs.models import ACTIVE_STATES, Job, JobChunk, JobGate

# Which function does each kind of job (an explicit table: a kind name -> its handler).
HANDLERS: dict[str, str] = {
    "certificate_zip": "compapp.certificates.zips:build_contest_zip",
    "certificate_issue": "compapp.certificates.issue_jobs:issue_all_job",
    "contest_recompute": "compapp.rewards.services:recompute_contest_job",
    "policy_preview": "compapp.policies.services:preview_job",
    "policy_apply": "compapp.policies.services:apply_job",
    # Large exports (compapp.jobs.exports): the same file as the direct download.
    "awards_xlsx": "compapp.rewards.views:awards_xlsx_job",
    "budget_export": "compapp.finance.views:budget_export_job",
    "payment_roster": "compapp.finance.views:roster_export_job",
}
CHUNK_BYTES = 1024 * 1024
# What a job's page says when its worker is gone (stored as the job's error, translated there).
STOPPED = N_("处理该任务的后台进程已停止，任务未完成。请重新开始。")
UNPICKED = N_("没有后台进程处理该任务。请联系管理员检查后台进程，然后重新开始。")
UNREACHABLE = N_("后台任务队列暂时无法连接，任务没有开始。请稍后重试。")
HORSE_DIED_RETRY = N_("处理该任务的后台进程意外停止，系统将自动重试。")
HORSE_DIED = N_("处理该任务的后台进程意外停止。请重新开始。")
Progress = Callable[[int, int], None]


class JobRefused(Refusal):
    """A job that may not start now; the message (a catalog id with its values) says why."""


class JobFailed(Exception):
    """A job that cannot succeed by trying again (its message is shown to the person)."""


@dataclass(frozen=True)
class JobRequest:
    """What a person asks for: the kind, its parameters and a fingerprint of its inputs.

    Two requests with the same kind, parameters and fingerprint are the same request: the
    second is shown the first one's job.
    """

    kind: str
    params: dict = field(default_factory=dict)
    contest_id: int | None = None
    total: int = 0
    fingerprint: str = ""
    reuse_done: bool = False  # a finished job's result answers the same request again

    @property
    def key(self) -> str:
        raw = json.dumps([self.kind, self.params, self.fingerprint], sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()


def _config(name: str):
    return current_app.config[name]


# --- starting ---------------------------------------------------------------------------------


def _pass_gate() -> None:
    """Count job starts one at a time: every start first updates the same row, which holds the
    row's lock (PostgreSQL) or the database's write lock (SQLite) until the start commits."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(JobGate)
        .values(name="jobs", starts=0)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    db.session.execute(
        update(JobGate).where(JobGate.name == "jobs").values(starts=JobGate.starts + 1)
    )


def _active_count(contest_id: int | None = None) -> int:
    query = select(func.count(Job.id)).where(Job.state.in_(ACTIVE_STATES))
    if contest_id is not None:
        query = query.where(Job.contest_id == contest_id)
    return db.session.scalar(query) or 0


def start_job(request: JobRequest, user) -> tuple[Job, bool]:
    """Return the job answering ``request`` and whether it is new (the caller commits, then
    calls ``dispatch``).

    The same request already queued or running (or done, when ``reuse_done``) is reused.
    A new job must fit under the caps: COMPAPP_JOB_MAX_ACTIVE jobs queued or running in all,
    COMPAPP_JOB_MAX_PER_CONTEST for one contest.
    """
    reap_stale()
    _pass_gate()
    states = (
        (JobState.QUEUED, JobState.RUNNING, JobState.DONE) if request.reuse_done else ACTIVE_STATES
    )
    existing = db.session.scalar(
        select(Job)
        .where(Job.request_key == request.key, Job.state.in_(states))
        .order_by(Job.created_at.desc())
        .limit(1)
    )
    if existing is not None:
        return existing, False
    if request.contest_id is not None:
        per_contest = _config("JOB_MAX_PER_CONTEST")
        if _active_count(request.contest_id) >= per_contest:
            raise JobRefused(
                N_("该赛事已有 %(n)s 个后台任务在排队或进行中，请等其中一个完成后再试。"),
                n=per_contest,
            )
    overall = _config("JOB_MAX_ACTIVE")
    if _active_count() >= overall:
        raise JobRefused(N_("系统已有 %(n)s 个后台任务在排队或进行中，请过几分钟再试。"), n=overall)
    job = Job(
        id=os.urandom(16).hex(),
        kind=request.kind,
        request_key=request.key,
        params=json.dumps(request.params, ensure_ascii=False, sort_keys=True),
        contest_id=request.contest_id,
        user_id=getattr(user, "id", None),
        state=JobState.QUEUED,
        total=request.total,
    )
    db.session.add(job)
    db.session.flush()
    return job, True


def dispatch(job: Job) -> None:
    """Hand a committed, queued job to whoever runs jobs here (RQ, a thread, or this request)."""
    job_id = job.id
    try:
        runners.hand_over(current_app._get_current_object(), job_id, run_job)
    except Exception:
        # The queue is unreachable (Redis down): say so on the job instead of leaving it queued.
        current_app.logger.exception("job %s could not be queued", job_id)
        db.session.rollback()
        mark_failed(job_id, UNREACHABLE)


# --- running ----------------------------------------------------------------------------------


def _handler(kind: str) -> Callable[[Job, Progress], dict | None]:
    module, name = HANDLERS[kind].split(":")
    return getattr(import_module(module), name)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def run_job(job_id: str) -> str | None:
    """Run job ``job_id`` once; return its state afterwards (None: no such job, or nothing
    to do). Raises when the attempt failed and another attempt is allowed."""
    job = db.session.get(Job, job_id)
    if job is None or not job.active:
        return None
    job.state = JobState.RUNNING
    job.attempts += 1
    job.started_at = job.heartbeat_at = utcnow()
    job.worker = worker_name()
    job.error = None
    db.session.commit()

    def progress(done: int, total: int) -> None:
        """Record progress and a heartbeat, committing the work done so far."""
        job.done, job.total, job.heartbeat_at = done, total, utcnow()
        db.session.commit()

    try:
        summary = _handler(job.kind)(job, progress)
    except JobFailed as exc:
        _finish(job_id, JobState.FAILED, error=str(exc))
        return JobState.FAILED
    except Exception as exc:
        last = job_attempts(job_id) >= _config("JOB_MAX_ATTEMPTS")
        _finish(job_id, JobState.FAILED if last else JobState.QUEUED, error=_short(exc))
        if last:
            current_app.logger.exception("job %s (%s) failed", job_id, job.kind)
            return JobState.FAILED
        raise
    db.session.commit()  # the handler's writes (its result file, its records)
    _finish(job_id, JobState.DONE, result=summary)
    return JobState.DONE


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:500]


def job_attempts(job_id: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(Job.attempts).where(Job.id == job_id)) or 0


def _finish(job_id: str, state: str, error: str | None = None, result: dict | None = None):
    db.session.rollback()
    job = db.session.get(Job, job_id)
    job.state = state
    job.error = error
    if result is not None:
        job.result = json.dumps(result, ensure_ascii=False)
    if state == JobState.DONE:
        job.done = job.total
    if state in (JobState.DONE, JobState.FAILED):
        job.finished_at = utcnow()
    job.heartbeat_at = utcnow()
    db.session.commit()


def mark_failed(job_id: str, error: str, retry: bool = False) -> None:
    """Record that a job's worker died: queued again when it will be retried, else failed."""
    job = db.session.get(Job, job_id)
    if job is None or not job.active:
        return
    job.state = JobState.QUEUED if retry else JobState.FAILED
    job.error = error[:500]
    if not retry:
        job.finished_at = utcnow()
    db.session.commit()


def rq_entry(job_id: str) -> str | None:
    """What the RQ work horse calls: run the job in the worker's application."""
    app = runners.work_horse_app()
    if app is None:
        raise RuntimeError("start job workers with `flask --app wsgi jobs worker`")
    runners.enter_work_horse()
    with app.app_context():
        # The horse is a fork: connections inherited from the worker stay the worker's.
        db.engine.dispose(close=False)
        try:
            return run_job(job_id)
        finally:
            db.session.remove()


def horse_killed(job, retpid, ret_val, rusage) -> None:
    """RQ: a work horse died (killed, out of memory): record it on the job's row at once."""
    job_id = (job.args or [None])[0]
    if not job_id:
        return
    retry = job.should_retry
    with (runners.work_horse_app() or current_app).app_context():
        mark_failed(job_id, HORSE_DIED_RETRY if retry else HORSE_DIED, retry=retry)


def reap_stale() -> int:
    """Mark failed the running jobs whose worker stopped beating (COMPAPP_JOB_STALE_SECONDS)
    and the queued jobs nobody picked up (COMPAPP_JOB_QUEUED_SECONDS); return how many."""
    now = utcnow()
    stale = now - timedelta(seconds=_config("JOB_STALE_SECONDS"))
    forgotten = now - timedelta(seconds=_config("JOB_QUEUED_SECONDS"))
    dead = db.session.execute(
        update(Job)
        .where(Job.state == JobState.RUNNING, Job.heartbeat_at < stale)
        .values(
            state=JobState.FAILED,
            finished_at=now,
            error=STOPPED,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    unpicked = db.session.execute(
        update(Job)
        .where(Job.state == JobState.QUEUED, Job.created_at < forgotten)
        .values(
            state=JobState.FAILED,
            finished_at=now,
            error=UNPICKED,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return (dead or 0) + (unpicked or 0)


def sweep_old_jobs() -> int:
    """Delete finished jobs (and their files) older than COMPAPP_JOB_KEEP_SECONDS."""
    cutoff = utcnow() - timedelta(seconds=_config("JOB_KEEP_SECONDS"))
    old = db.session.scalars(
        select(Job.id).where(
            Job.state.in_((JobState.DONE, JobState.FAILED)), Job.created_at < cutoff
        )
    ).all()
    for job_id in old:
        db.session.execute(JobChunk.__table__.delete().where(JobChunk.job_id == job_id))
        db.session.execute(Job.__table__.delete().where(Job.id == job_id))
    return len(old)


# --- reading ----------------------------------------------------------------------------------


def get_job(job_id: str, kind: str | None = None) -> Job | None:
    """Return the job ``job_id`` (of ``kind``), marking it failed first if its worker died."""
    if not isinstance(job_id, str) or len(job_id) != 32:
        return None
    try:
        int(job_id, 16)
    except ValueError:
        return None
    job = db.session.get(Job, job_id)
    if job is None or (kind is not None and job.kind != kind):
        return None
    if _looks_stale(job) and reap_stale():
        db.session.commit()
        db.session.refresh(job)
    return job


def _looks_stale(job: Job) -> bool:
    # Checked in Python first, so that reading a live job's progress writes nothing.
    now = utcnow()
    if job.state == JobState.RUNNING:
        beat = job.heartbeat_at or job.started_at or job.created_at
        return beat < now - timedelta(seconds=_config("JOB_STALE_SECONDS"))
    if job.state == JobState.QUEUED:
        return job.created_at < now - timedelta(seconds=_config("JOB_QUEUED_SECONDS"))
    return False


def status_of(job: Job) -> dict:
    """The job's state as the progress pages read it."""
    return {
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error,
        "result": json.loads(job.result) if job.result else None,
    }


def params_of(job: Job) -> dict:
    return json.loads(job.params or "{}")


# --- result files, in the database ------------------------------------------------------------


def store_result(job: Job, source: BinaryIO, name: str) -> int:
    """Save the file ``source`` as the job's result, in chunks; return its size."""
    db.session.execute(JobChunk.__table__.delete().where(JobChunk.job_id == job.id))
    size, seq = 0, 0
    while True:
        data = source.read(CHUNK_BYTES)
        if not data:
            break
        db.session.execute(JobChunk.__table__.insert().values(job_id=job.id, seq=seq, data=data))
        size += len(data)
        seq += 1
    job.file_name, job.file_size = name, size
    return size


class ResultReader(io.RawIOBase):
    """Read a job's result file chunk by chunk (one query each): bounded memory, any host."""

    def __init__(self, engine: Engine, job_id: str) -> None:
        self._engine, self._job_id = engine, job_id
        self._seq, self._buffer = 0, b""

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        table = JobChunk.__table__
        with self._engine.connect() as conn:
            data = conn.scalar(
                select(table.c.data).where(table.c.job_id == self._job_id, table.c.seq == self._seq)
            )
        self._seq += 1
        return bytes(data) if data is not None else b""

    def readinto(self, buffer) -> int:
        if not self._buffer:
            self._buffer = self._next_chunk()
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def open_result(job: Job) -> ResultReader:
    return ResultReader(db.engine, job.id)


def iter_result(job: Job) -> Iterator[bytes]:
    reader = open_result(job)
    while chunk := reader.read(CHUNK_BYTES):
        yield chunk


def queue_depth() -> dict[tuple[str, str], int]:
    """Jobs by (kind, state), for the metrics page."""
    rows = db.session.execute(
        select(Job.kind, Job.state, func.count(Job.id)).group_by(Job.kind, Job.state)
    )
    return {(kind, state): n for kind, state, n in rows}


def finished_durations(since: datetime) -> list[tuple[str, float]]:
    """(kind, seconds from start to finish) of the jobs finished since ``since``."""
    rows = db.session.execute(
        select(Job.kind, Job.started_at, Job.finished_at).where(
            Job.state == JobState.DONE, Job.finished_at >= since, Job.started_at.is_not(None)
        )
    )
    return [(kind, (end - start).total_seconds()) for kind, start, end in rows]
