"""Sums of fen kept in records (a reconciliation's figures, a budget confirmation's total) are
64-bit integers: a payer's year can pass 2^31 fen (¥21,474,836.48), which a 32-bit PostgreSQL
integer refuses. SQLite's INTEGER is 64-bit already: nothing to change there (and no table is
copied, so the tables' triggers stay).

Revision ID: 0015_s21_fen
Revises: 0015_s21
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_s21_fen"
down_revision = "0015_s21"
branch_labels = None
depends_on = None

COLUMNS = {
    "reconciliations": (
        "confirmed_fen",
        "paid_fen",
        "stopped_fen",
        "outstanding_fen",
        "recoveries_due_fen",
        "recovered_fen",
        "ledger_paid_fen",
    ),
    "budget_confirmations": ("total_fen",),
}


def _alter(to, was):
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=to, existing_type=was, existing_nullable=False)


def upgrade():
    _alter(sa.BigInteger(), sa.Integer())


def downgrade():
    _alter(sa.Integer(), sa.BigInteger())
