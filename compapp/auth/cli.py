"""``flask --app wsgi users create-admin NAME``: the first administrator of a new server."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from compapp.audit.services import record_change, says
from compapp.auth.models import User
from compapp.core.messages import N_
from compapp.extensions import db

users = AppGroup("users", help="Accounts.")
MIN_PASSWORD = 10


def _check_password(value: str) -> str:
    if len(value) < MIN_PASSWORD:
        raise click.BadParameter(f"at least {MIN_PASSWORD} characters")
    return value


@users.command("create-admin")
@click.argument("username")
@click.option("--display-name", default="系统管理员", show_default=True)
def create_admin(username: str, display_name: str) -> None:
    """Create administrator USERNAME; the password is asked for (never on the command line)."""

    username = username.strip()
    if not username or len(username) > 60:
        raise click.ClickException("the username must have 1 to 60 characters")
    if db.session.scalar(db.select(User).filter_by(username=username)) is not None:
        raise click.ClickException(f"an account named {username!r} already exists")
    password = click.prompt(
        "Password",
        hide_input=True,
        confirmation_prompt=True,
        value_proc=_check_password,
    )
    user = User(username=username, display_name=display_name, role="admin", active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_change(
        "create_user",
        "user",
        user.id,
        says(N_("命令行创建管理员账户：%(user)s"), user=username),
        user=None,
    )
    db.session.commit()
    click.echo(f"administrator {username} created")
