"""The schema comes from the migrations, and they match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, create_engine, inspect, text

from compapp import create_app
from compapp.extensions import db


@pytest.mark.sqlite_only
def test_empty_sqlite_upgraded_to_head_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            counts = conn.execute(
                text("SELECT level, count(*) FROM jurisdictions GROUP BY level ORDER BY level")
            ).all()
            grades = conn.execute(text('SELECT code FROM grades ORDER BY "order"')).scalars().all()
        engine.dispose()
        db.engine.dispose()
    assert diff == []
    assert dict(counts) == {"county": 129, "prefecture": 16, "province": 1}
    assert grades == ["none", "junior", "intermediate", "senior", "technician", "senior_technician"]


@pytest.mark.sqlite_only
def test_migrated_check_constraints_say_what_the_models_say(tmp_path):
    """Autogenerate does not compare CHECK constraints: here every named constraint of the
    models (most derived from compapp.core.vocab's enums) has the text the migrations wrote."""
    url = f"sqlite:///{tmp_path / 'checks.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        inspector = inspect(engine)
        migrated, modelled = {}, {}
        for table in db.metadata.sorted_tables:
            for found in inspector.get_check_constraints(table.name):
                migrated[f"{table.name}.{found['name']}"] = found["sqltext"]
            for constraint in table.constraints:
                if isinstance(constraint, CheckConstraint):
                    modelled[f"{table.name}.{constraint.name}"] = str(constraint.sqltext)
        engine.dispose()
        db.engine.dispose()
    assert len(modelled) >= 50
    assert migrated == modelled


@pytest.mark.sqlite_only
def test_migrations_downgrade_to_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'down.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        engine = create_engine(url)
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        db.engine.dispose()
    assert tables <= {"alembic_version"}


def test_current_database_matches_the_models(app):
    """Whichever database the suite runs on (SQLite or PostgreSQL) was built by the migrations."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


@pytest.mark.sqlite_only
def test_existing_contests_get_their_organising_jurisdiction(tmp_path):
    """POLICY §3: every contest records its organiser; existing rows get a sensible default.

    Provincial and national contests: the province. A prefecture-tier contest: the
    prefecture its organising body names, else the prefecture that sent most entries.
    """
    url = f"sqlite:///{tmp_path / 'organiser.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0009_i13")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organising_bodies (id, name) VALUES"
                    " (1, '迪庆州人力资源和社会保障局'), (2, '云南省人力资源和社会保障厅'),"
                    " (3, '某行业协会')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO contests (id, name, category, organising_body_id, starts_on,"
                    " ends_on, award_on, created_at, updated_at) VALUES"
                    " (1, 'a', 'prefecture_class1', 1, '2024-01-01', '2024-01-02', '2024-01-02',"
                    "  '2024-01-01', '2024-01-01'),"
                    " (2, 'b', 'provincial_class1', 2, '2024-01-01', '2024-01-02', '2024-01-02',"
                    "  '2024-01-01', '2024-01-01'),"
                    " (3, 'c', 'prefecture_comprehensive', 3, '2024-01-01', '2024-01-02',"
                    "  '2024-01-02', '2024-01-01', '2024-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO events (id, contest_id, occupation, format, result_kind, version)"
                    " VALUES (1, 3, '电工', 'individual', 'medals', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO entries (id, event_id, sending_county_code, created_at) VALUES"
                    " (1, 1, '532901', '2024-01-01'), (2, 1, '532922', '2024-01-01'),"
                    " (3, 1, '530102', '2024-01-01')"
                )
            )
        upgrade()
        with engine.connect() as conn:
            found = dict(conn.execute(text("SELECT id, organiser_code FROM contests")).all())
        engine.dispose()
        db.engine.dispose()
    assert found == {1: "533400", 2: "530000", 3: "532900"}
