"""Command-line tools: ``flask --app wsgi seed demo``, ``policies check``, ``policies show``."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from compapp.auth.cli import users
from compapp.auth.models import User
from compapp.certificates.cli import certificates
from compapp.contests.models import Contest, Entry, Event
from compapp.demo import DEMO_PASSWORD, load_demo
from compapp.extensions import db
from compapp.jobs.cli import jobs
from compapp.policies.services import check_active_revisions
from compapp.policy.loader import PolicyFileError, check_policies, describe_version
from compapp.policy.model import NoPolicyInForce
from compapp.policy.promotion import load_promotion_rules
from compapp.promotion.services import evaluate_contest_promotions, promotion_categories
from compapp.rewards.models import AwardComputation
from compapp.rewards.services import award_policies, grant_contest_awards

seed = AppGroup("seed", help="Load data sets.")
policies = AppGroup("policies", help="Check and show the policy data files.")


@seed.command("demo")
@click.option("--once", is_flag=True, help="Do nothing if the demo data was loaded before.")
def seed_demo(once: bool) -> None:
    """Load the demo data set (safe to run again: nothing is duplicated)."""
    from flask import current_app

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "demo data is refused in production (COMPAPP_ENV=production): its accounts share "
            "a published password. Create the first administrator with "
            "`flask --app wsgi users create-admin NAME`."
        )
    if once and db.session.scalar(db.select(User).filter_by(username="admin")) is not None:
        click.echo("demo data already loaded")
        return
    created = load_demo()
    db.session.commit()
    click.echo(
        "demo data: "
        + ", ".join(f"{count} new {kind}" for kind, count in created.items())
        + f"; demo password for every account: {DEMO_PASSWORD}"
    )


@policies.command("check")
def policies_check() -> None:
    """Load every policy file strictly; exit non-zero naming the file and key on a problem."""

    try:
        ids = check_policies()
    except PolicyFileError as exc:
        raise click.ClickException(str(exc)) from exc

    try:
        load_promotion_rules()
    except PolicyFileError as exc:
        raise click.ClickException(str(exc)) from exc

    try:
        stored = check_active_revisions()
    except PolicyFileError as exc:
        raise click.ClickException(f"stored version: {exc}") from exc
    ids = [*ids, *(f"{policy_id} (stored version in force)" for policy_id in stored)]
    ids = [*ids, "promotion rules"]
    click.echo(f"ok: {', '.join(ids)}")


@policies.command("show")
@click.argument("policy_id")
@click.option("--on", "on", required=True, help="Date, YYYY-MM-DD.")
def policies_show(policy_id: str, on: str) -> None:
    """Print the version of POLICY_ID in force on a date (a stored version in force included)."""

    try:
        day = date.fromisoformat(on)
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--on") from exc
    policy_set = award_policies()
    try:
        policy = policy_set[policy_id]
    except KeyError as exc:
        raise click.ClickException(f"unknown policy id {policy_id!r}") from exc
    try:
        version = policy.version_on(day)
    except NoPolicyInForce as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(describe_version(version))


@policies.command("reevaluate")
def policies_reevaluate() -> None:
    """Re-price every contest and refresh undecided promotion cases under the current rules.

    Run after an upgrade that changes the policy data (e.g. comprehensive contests now
    promote under the class-1 bands): decided cases are kept and reported, never rewritten.
    All or nothing: a failure part-way saves nothing and exits non-zero. Entries that cannot
    be priced (no policy in force on the award date, facts the rules refuse) are listed and
    the exit status is 1, so an upgrade script cannot miss them.
    """

    policies_ = award_policies()
    categories = set(promotion_categories())
    priced = refreshed = 0
    kept = []
    try:
        for contest in db.session.scalars(db.select(Contest).order_by(Contest.id)).all():
            priced += grant_contest_awards(contest, policies_, reason="政策数据更新后重新计算")
            if contest.category in categories:
                summary = evaluate_contest_promotions(contest)
                refreshed += summary.created + summary.updated
                kept += [(contest.name, case) for case in summary.changed_after_decision]
        unpriced = db.session.execute(
            db.select(Contest.name, Event.occupation, Entry.id, AwardComputation.error)
            .join(Entry, Entry.id == AwardComputation.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .join(Contest, Contest.id == Event.contest_id)
            .where(AwardComputation.superseded_at.is_(None), AwardComputation.error.is_not(None))
            .order_by(Contest.id, Event.id, Entry.id)
        ).all()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        raise click.ClickException(
            f"re-evaluation stopped, nothing was saved: {type(exc).__name__}: {exc}"
        ) from exc
    click.echo(
        f"awards recomputed for {priced} entries; {refreshed} promotion cases created or "
        f"refreshed; {len(kept)} decided cases whose facts changed are listed on their "
        "contest page"
    )
    for contest_name, case in kept:
        click.echo(f"  decided case kept: {contest_name}: {case.competitor.name}")
    if unpriced:
        for contest_name, occupation, entry_id, error in unpriced:
            click.echo(
                f"  not priced: {contest_name} {occupation} (entry {entry_id}): {error}", err=True
            )
        click.echo(f"error: {len(unpriced)} entries could not be priced (see above)", err=True)
        click.get_current_context().exit(1)


def init_app(app: Flask) -> None:
    """Add compapp's command groups to ``app``."""

    app.cli.add_command(users)
    app.cli.add_command(jobs)
    app.cli.add_command(seed)
    app.cli.add_command(policies)
    app.cli.add_command(certificates)
