"""Who runs a job: an RQ worker (Redis), a thread of the web process, or the request itself.

``COMPAPP_REDIS_URL`` set: jobs go to the RQ queue ``compapp`` and ``flask --app wsgi jobs
worker`` processes run them, one at a time each, in a forked work horse (a horse that dies is
noticed by its worker: the job is queued again while attempts remain, else marked failed).
Not set (``make run``): a small thread pool of the web process runs them. Tests run them in the
request that started them (``JOB_RUNNER = "inline"``). Every way runs ``services.run_job``; this module knows
only how to hand a job over (services imports it, never the reverse).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from compapp.extensions import db

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


def hand_over(app: Flask, job_id: str, run: Callable[[str], object]) -> None:
    """Start job ``job_id`` (already committed as queued) the way this deployment runs jobs.

    ``run`` runs one attempt in this process (the thread pool and inline runners call it);
    an RQ worker calls ``compapp.jobs.services.rq_entry`` by name.
    """
    runner = runner_of(app)
    if runner == "rq":
        from rq import Retry

        rq_queue(app).enqueue(
            "compapp.jobs.services.rq_entry",
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
        pool.submit(run_with_attempts, app, job_id, run)
    else:
        run_with_attempts(app, job_id, run)


def run_with_attempts(app: Flask, job_id: str, run: Callable[[str], object]) -> None:
    """Run a job in this process, trying again while attempts remain."""
    with app.app_context():
        try:
            for _attempt in range(app.config["JOB_MAX_ATTEMPTS"]):
                try:
                    run(job_id)
                except Exception:
                    app.logger.warning("job %s failed; trying again", job_id, exc_info=True)
                    continue
                return
        finally:
            db.session.remove()


def work_horse_app() -> Flask | None:
    """The application of the RQ worker this work horse was forked from (None elsewhere)."""
    return _worker_app


def enter_work_horse() -> None:
    """Note that this process is an RQ work horse (single-threaded: it may fork)."""
    global _in_work_horse
    _in_work_horse = True


def work(app: Flask, on_horse_killed: Callable, burst: bool = False) -> None:
    """Run an RQ worker on the ``compapp`` queue in this process (until stopped);
    ``on_horse_killed`` records a work horse that died (RQ's ``work_horse_killed_handler``)."""
    global _worker_app
    from rq import Worker

    _worker_app = app
    connection = redis_connection(app)
    worker = Worker(
        [rq_queue(app)],
        connection=connection,
        name=f"compapp-{os.uname().nodename}-{os.getpid()}",
        work_horse_killed_handler=on_horse_killed,
    )
    worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
