"""Shared fixtures: app, client, runner, db, auth and factories (create_x / dummy_x).

The schema comes from the migrations: the test database is upgraded to head once per
session, and every test starts from the reference data alone (other rows are deleted after
each test). ``COMPAPP_TEST_DATABASE_URL`` points the whole suite at PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from flask import g
from hypothesis import HealthCheck, settings
from sqlalchemy import Integer, create_engine, text

from compapp import create_app
from compapp.extensions import db as _db
from tests.helpers import PASSWORD, AuthActions, id_number_for, next_serial

# Property tests judge their inputs, not the machine's speed: on a busy machine Hypothesis's
# timing checks (too_slow, deadline) fail tests whose properties hold.
settings.register_profile("compapp", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("compapp")

REFERENCE_TABLES = {"jurisdictions", "grades", "alembic_version"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("COMPAPP_TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "compapp-test.sqlite")


@pytest.fixture(scope="session")
def reference_codes(database_url) -> set[str]:
    """Upgrade the test database to head once; return the reference jurisdiction codes."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        codes = set(_db.session.scalars(text("SELECT code FROM jurisdictions")))
        _db.session.remove()
        _db.engine.dispose()
    return codes


def _clean(codes: set[str]) -> None:
    """Remove every row but the reference data, past the append-only triggers.

    The triggers refuse DELETE on the audit log and confirmed award lines (as they must for any
    script); a test database is emptied by TRUNCATE on PostgreSQL (no row triggers fire), and on
    SQLite by lifting the triggers for the moment of the delete and creating them again as the
    migration wrote them.
    """
    _db.session.rollback()
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)))
    else:
        triggers = _db.session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        for name, _sql in triggers:
            _db.session.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            _db.session.execute(table.delete())
        for _name, sql in triggers:
            _db.session.execute(text(sql))
    jurisdictions = _db.metadata.tables["jurisdictions"]
    _db.session.execute(jurisdictions.delete().where(jurisdictions.c.code.not_in(codes)))
    _db.session.commit()


_DEMO_SNAPSHOTS: dict[str, list[tuple[str, list[dict]]]] = {}


@pytest.fixture
def demo(app, runner, reference_codes, database_url):
    """The demo data set (``flask seed demo``), with its accounts (password compapp-demo).

    The first test that asks for it seeds it through the command; its rows are then kept and
    written back for every later test (a tenth of the seeding time), with the same ids. On
    PostgreSQL the id sequences then continue after the highest id written back.
    (tests/test_setup.py runs the command itself every time.)
    """
    snapshot = _DEMO_SNAPSHOTS.get(database_url)
    if snapshot is None:
        before = _keys(reference_codes)
        result = runner.invoke(args=["seed", "demo"])
        assert result.exit_code == 0, result.output
        _DEMO_SNAPSHOTS[database_url] = _snapshot(reference_codes, before)
        return
    for name, rows in snapshot:
        if rows:
            _db.session.execute(_db.metadata.tables[name].insert(), rows)
    if _db.engine.dialect.name == "postgresql":
        for name, _rows in snapshot:
            _restart_id_sequence(_db.metadata.tables[name])
    _db.session.commit()


def _seeded_tables(codes: set[str]):
    """The tables the demo data set writes, each with the select of its rows (jurisdictions:
    only those beyond the reference data), in the order they can be inserted."""
    for table in _db.metadata.sorted_tables:
        select = table.select()
        if table.name == "jurisdictions":
            select = select.where(table.c.code.not_in(codes))
        elif table.name in REFERENCE_TABLES:
            continue
        yield table, select


def _key(table, row) -> tuple:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _keys(codes: set[str]) -> dict[str, set[tuple]]:
    """The primary keys of the rows already there (the asking test's own fixtures' rows)."""
    return {
        table.name: {_key(table, r) for r in _db.session.execute(select).mappings()}
        for table, select in _seeded_tables(codes)
    }


def _snapshot(codes: set[str], before: dict[str, set[tuple]]) -> list[tuple[str, list[dict]]]:
    """The rows the seed added (not those of the asking test's other fixtures), table by
    table in the order they can be inserted."""
    snapshot = []
    for table, select in _seeded_tables(codes):
        rows = _db.session.execute(select).mappings()
        added = [dict(r) for r in rows if _key(table, r) not in before[table.name]]
        snapshot.append((table.name, added))
    return snapshot


def _restart_id_sequence(table) -> None:
    for column in table.primary_key.columns:
        if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
            _db.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'
                ),
                {"table": f'"{table.name}"', "column": column.name},
            )


@pytest.fixture
def app_config() -> dict:
    """Per-test overrides of the test configuration (override this fixture to change it)."""
    return {}


def _make_app(database_url: str, overrides: dict):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})

    def forget_signed_in_user():
        # The test keeps one app context open, so ``g`` outlives a request; each request
        # must load its own user from its own session, as it does in production.
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_signed_in_user)
    return app


@pytest.fixture(scope="session")
def _shared_app(database_url, reference_codes):
    """One application for every test with the default test configuration (warm caches)."""
    app = _make_app(database_url, {})
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app(database_url, reference_codes, app_config, _shared_app):
    app = _make_app(database_url, app_config) if app_config else _shared_app
    with app.app_context():
        yield app
        _clean(reference_codes)
        _db.session.remove()
        if app is not _shared_app:
            _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def create_user(db):
    from compapp.auth.models import User

    def create_user(username: str | None = None, role: str = "organiser", **scope):
        n = next_serial()
        user = User(
            username=username or f"user{n}",
            display_name=scope.pop("display_name", f"用户{n}"),
            role=role,
            **scope,
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return create_user


@pytest.fixture
def dummy_admin(create_user):
    return create_user("admin", "admin", display_name="管理员")


@pytest.fixture
def dummy_organiser(create_user):
    return create_user("organiser", "organiser", display_name="组织者")


@pytest.fixture
def create_contest(db):
    from compapp.contests.services import ContestData, save_contest

    def create_contest(
        name: str | None = None,
        category: str = "national_skills_competition",
        award_on: date = date(2024, 9, 15),
        **fields,
    ):
        from compapp.policy.categories import CATEGORY_TIER

        # A prefecture-tier contest is run by a prefecture (POLICY §3): 迪庆州 by default.
        default_organiser = "533400" if CATEGORY_TIER[category] == "prefecture" else "530000"
        data = ContestData(
            name=name or f"测试赛事{next_serial()}",
            category=category,
            organiser=fields.pop("organiser", default_organiser),
            organising_body=fields.pop("organising_body", "云南省人力资源和社会保障厅"),
            starts_on=fields.pop("starts_on", award_on),
            ends_on=fields.pop("ends_on", award_on),
            award_on=award_on,
            **fields,
        )
        contest = save_contest(data)
        db.session.commit()
        return contest

    return create_contest


@pytest.fixture
def dummy_contest(create_contest):
    return create_contest("第二届全国技能大赛")


@pytest.fixture
def create_event(db):
    from compapp.contests.services import add_event

    def create_event(
        contest,
        occupation: str = "电工",
        event_format: str = "individual",
        result_kind: str = "medals",
    ):
        event = add_event(contest, occupation, event_format, result_kind)
        db.session.commit()
        return event

    return create_event


@pytest.fixture
def create_entry(db):
    from compapp.contests.services import EntryData, MemberData, check_entry
    from compapp.rewards.entries import save_and_price_entry

    def create_entry(
        event,
        county: str = "533422",
        rank: int | None = None,
        result: str | None = None,
        names: list[str] | None = None,
        **member_fields,
    ):
        names = names or [f"选手{next_serial()}" for _ in range(event.team_size)]
        members = [
            MemberData(id_number=id_number_for(county), name=name, **member_fields)
            for name in names
        ]
        data = EntryData(sending_county=county, members=members, rank=rank, result=result)
        problems = check_entry(event, data)
        assert not problems, problems
        entry = save_and_price_entry(event, data, None, event.version)
        db.session.commit()
        return entry

    return create_entry
