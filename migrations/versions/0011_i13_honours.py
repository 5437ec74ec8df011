"""Honours (POLICY.md §4.7): a person's honour, priced when recorded, confirmed by a second person.

Revision ID: 0011_i13
Revises: 0010_i13
"""
from alembic import op
import sqlalchemy as sa


revision = "0011_i13"
down_revision = "0010_i13"
branch_labels = None
depends_on = None

KINDS = (
    "zhonghua_skills_award",
    "national_technical_expert",
    "yunnan_skills_award",
    "yunnan_technical_expert",
    "national_training_team",
)


def upgrade():
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    op.create_table(
        "honours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competitor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("recommended_by", sa.String(length=120), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("payer_code", sa.String(length=6), nullable=False),
        sa.Column("policy_id", sa.String(length=40), nullable=True),
        sa.Column("clause", sa.String(length=40), nullable=True),
        sa.Column("version_from", sa.Date(), nullable=True),
        sa.Column("policy_digest", sa.String(length=64), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f("ck_honours_kind")),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_honours_amount_not_negative")),
        sa.CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id <> recorded_by_id",
            name=op.f("ck_honours_second_person"),
        ),
        sa.CheckConstraint(
            "(confirmed_by_id IS NULL) = (confirmed_at IS NULL)",
            name=op.f("ck_honours_confirmation_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["competitor_id"], ["competitors.id"], name=op.f("fk_honours_competitor_id_competitors")
        ),
        sa.ForeignKeyConstraint(
            ["payer_code"], ["jurisdictions.code"], name=op.f("fk_honours_payer_code_jurisdictions")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_honours_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["users.id"], name=op.f("fk_honours_confirmed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honours")),
    )
    with op.batch_alter_table("honours", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_honours_competitor_id"), ["competitor_id"])
        batch_op.create_index(batch_op.f("ix_honours_awarded_on"), ["awarded_on"])


def downgrade():
    with op.batch_alter_table("honours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_honours_awarded_on"))
        batch_op.drop_index(batch_op.f("ix_honours_competitor_id"))
    op.drop_table("honours")
