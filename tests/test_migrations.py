"""The schema comes from the migrations, and they match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

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
    assert dict(counts) == {"county": 17, "prefecture": 16, "province": 1}
    assert grades == ["none", "junior", "intermediate", "senior", "technician", "senior_technician"]


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
