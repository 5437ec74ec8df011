"""Confirmations bind to versions; certificates superseded by corrections; append-only triggers.

- ``placements.version`` and ``promotion_cases.version``: a counter every change bumps, so a
  confirmation can compare-and-set against the version the person saw.
- ``certificates.superseded_reason``: set when a correction, reopening or withdrawal of the
  result a certificate rests on made it stop standing (it is then revoked, pending reissue).
- Triggers on PostgreSQL and SQLite: the audit log refuses every UPDATE and DELETE; an award
  line's amount and sources never change; a budget-confirmed line is never deleted and only
  its payment may be recorded, once.

A later migration that rebuilds ``audit_entries`` or ``award_lines`` on SQLite (batch mode
copies the table) must create these triggers again: tests/test_append_only.py fails otherwise.

Revision ID: 0009_i14a
Revises: 0009_i18
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_i14a"
down_revision = "0009_i18"
branch_labels = None
depends_on = None

# Columns of an award line that never change once written.
FIXED = (
    "id",
    "computation_id",
    "entry_id",
    "payee",
    "competitor_id",
    "payer_level",
    "payer_code",
    "amount_fen",
    "policy_id",
    "version_from",
    "policy_digest",
    "clause",
    "citation",
    "explanation",
    "kind",
)
PAYMENT = ("paid_on", "payment_reference", "paid_by_id", "paid_at")


def _changed(columns, distinct: str) -> str:
    return " OR ".join(f"NEW.{c} {distinct} OLD.{c}" for c in columns)


def _line_refusal(distinct: str) -> str:
    """The condition (over OLD and NEW) under which an update of an award line is refused."""
    return (
        f"({_changed(FIXED, distinct)})"
        # Superseded lines stay superseded.
        " OR (NEW.is_current AND NOT OLD.is_current)"
        # A budget confirmation is never taken back or moved.
        f" OR (OLD.budget_confirmation_id IS NOT NULL"
        f" AND NEW.budget_confirmation_id {distinct} OLD.budget_confirmation_id)"
        # A confirmed line stays current (a later change adds adjustment lines).
        " OR (OLD.budget_confirmation_id IS NOT NULL AND NOT NEW.is_current)"
        # Payment only of a confirmed line, and only once.
        " OR (NEW.budget_confirmation_id IS NULL AND NEW.paid_on IS NOT NULL)"
        f" OR (OLD.paid_on IS NOT NULL AND ({_changed(PAYMENT, distinct)}))"
    )


SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed'); END",
    "CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted'); END",
    "CREATE TRIGGER award_lines_append_only_update BEFORE UPDATE ON award_lines "
    f"WHEN {_line_refusal('IS NOT')} "
    "BEGIN SELECT RAISE(ABORT, 'award lines are append-only: amounts, sources, "
    "confirmations and payments once recorded cannot be changed'); END",
    "CREATE TRIGGER award_lines_append_only_delete BEFORE DELETE ON award_lines "
    "WHEN OLD.budget_confirmation_id IS NOT NULL "
    "BEGIN SELECT RAISE(ABORT, 'a budget-confirmed award line cannot be deleted'); END",
)
SQLITE_TRIGGER_NAMES = (
    "audit_entries_append_only_update",
    "audit_entries_append_only_delete",
    "award_lines_append_only_update",
    "award_lines_append_only_delete",
)

POSTGRESQL = f"""
CREATE FUNCTION compapp_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION compapp_refuse_audit_change();
CREATE FUNCTION compapp_guard_award_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.budget_confirmation_id IS NOT NULL THEN
            RAISE EXCEPTION 'a budget-confirmed award line cannot be deleted'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF {_line_refusal("IS DISTINCT FROM")} THEN
        RAISE EXCEPTION 'award lines are append-only: amounts, sources, confirmations and '
            'payments once recorded cannot be changed' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER award_lines_append_only BEFORE UPDATE OR DELETE ON award_lines
    FOR EACH ROW EXECUTE FUNCTION compapp_guard_award_line();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS award_lines_append_only ON award_lines;
DROP FUNCTION IF EXISTS compapp_guard_award_line();
DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries;
DROP FUNCTION IF EXISTS compapp_refuse_audit_change();
"""


def upgrade():
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("promotion_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_reason", sa.String(length=40), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_DROP)
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("superseded_reason")
    with op.batch_alter_table("promotion_cases", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_column("version")
