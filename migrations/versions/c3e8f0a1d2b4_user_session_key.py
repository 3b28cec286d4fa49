"""user session key (a password change ends other sessions)

Revision ID: c3e8f0a1d2b4
Revises: b7d41c2e9a10
Create Date: 2026-11-22 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e8f0a1d2b4'
down_revision = 'b7d41c2e9a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_key', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_key')
