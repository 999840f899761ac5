"""Model of the KNX <-> Zigbee bindings created through the REST API.

Why one JSON column for the configuration: a binding's shape (which functions, which group
addresses) is checked by ``gateway.domain.bindings.records`` and grows with new functions;
the store keeps it whole, with the id clients use. Bindings from the catalogue file are
not stored: the file is their source.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.models import Base


class BindingRow(Base):
    """One binding; ids are never reused (AUTOINCREMENT), as for lights."""

    __tablename__ = "bindings"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
