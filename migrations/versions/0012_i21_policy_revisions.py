"""Policy versions kept in the database, entered or imported, activated by a second person.

Revision ID: 0012_i21
Revises: 0009_i14a
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_i21"
down_revision = "0009_i14a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "policy_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("version_from", sa.Date(), nullable=False),
        sa.Column("version_to", sa.Date(), nullable=True),
        sa.Column("base_digest", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.String(length=400), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("attachment_name", sa.String(length=200), nullable=True),
        sa.Column("attachment_digest", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("preview_job_id", sa.String(length=32), nullable=True),
        sa.Column("apply_job_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'returned', 'active', 'superseded')",
            name=op.f("ck_policy_revisions_state"),
        ),
        sa.CheckConstraint(
            "reviewed_by_id IS NULL OR reviewed_by_id <> created_by_id",
            name=op.f("ck_policy_revisions_four_eyes"),
        ),
        sa.CheckConstraint(
            "state = 'pending' OR (reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL)",
            name=op.f("ck_policy_revisions_decided_with_who_when"),
        ),
        sa.CheckConstraint(
            "state <> 'returned' OR length(return_reason) > 0",
            name=op.f("ck_policy_revisions_returned_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_policy_revisions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_policy_revisions_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_revisions")),
    )
    with op.batch_alter_table("policy_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_revisions_policy_id"), ["policy_id"], unique=False
        )
        batch_op.create_index(
            "uq_policy_revisions_active",
            ["policy_id"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )


def downgrade():
    with op.batch_alter_table("policy_revisions", schema=None) as batch_op:
        batch_op.drop_index("uq_policy_revisions_active")
        batch_op.drop_index(batch_op.f("ix_policy_revisions_policy_id"))
    op.drop_table("policy_revisions")
