"""Honours have their own certificate kind (POLICY.md §4.7): a certificate rests on an honour
instead of a contest entry, verified on the same public page.

Revision ID: 0012_i13
Revises: 0012_i21
"""
from alembic import op
import sqlalchemy as sa


revision = "0012_i13"
down_revision = "0012_i21"
branch_labels = None
depends_on = None

HONOUR_OR_ENTRY = (
    "(kind = 'honour') = (honour_id IS NOT NULL)"
    " AND (kind = 'honour' OR (contest_id IS NOT NULL AND entry_id IS NOT NULL))"
)
VALID_HONOUR = "status = 'valid' AND honour_id IS NOT NULL"


def upgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("honour_id", sa.Integer(), nullable=True))
        batch_op.alter_column("contest_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("entry_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_certificates_honour_id"), ["honour_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_honour_id_honours"), "honours", ["honour_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("ck_certificates_kind"), type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('award', 'promotion', 'title', 'honour')")
        batch_op.create_check_constraint("honour_or_entry", HONOUR_OR_ENTRY)
        batch_op.create_index(
            "uq_certificates_valid_honour",
            ["honour_id"],
            unique=True,
            sqlite_where=sa.text(VALID_HONOUR),
            postgresql_where=sa.text(VALID_HONOUR),
        )


def downgrade():
    op.execute("DELETE FROM certificate_verifications WHERE certificate_id IN "
               "(SELECT id FROM certificates WHERE kind = 'honour')")
    op.execute("UPDATE certificates SET replaced_by_id = NULL WHERE replaced_by_id IN "
               "(SELECT id FROM certificates WHERE kind = 'honour')")
    op.execute("DELETE FROM certificates WHERE kind = 'honour'")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("uq_certificates_valid_honour")
        batch_op.drop_constraint(batch_op.f("ck_certificates_honour_or_entry"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_certificates_kind"), type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('award', 'promotion', 'title')")
        batch_op.drop_constraint(batch_op.f("fk_certificates_honour_id_honours"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_certificates_honour_id"))
        batch_op.alter_column("entry_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("contest_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("honour_id")
