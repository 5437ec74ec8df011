"""A policy revision names which policy data it is a file of: award policies or promotion
rules (one document, dq-2022, has both under one id); one active text per kind and policy.

Revision ID: 0013_p16
Revises: 0012_i13
"""

from alembic import op
import sqlalchemy as sa


revision = "0013_p16"
down_revision = "0012_i13"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("policy_revisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="awards", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_policy_revisions_kind"), "kind IN ('awards', 'promotion')"
        )
        batch_op.drop_index("uq_policy_revisions_active")
        batch_op.create_index(
            "uq_policy_revisions_active",
            ["kind", "policy_id"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )


def downgrade():
    # Without the kind, a promotion text would be read as an award policy of the same id.
    op.execute("DELETE FROM policy_revisions WHERE kind = 'promotion'")
    with op.batch_alter_table("policy_revisions", schema=None) as batch_op:
        batch_op.drop_index("uq_policy_revisions_active")
        batch_op.create_index(
            "uq_policy_revisions_active",
            ["policy_id"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )
        batch_op.drop_constraint(batch_op.f("ck_policy_revisions_kind"), type_="check")
        batch_op.drop_column("kind")
