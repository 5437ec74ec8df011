"""How an application context's database transaction ends: with COMMIT when it only read,
with ROLLBACK (Flask-SQLAlchemy's, at the context's end) whenever it may have written.

Why: psycopg forgets every prepared statement of a connection on ROLLBACK. Every request
ended with one (the session is closed at the end of the context), so PostgreSQL planned
every query of every page afresh: planning a page's joins costs more than running them, and
under load about a third of the database's time went to it. A transaction that only read
ends the same way with COMMIT, and the plans stay.

"Only read" is decided at the mechanism, not by the view: every statement sent on the
connection since its transaction began is seen (``before_cursor_execute``); anything that
is not a SELECT (an INSERT, UPDATE or DELETE, a flush, a SAVEPOINT, a PRAGMA) marks the
transaction as writing, and so do objects added, changed or deleted in the session but not
flushed, or an error leaving the context. Such a transaction is rolled back as before:
nothing is ever saved that a view did not commit.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from compapp.extensions import db

WROTE = "compapp_wrote"  # in a connection's info: its transaction sent a non-SELECT
CONNECTION = "compapp_connection"  # in a session's info: the connection of its transaction


def _reads(statement: str) -> bool:
    return statement.lstrip()[:6].upper() == "SELECT"


@event.listens_for(Engine, "begin")
def _transaction_begins(conn) -> None:
    conn.info.pop(WROTE, None)


@event.listens_for(Engine, "before_cursor_execute")
def _statement_sent(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not _reads(statement):
        conn.info[WROTE] = True


@event.listens_for(Session, "after_begin")
def _session_begins(session, _transaction, connection) -> None:
    session.info[CONNECTION] = connection


@event.listens_for(Session, "after_transaction_end")
def _session_transaction_ends(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(CONNECTION, None)


def only_read(session: Session) -> bool:
    """Whether ``session``'s transaction has a connection that sent only SELECTs, and the
    session holds no change it has not sent."""
    connection = session.info.get(CONNECTION)
    return (
        connection is not None
        and not connection.closed
        and connection.in_transaction()
        and not connection.info.get(WROTE)
        and not (session.new or session.dirty or session.deleted)
    )


def init_app(app: Flask) -> None:
    """End a context's reading transaction with COMMIT (registered after Flask-SQLAlchemy,
    so it runs before the session is closed)."""

    @app.teardown_appcontext
    def commit_what_only_read(error: BaseException | None) -> None:
        session = db.session()
        if error is None and only_read(session):
            try:
                session.commit()
            except Exception:  # the connection was lost: Flask-SQLAlchemy closes the session
                session.rollback()
