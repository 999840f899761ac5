"""The sensors table: every Zigbee sensor (one per device endpoint and cluster) and every
CLIP sensor a client created, with its last state and configuration.

Why one row per (device, endpoint, cluster) and not per device: deCONZ shows one physical
device as several sensors (a Hue motion sensor is a presence, a light level and a
temperature sensor), each with its own id, name and state; ``uniqueid`` carries the MAC,
the endpoint and the cluster (``AA:..:FF-02-0406``) and is unique. CLIP sensors have no
radio address (``ieee`` is NULL) and the uniqueid the client gave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.models import Base


class SensorRow(Base):
    """A sensor; ``id`` is the stable numeric REST id, never reused after a delete."""

    __tablename__ = "sensors"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uniqueid: Mapped[str] = mapped_column(String(64), unique=True)
    ieee: Mapped[str | None] = mapped_column(String(23))
    endpoint: Mapped[int | None] = mapped_column(Integer)
    cluster: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(32))
    manufacturername: Mapped[str] = mapped_column(String(64))
    modelid: Mapped[str] = mapped_column(String(64))
    swversion: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
