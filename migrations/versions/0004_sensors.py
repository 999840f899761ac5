"""sensors: Zigbee sensors (one per device endpoint and cluster) and CLIP sensors

Revision ID: 0004
Revises: 0003 (re-chained in w-bindings; the lead re-chains at merge)
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.store.models


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sensors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uniqueid", sa.String(length=64), nullable=False),
        sa.Column("ieee", sa.String(length=23), nullable=True),
        sa.Column("endpoint", sa.Integer(), nullable=True),
        sa.Column("cluster", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("manufacturername", sa.String(length=64), nullable=False),
        sa.Column("modelid", sa.String(length=64), nullable=False),
        sa.Column("swversion", sa.String(length=64), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", gateway.store.models.UtcDateTime(), nullable=False),
        sa.Column("updated_at", gateway.store.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uniqueid"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("sensors")
