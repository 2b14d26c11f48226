"""certificate privacy: publishing choice per customer, longer serials, revocation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing customers never chose to publish: their figures stay private (default off).
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publish_certificate_figures', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # New serials carry an unguessable part; existing serials and documents stay as issued.
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('serial', existing_type=sa.String(length=40), type_=sa.String(length=80),
                              existing_nullable=False)
        batch_op.alter_column('superseded_by', existing_type=sa.String(length=40), type_=sa.String(length=80),
                              existing_nullable=True)
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revocation_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    # The serial columns keep their width: serials issued since would not fit in 40.
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('revocation_reason')
        batch_op.drop_column('revoked_at')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('publish_certificate_figures')
