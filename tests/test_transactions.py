"""An application context's transaction ends with COMMIT only when it read and nothing else
(compapp.transactions); anything a view did not commit is rolled back, as before."""

import pytest
from sqlalchemy import event, text, update

from compapp.contests.models import Contest, OrganisingBody
from compapp.transactions import only_read


@pytest.fixture
def ends(app, db):
    """The way each transaction of the test ended: "commit" or "rollback", in order."""
    seen: list[str] = []

    def on_commit(_conn):
        seen.append("commit")

    def on_rollback(_conn):
        seen.append("rollback")

    event.listen(db.engine, "commit", on_commit)
    event.listen(db.engine, "rollback", on_rollback)
    yield seen
    event.remove(db.engine, "commit", on_commit)
    event.remove(db.engine, "rollback", on_rollback)


def _body(db) -> OrganisingBody:
    body = OrganisingBody(name="事务测试单位")
    db.session.add(body)
    db.session.commit()
    return body


def test_a_context_that_only_read_commits(app, db, ends):
    body_id = _body(db).id
    ends.clear()
    with app.app_context():
        assert db.session.get(OrganisingBody, body_id).name == "事务测试单位"
        db.session.scalar(db.select(db.func.count()).select_from(Contest))
        assert only_read(db.session())
    assert ends == ["commit"]


def test_a_page_that_only_reads_ends_with_commit(app, db, ends, auth):
    client = app.test_client()
    with app.app_context():
        assert client.get("/login").status_code == 200
    ends.clear()
    with app.app_context():  # a served request has an application context of its own
        assert client.get("/policies/").status_code == 200
    assert "rollback" not in ends


@pytest.mark.parametrize(
    "write",
    [
        "orm_flushed",  # a change flushed by a query (autoflush) but not committed
        "orm_pending",  # an object added and never flushed
        "orm_dirty",  # an attribute changed and never flushed
        "core_update",  # an UPDATE sent without the ORM
        "raw_sql",  # a statement that is not a SELECT
    ],
)
def test_a_context_that_wrote_without_committing_saves_nothing(app, db, ends, write):
    body_id = _body(db).id
    ends.clear()
    with app.app_context():
        body = db.session.get(OrganisingBody, body_id)
        if write == "orm_flushed":
            body.name = "改了"
            db.session.scalar(db.select(db.func.count()).select_from(OrganisingBody))
        elif write == "orm_pending":
            db.session.add(OrganisingBody(name="未保存的单位"))
        elif write == "orm_dirty":
            body.name = "改了"
        elif write == "core_update":
            db.session.execute(
                update(OrganisingBody).where(OrganisingBody.id == body_id).values(name="改了")
            )
        else:
            db.session.execute(
                text("UPDATE organising_bodies SET name = '改了' WHERE id = :id"), {"id": body_id}
            )
        assert not only_read(db.session())
    assert ends == ["rollback"]
    db.session.expire_all()
    assert db.session.get(OrganisingBody, body_id).name == "事务测试单位"
    assert db.session.scalar(db.select(OrganisingBody).filter_by(name="未保存的单位")) is None


def test_an_error_leaving_the_context_rolls_back(app, db, ends):
    body_id = _body(db).id
    ends.clear()
    with pytest.raises(RuntimeError), app.app_context():
        db.session.get(OrganisingBody, body_id)
        raise RuntimeError("a view failed")
    assert ends == ["rollback"]


@pytest.mark.postgresql_only
def test_prepared_statements_outlive_a_reading_context(app, db):
    """psycopg forgets its prepared statements on ROLLBACK: ended with COMMIT, a query run
    in each of several reading contexts is prepared once and stays prepared."""
    _body(db)
    query = db.select(OrganisingBody).where(OrganisingBody.name == "事务测试单位")
    # The pool hands its idle connections out in turn: enough contexts for each of them to
    # run the query more often than psycopg's threshold for preparing it (5).
    for _ in range(40):
        with app.app_context():
            db.session.execute(query).all()
            raw = db.session.connection().connection.dbapi_connection
            prepared = raw.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
    assert prepared >= 1
