"""``flask --app wsgi jobs worker``: run background jobs from the Redis queue (RQ)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from compapp.extensions import db
from compapp.jobs.runners import work
from compapp.jobs.services import horse_killed, reap_stale, sweep_old_jobs

jobs = AppGroup("jobs", help="Background jobs (certificate ZIPs, re-pricing).")


@jobs.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run jobs from the queue, one at a time, until stopped (needs COMPAPP_REDIS_URL)."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "COMPAPP_REDIS_URL is not set: without Redis, jobs run inside the web process "
            "and no worker is needed."
        )
    db.session.remove()
    db.engine.dispose()  # the work horses are forks: start them with no open connection
    work(app, on_horse_killed=horse_killed, burst=burst)


@jobs.command("sweep")
def sweep() -> None:
    """Mark jobs of dead workers failed and delete finished jobs past their keeping time."""
    failed = reap_stale()
    deleted = sweep_old_jobs()
    db.session.commit()
    click.echo(f"{failed} job(s) marked failed, {deleted} old job(s) deleted")
