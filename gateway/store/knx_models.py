"""Models of the KNX side: the Thinknx device catalogue in service and the Thinknx API users.

Why the catalogue is in the store although it comes from a file: the store is what the
running gateway serves from and what survives a restart, including *when* the catalogue in
service was loaded (the Thinknx ``config_time``): a restart with an unchanged file keeps it.
Users are kept only as hashes: ``ha1`` is MD5(name:realm:password), the one thing HTTP Digest
needs (RFC 7616 §3.4.2), and ``password_hash`` a salted scrypt hash for Basic and query
credentials; the password itself is never stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.models import Base


class KnxCatalogueRow(Base):
    """Where the catalogue in service came from: one row, id 1."""

    __tablename__ = "knx_catalogue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime]


class KnxDeviceRow(Base):
    """A device clients address by ``guid``."""

    __tablename__ = "knx_devices"

    guid: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16))


class KnxControllerRow(Base):
    """One controller of a device: its group addresses, DPT and communication objects."""

    __tablename__ = "knx_controllers"
    __table_args__ = (
        UniqueConstraint("device_guid", "controller", name="uq_knx_controllers_device_controller"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_guid: Mapped[str] = mapped_column(
        String(64), ForeignKey("knx_devices.guid", ondelete="CASCADE")
    )
    controller: Mapped[str] = mapped_column(String(16))
    command_ga: Mapped[str | None] = mapped_column(String(16))
    status_ga: Mapped[str | None] = mapped_column(String(16))
    dpt: Mapped[str] = mapped_column(String(16))
    comm_obj: Mapped[int] = mapped_column(Integer)
    status_comm_obj: Mapped[int] = mapped_column(Integer)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)


class ThinknxUserRow(Base):
    """A Thinknx API user; secrets only as hashes."""

    __tablename__ = "thinknx_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    realm: Mapped[str] = mapped_column(String(64))
    ha1: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
