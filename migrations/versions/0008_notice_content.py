"""Public notices keep what they printed (content snapshot).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 01:18:07.046406

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.drop_column('content')

