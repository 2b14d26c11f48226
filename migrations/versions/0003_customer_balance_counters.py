"""customer balance counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 12:10:48.243248
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customer_balances',
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('asset_type_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('since_day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['asset_type_id'], ['asset_types.id'], name=op.f('fk_customer_balances_asset_type_id_asset_types')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_balances_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', 'asset_type_id', 'site_id', 'since_day', name=op.f('pk_customer_balances'))
    )
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assets_holder_type'))
        batch_op.create_index('ix_assets_holder_type_since', ['holder_customer_id', 'asset_type_id', 'holder_since'], unique=False)

    # Existing data: derive the counters from the assets table.
    day = "CAST(holder_since AT TIME ZONE 'UTC' AS DATE)" if op.get_bind().dialect.name == "postgresql" else "DATE(holder_since)"
    op.execute(
        "INSERT INTO customer_balances (customer_id, asset_type_id, site_id, since_day, count) "
        f"SELECT holder_customer_id, asset_type_id, COALESCE(site_id, ''), {day}, count(*) FROM assets "
        f"WHERE holder_customer_id IS NOT NULL GROUP BY holder_customer_id, asset_type_id, COALESCE(site_id, ''), {day}"
    )


def downgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index('ix_assets_holder_type_since')
        batch_op.create_index(batch_op.f('ix_assets_holder_type'), ['holder_customer_id', 'asset_type_id'], unique=False)

    op.drop_table('customer_balances')
