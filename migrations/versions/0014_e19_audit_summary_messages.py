"""Audit entries keep their summary as a catalog msgid and its values too, so the audit log
reads in the page's language (an entry written before keeps its Chinese text).

Revision ID: 0014_e19
Revises: 0013_p16
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_e19"
down_revision = "0013_p16"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no table copy): the audit log's append-only triggers stay as they are.
    op.add_column("audit_entries", sa.Column("summary_msgid", sa.String(length=400), nullable=True))
    op.add_column("audit_entries", sa.Column("summary_values", sa.JSON(), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): no table copy, the triggers stay.
    op.drop_column("audit_entries", "summary_values")
    op.drop_column("audit_entries", "summary_msgid")
