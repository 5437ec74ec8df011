"""Promotion cases, public notices (公示) and grade changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 01:03:46.939482

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('holidays_in_period', sa.JSON(), nullable=False),
    sa.Column('calendar_digest', sa.String(length=64), nullable=False),
    sa.Column('issuer', sa.String(length=160), nullable=False),
    sa.Column('contact', sa.String(length=400), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on >= published_on', name=op.f('ck_public_notices_ends_after_publication')),
    sa.CheckConstraint('working_days >= 1', name=op.f('ck_public_notices_working_days_positive')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_public_notices_contest_id_contests')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_public_notices_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_notices'))
    )
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_notices_contest_id'), ['contest_id'], unique=False)

    op.create_table('promotion_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('competitor_id', sa.Integer(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('from_grade', sa.String(length=30), nullable=False),
    sa.Column('to_grade', sa.String(length=30), nullable=True),
    sa.Column('title', sa.String(length=60), nullable=True),
    sa.Column('policy_id', sa.String(length=40), nullable=True),
    sa.Column('version_from', sa.Date(), nullable=True),
    sa.Column('policy_digest', sa.String(length=64), nullable=True),
    sa.Column('clause', sa.String(length=20), nullable=True),
    sa.Column('citation', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('band', sa.String(length=60), nullable=True),
    sa.Column('evaluated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('title_status', sa.String(length=20), nullable=False),
    sa.Column('title_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('title_decided_at', sa.DateTime(), nullable=True),
    sa.Column('title_note', sa.Text(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('finalized_on', sa.Date(), nullable=True),
    sa.Column('finalized_by_id', sa.Integer(), nullable=True),
    sa.Column('finalized_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('ineligible', 'proposed', 'confirmed', 'rejected', 'noticed', 'final')", name=op.f('ck_promotion_cases_status')),
    sa.CheckConstraint("status NOT IN ('noticed', 'final') OR notice_id IS NOT NULL", name=op.f('ck_promotion_cases_noticed_has_notice')),
    sa.CheckConstraint("title_status IN ('none', 'proposed', 'approved', 'rejected')", name=op.f('ck_promotion_cases_title_status')),
    sa.CheckConstraint('eligible OR to_grade IS NULL', name=op.f('ck_promotion_cases_to_grade_only_if_eligible')),
    sa.ForeignKeyConstraint(['competitor_id'], ['competitors.id'], name=op.f('fk_promotion_cases_competitor_id_competitors')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_promotion_cases_contest_id_contests')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_promotion_cases_decided_by_id_users')),
    sa.ForeignKeyConstraint(['finalized_by_id'], ['users.id'], name=op.f('fk_promotion_cases_finalized_by_id_users')),
    sa.ForeignKeyConstraint(['notice_id'], ['public_notices.id'], name=op.f('fk_promotion_cases_notice_id_public_notices')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_promotion_cases_placement_id_placements')),
    sa.ForeignKeyConstraint(['title_decided_by_id'], ['users.id'], name=op.f('fk_promotion_cases_title_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion_cases')),
    sa.UniqueConstraint('placement_id', 'competitor_id', name=op.f('uq_promotion_cases_placement_id_competitor_id'))
    )
    with op.batch_alter_table('promotion_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotion_cases_competitor_id'), ['competitor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_cases_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_cases_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_cases_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_cases_status'), ['status'], unique=False)

    op.create_table('grade_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competitor_id', sa.Integer(), nullable=False),
    sa.Column('from_grade', sa.String(length=30), nullable=False),
    sa.Column('to_grade', sa.String(length=30), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['promotion_cases.id'], name=op.f('fk_grade_changes_case_id_promotion_cases')),
    sa.ForeignKeyConstraint(['competitor_id'], ['competitors.id'], name=op.f('fk_grade_changes_competitor_id_competitors')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_grade_changes_created_by_id_users')),
    sa.ForeignKeyConstraint(['from_grade'], ['grades.code'], name=op.f('fk_grade_changes_from_grade_grades')),
    sa.ForeignKeyConstraint(['to_grade'], ['grades.code'], name=op.f('fk_grade_changes_to_grade_grades')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_changes'))
    )
    with op.batch_alter_table('grade_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_changes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grade_changes_competitor_id'), ['competitor_id'], unique=False)



def downgrade():
    with op.batch_alter_table('grade_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grade_changes_competitor_id'))
        batch_op.drop_index(batch_op.f('ix_grade_changes_case_id'))

    op.drop_table('grade_changes')
    with op.batch_alter_table('promotion_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotion_cases_status'))
        batch_op.drop_index(batch_op.f('ix_promotion_cases_placement_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_cases_notice_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_cases_contest_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_cases_competitor_id'))

    op.drop_table('promotion_cases')
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_notices_contest_id'))

    op.drop_table('public_notices')
