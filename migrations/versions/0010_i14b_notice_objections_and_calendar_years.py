"""Objections (异议) to promotion notices; working-day calendar years entered by administrators.

Promotion cases gain two states: objected (an objection is open) and withdrawn (one was
upheld).

Revision ID: 0010_i14b
Revises: 0011_i13
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_i14b"
down_revision = "0011_i13"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed') OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name=op.f("ck_calendar_years_decided_with_who_when"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'rejected', 'superseded')",
            name=op.f("ck_calendar_years_status"),
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> entered_by_id",
            name=op.f("ck_calendar_years_four_eyes"),
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_calendar_years_year_range")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_calendar_years_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_calendar_years_entered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_years")),
    )
    with op.batch_alter_table("calendar_years", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_years_year"), ["year"], unique=False)
        batch_op.create_index(
            "uq_calendar_years_one_confirmed_per_year",
            ["year"],
            unique=True,
            sqlite_where=sa.text("status = 'confirmed'"),
            postgresql_where=sa.text("status = 'confirmed'"),
        )

    op.create_table(
        "notice_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("objector", sa.String(length=120), nullable=False),
        sa.Column("objector_contact", sa.String(length=200), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status = 'open' OR (resolved_by_id IS NOT NULL AND resolved_at IS NOT NULL AND resolution_note IS NOT NULL)",
            name=op.f("ck_notice_objections_resolved_with_who_when_why"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'upheld', 'dismissed')", name=op.f("ck_notice_objections_status")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["promotion_cases.id"],
            name=op.f("fk_notice_objections_case_id_promotion_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["public_notices.id"],
            name=op.f("fk_notice_objections_notice_id_public_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_notice_objections_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_notice_objections_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_objections")),
    )
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_objections_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notice_objections_notice_id"), ["notice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notice_objections_status"), ["status"], unique=False)

    _case_states(OLD_STATES, NEW_STATES, OLD_NOTICED, NEW_NOTICED)


OLD_STATES = "status IN ('ineligible', 'proposed', 'confirmed', 'rejected', 'noticed', 'final')"
NEW_STATES = (
    "status IN ('ineligible', 'proposed', 'confirmed', 'rejected', 'noticed', "
    "'objected', 'withdrawn', 'final')"
)
OLD_NOTICED = "status NOT IN ('noticed', 'final') OR notice_id IS NOT NULL"
NEW_NOTICED = "status NOT IN ('noticed', 'objected', 'withdrawn', 'final') OR notice_id IS NOT NULL"


def _case_states(old_states, new_states, old_noticed, new_noticed):
    with op.batch_alter_table("promotion_cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_promotion_cases_status"), type_="check")
        batch_op.drop_constraint(op.f("ck_promotion_cases_noticed_has_notice"), type_="check")
        batch_op.create_check_constraint(op.f("ck_promotion_cases_status"), new_states)
        batch_op.create_check_constraint(op.f("ck_promotion_cases_noticed_has_notice"), new_noticed)


def downgrade():
    _case_states(NEW_STATES, OLD_STATES, NEW_NOTICED, OLD_NOTICED)
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_objections_status"))
        batch_op.drop_index(batch_op.f("ix_notice_objections_notice_id"))
        batch_op.drop_index(batch_op.f("ix_notice_objections_case_id"))

    op.drop_table("notice_objections")
    with op.batch_alter_table("calendar_years", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_calendar_years_one_confirmed_per_year",
            sqlite_where=sa.text("status = 'confirmed'"),
            postgresql_where=sa.text("status = 'confirmed'"),
        )
        batch_op.drop_index(batch_op.f("ix_calendar_years_year"))

    op.drop_table("calendar_years")
