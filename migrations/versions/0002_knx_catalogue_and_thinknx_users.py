"""KNX: the Thinknx device catalogue in service and the Thinknx API users

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.store.models


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knx_catalogue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", gateway.store.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "knx_devices",
        sa.Column("guid", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("guid"),
    )
    op.create_table(
        "thinknx_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("realm", sa.String(length=64), nullable=False),
        sa.Column("ha1", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", gateway.store.models.UtcDateTime(), nullable=False),
        sa.Column("updated_at", gateway.store.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "knx_controllers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_guid", sa.String(length=64), nullable=False),
        sa.Column("controller", sa.String(length=16), nullable=False),
        sa.Column("command_ga", sa.String(length=16), nullable=True),
        sa.Column("status_ga", sa.String(length=16), nullable=True),
        sa.Column("dpt", sa.String(length=16), nullable=False),
        sa.Column("comm_obj", sa.Integer(), nullable=False),
        sa.Column("status_comm_obj", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["device_guid"], ["knx_devices.guid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "device_guid", "controller", name="uq_knx_controllers_device_controller"
        ),
    )


def downgrade() -> None:
    op.drop_table("knx_controllers")
    op.drop_table("thinknx_users")
    op.drop_table("knx_devices")
    op.drop_table("knx_catalogue")
