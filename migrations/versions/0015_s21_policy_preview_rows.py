"""A preview job's listed rows (winners or competitors the version changes) are kept in their
own table, so the preview's list is paged in SQL instead of cut at 500 rows.

Revision ID: 0015_s21
Revises: 0014_e19
"""

from alembic import op
import sqlalchemy as sa


revision = "0015_s21"
down_revision = "0014_e19"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "policy_preview_rows",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("row", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_policy_preview_rows_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "seq", name=op.f("pk_policy_preview_rows")),
    )


def downgrade():
    op.drop_table("policy_preview_rows")
