"""Who runs a job: an RQ worker (Redis), a thread of the web process, or the request itself.

``COMPAPP_REDIS_URL`` set: jobs go to the RQ queue ``compapp`` and ``flask --app wsgi jobs
worker`` processes run them, one at a time each, in a forked work horse (a horse that dies is
noticed by its worker: the job is queued again while attempts remain, else marked failed).
Not set (``make run``): a small thread pool of the web process runs them. Tests run them in the
request that started them (``JOB_RUNNER = "inline"``). Every way runs ``services.run_job``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app

QUEUE_NAME = "compapp"
_worker_app: Flask | None = None
_in_work_horse = False


def runner_of(app: Flask) -> str:
    configured = app.config.get("JOB_RUNNER")
    if configured:
        return configured
    return "rq" if app.config.get("REDIS_URL") else "thread"


def forking_allowed() -> bool:
    """Whether a job may fork rendering processes: only in an RQ work horse, which has a
    single thread (a fork of the threaded web process could inherit a held lock)."""
    return _in_work_horse


def redis_connection(app: Flask):
    from redis import Redis

    return Redis.from_url(app.config["REDIS_URL"])


def rq_queue(app: Flask):
    from rq import Queue

    return Queue(QUEUE_NAME, connection=redis_connection(app))


def dispatch(app: Flask, job_id: str) -> None:
    """Start job ``job_id`` (already committed as queued) the way this deployment runs jobs."""
    runner = runner_of(app)
    if runner == "rq":
        from rq import Retry

        rq_queue(app).enqueue(
            "compapp.jobs.runners.rq_entry",
            job_id,
            job_id=f"compapp-{job_id}",
            retry=Retry(max=max(app.config["JOB_MAX_ATTEMPTS"] - 1, 0))
            if app.config["JOB_MAX_ATTEMPTS"] > 1
            else None,
            job_timeout=app.config["JOB_TIMEOUT_SECONDS"],
            result_ttl=3600,
            failure_ttl=24 * 3600,
        )
    elif runner == "thread":
        pool = app.extensions.get("compapp_job_pool")
        if pool is None:
            pool = ThreadPoolExecutor(
                max_workers=app.config["JOB_THREADS"], thread_name_prefix="compapp-job"
            )
            app.extensions["compapp_job_pool"] = pool
        pool.submit(run_with_attempts, app, job_id)
    else:
        run_with_attempts(app, job_id)


def run_with_attempts(app: Flask, job_id: str) -> None:
    """Run a job in this process, trying again while attempts remain."""
    from compapp.extensions import db
    from compapp.jobs.services import run_job

    with app.app_context():
        try:
            for _attempt in range(app.config["JOB_MAX_ATTEMPTS"]):
                try:
                    run_job(job_id)
                except Exception:
                    app.logger.warning("job %s failed; trying again", job_id, exc_info=True)
                    continue
                return
        finally:
            db.session.remove()


def rq_entry(job_id: str) -> str | None:
    """What the RQ work horse calls: run the job in the worker's application."""
    global _in_work_horse
    from compapp.extensions import db
    from compapp.jobs.services import run_job

    app = _worker_app
    if app is None:
        from compapp import create_app

        app = create_app()
    _in_work_horse = True
    with app.app_context():
        # The horse is a fork: connections inherited from the worker stay the worker's.
        db.engine.dispose(close=False)
        try:
            return run_job(job_id)
        finally:
            db.session.remove()


def horse_killed(job, retpid, ret_val, rusage) -> None:
    """RQ: a work horse died (killed, out of memory): record it on the job's row at once."""
    from compapp.jobs.services import HORSE_DIED, HORSE_DIED_RETRY, mark_failed

    job_id = (job.args or [None])[0]
    if not job_id:
        return
    retry = job.should_retry
    with (_worker_app or current_app).app_context():
        mark_failed(job_id, HORSE_DIED_RETRY if retry else HORSE_DIED, retry=retry)


def work(app: Flask, burst: bool = False) -> None:
    """Run an RQ worker on the ``compapp`` queue in this process (until stopped)."""
    global _worker_app
    from rq import Worker

    _worker_app = app
    connection = redis_connection(app)
    worker = Worker(
        [rq_queue(app)],
        connection=connection,
        name=f"compapp-{os.uname().nodename}-{os.getpid()}",
        work_horse_killed_handler=horse_killed,
    )
    worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
