"""Background jobs kept in the database: state, progress, result files, the start gate.

Revision ID: 0009_i20
Revises: 0009_i14b
Create Date: 2026-12-03 08:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_i20'
down_revision = '0009_i14b'
branch_labels = None
depends_on = None

ACTIVE = "state IN ('queued', 'running')"


def upgrade():
    op.create_table(
        'jobs',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('request_key', sa.String(length=64), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('result', sa.Text(), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=True),
        sa.Column('file_size', sa.Integer(), nullable=True),
        sa.Column('worker', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_jobs_state')),
        sa.CheckConstraint('done >= 0 AND total >= 0', name=op.f('ck_jobs_progress')),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_jobs_contest_id_contests'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_jobs_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_request_key'), ['request_key'], unique=False)
        batch_op.create_index('ix_jobs_state_kind', ['state', 'kind'], unique=False)
        batch_op.create_index(
            'uq_jobs_active_request', ['request_key'], unique=True,
            sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE),
        )
    op.create_table(
        'job_chunks',
        sa.Column('job_id', sa.String(length=32), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_chunks_job_id_jobs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('job_id', 'seq', name=op.f('pk_job_chunks')),
    )
    op.create_table(
        'job_gates',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('starts', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_gates')),
    )


def downgrade():
    op.drop_table('job_gates')
    op.drop_table('job_chunks')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_jobs_active_request')
        batch_op.drop_index('ix_jobs_state_kind')
        batch_op.drop_index(batch_op.f('ix_jobs_request_key'))
        batch_op.drop_index(batch_op.f('ix_jobs_contest_id'))
    op.drop_table('jobs')
