"""Count the SQL statements a block runs (pages and services load rows in bulk, not per row)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counted(db):
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
