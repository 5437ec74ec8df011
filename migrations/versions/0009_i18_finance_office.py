"""Finance office: payees' bank details and coaches' ID numbers, returned and revoked results,
funding source of award lines, recoveries, bars, reconciliations, public award lists.

Revision ID: 0009_i18
Revises: 0010_i14b
Create Date: 2026-12-03 08:40:00

Columns are only added (never altered), so SQLite's batch mode changes no existing table's
constraints or triggers.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_i18'
down_revision = '0010_i14b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coaches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number', sa.String(length=18), nullable=True))
        batch_op.create_index(batch_op.f('ix_coaches_id_number'), ['id_number'], unique=True)
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('returned_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('award_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funding_source', sa.String(length=30), nullable=True))

    op.create_table(
        'bank_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('competitor_id', sa.Integer(), nullable=True),
        sa.Column('coach_id', sa.Integer(), nullable=True),
        sa.Column('bank_name', sa.String(length=60), nullable=False),
        sa.Column('branch', sa.String(length=80), nullable=False),
        sa.Column('account_number', sa.String(length=30), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            '(competitor_id IS NULL) <> (coach_id IS NULL)',
            name=op.f('ck_bank_accounts_one_holder'),
        ),
        sa.ForeignKeyConstraint(['coach_id'], ['coaches.id'], name=op.f('fk_bank_accounts_coach_id_coaches')),
        sa.ForeignKeyConstraint(['competitor_id'], ['competitors.id'], name=op.f('fk_bank_accounts_competitor_id_competitors')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_bank_accounts_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts')),
        sa.UniqueConstraint('coach_id', name=op.f('uq_bank_accounts_coach_id')),
        sa.UniqueConstraint('competitor_id', name=op.f('uq_bank_accounts_competitor_id')),
    )
    op.create_table(
        'revocations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('bar_until', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('requested', 'confirmed', 'withdrawn')", name=op.f('ck_revocations_status')),
        sa.CheckConstraint('confirmed_by_id IS NULL OR confirmed_by_id <> requested_by_id', name=op.f('ck_revocations_four_eyes')),
        sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_revocations_placement_id_placements')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_revocations_requested_by_id_users')),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_revocations_confirmed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_revocations')),
    )
    op.create_index(op.f('ix_revocations_placement_id'), 'revocations', ['placement_id'])
    op.create_table(
        'person_bars',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('competitor_id', sa.Integer(), nullable=False),
        sa.Column('revocation_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('until_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.CheckConstraint('until_on >= starts_on', name=op.f('ck_person_bars_period_ordered')),
        sa.ForeignKeyConstraint(['competitor_id'], ['competitors.id'], name=op.f('fk_person_bars_competitor_id_competitors')),
        sa.ForeignKeyConstraint(['revocation_id'], ['revocations.id'], name=op.f('fk_person_bars_revocation_id_revocations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_person_bars')),
    )
    op.create_index(op.f('ix_person_bars_competitor_id'), 'person_bars', ['competitor_id'])
    op.create_index(op.f('ix_person_bars_revocation_id'), 'person_bars', ['revocation_id'])
    op.create_table(
        'recovery_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revocation_id', sa.Integer(), nullable=False),
        sa.Column('award_line_id', sa.Integer(), nullable=False),
        sa.Column('payer_code', sa.String(length=6), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('amount_fen', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('settled_on', sa.Date(), nullable=True),
        sa.Column('settlement_reference', sa.String(length=80), nullable=True),
        sa.Column('settled_by_id', sa.Integer(), nullable=True),
        sa.Column('settled_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('amount_fen > 0', name=op.f('ck_recovery_lines_amount_positive')),
        sa.CheckConstraint("kind IN ('recover', 'stop_payment')", name=op.f('ck_recovery_lines_kind')),
        sa.CheckConstraint('settled_on IS NULL OR settlement_reference IS NOT NULL', name=op.f('ck_recovery_lines_settled_has_reference')),
        sa.ForeignKeyConstraint(['revocation_id'], ['revocations.id'], name=op.f('fk_recovery_lines_revocation_id_revocations')),
        sa.ForeignKeyConstraint(['award_line_id'], ['award_lines.id'], name=op.f('fk_recovery_lines_award_line_id_award_lines')),
        sa.ForeignKeyConstraint(['payer_code'], ['jurisdictions.code'], name=op.f('fk_recovery_lines_payer_code_jurisdictions')),
        sa.ForeignKeyConstraint(['settled_by_id'], ['users.id'], name=op.f('fk_recovery_lines_settled_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_lines')),
        sa.UniqueConstraint('award_line_id', name=op.f('uq_recovery_lines_award_line_id')),
    )
    op.create_index(op.f('ix_recovery_lines_revocation_id'), 'recovery_lines', ['revocation_id'])
    op.create_index(op.f('ix_recovery_lines_payer_code'), 'recovery_lines', ['payer_code'])
    op.create_table(
        'reconciliations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payer_code', sa.String(length=6), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('confirmed_fen', sa.Integer(), nullable=False),
        sa.Column('paid_fen', sa.Integer(), nullable=False),
        sa.Column('stopped_fen', sa.Integer(), nullable=False),
        sa.Column('outstanding_fen', sa.Integer(), nullable=False),
        sa.Column('recoveries_due_fen', sa.Integer(), nullable=False),
        sa.Column('recovered_fen', sa.Integer(), nullable=False),
        sa.Column('ledger_paid_fen', sa.Integer(), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=True),
        sa.Column('reconciled_by_id', sa.Integer(), nullable=False),
        sa.Column('reconciled_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('period_end >= period_start', name=op.f('ck_reconciliations_period_ordered')),
        sa.ForeignKeyConstraint(['payer_code'], ['jurisdictions.code'], name=op.f('fk_reconciliations_payer_code_jurisdictions')),
        sa.ForeignKeyConstraint(['reconciled_by_id'], ['users.id'], name=op.f('fk_reconciliations_reconciled_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliations')),
    )
    op.create_index(op.f('ix_reconciliations_payer_code'), 'reconciliations', ['payer_code'])
    op.create_table(
        'disclosures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawal_reason', sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_disclosures_contest_id_contests')),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_disclosures_published_by_id_users')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_disclosures_withdrawn_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures')),
    )
    op.create_index(op.f('ix_disclosures_contest_id'), 'disclosures', ['contest_id'])


def downgrade():
    for index, table in (
        ('ix_disclosures_contest_id', 'disclosures'),
        ('ix_reconciliations_payer_code', 'reconciliations'),
        ('ix_recovery_lines_payer_code', 'recovery_lines'),
        ('ix_recovery_lines_revocation_id', 'recovery_lines'),
        ('ix_person_bars_revocation_id', 'person_bars'),
        ('ix_person_bars_competitor_id', 'person_bars'),
        ('ix_revocations_placement_id', 'revocations'),
    ):
        op.drop_index(op.f(index), table_name=table)
    for table in ('disclosures', 'reconciliations', 'recovery_lines', 'person_bars',
                  'revocations', 'bank_accounts'):
        op.drop_table(table)
    with op.batch_alter_table('award_lines', schema=None) as batch_op:
        batch_op.drop_column('funding_source')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('return_reason')
        batch_op.drop_column('returned_by_id')
        batch_op.drop_column('returned_at')
    with op.batch_alter_table('coaches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaches_id_number'))
        batch_op.drop_column('id_number')
