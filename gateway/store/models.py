"""SQLAlchemy 2 models: what the gateway keeps across restarts and power cuts.

Every table here has a migration in ``migrations/versions``; ``tests/store`` checks that
the models and the migrations agree, so a column added here without a migration fails CI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back as aware UTC.

    SQLite has no time zones, PostgreSQL's ``timestamp`` neither; storing naive UTC in both
    and attaching UTC on the way out keeps comparisons and ISO output identical on both.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


class GatewayConfigRow(Base):
    """The gateway's own configuration: one row, id 1."""

    __tablename__ = "gateway_config"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(16))
    uuid: Mapped[str] = mapped_column(String(36))
    bridgeid: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    timeformat: Mapped[str] = mapped_column(String(3))
    updatechannel: Mapped[str] = mapped_column(String(6))
    groupdelay: Mapped[int] = mapped_column(Integer)
    otauactive: Mapped[bool]
    discovery: Mapped[bool]
    rfconnected: Mapped[bool]
    websocketnotifyall: Mapped[bool]
    networkopenduration: Mapped[int] = mapped_column(Integer)
    zigbeechannel: Mapped[int] = mapped_column(Integer)
    admin_username: Mapped[str] = mapped_column(String(40))
    admin_password_hash: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class ApiKeyRow(Base):
    """A client allowed to use ``/api/<key>/...``; the key itself is never stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    devicetype: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime]


class LightRow(Base):
    """A light (one Zigbee endpoint); ``id`` is the stable numeric REST id."""

    __tablename__ = "lights"
    # ids are never reused, even after a delete: clients cache them.
    __table_args__ = (
        UniqueConstraint("ieee", "endpoint", name="uq_lights_ieee_endpoint"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ieee: Mapped[str] = mapped_column(String(23))
    endpoint: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(40))
    manufacturername: Mapped[str] = mapped_column(String(64))
    modelid: Mapped[str] = mapped_column(String(64))
    swversion: Mapped[str] = mapped_column(String(64))
    # Which state fields the device supports (on, bri, hue/sat, ct, xy, colorloop, ...)
    # and their limits (ctmin/ctmax), as learned from the interview.
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
