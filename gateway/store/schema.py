"""The complete schema: imports every model module so ``Base.metadata`` knows all tables.

Alembic (``migrations/env.py``) and the schema tests read the metadata from here. A new
aggregate with its own model module adds one import line below.
"""

from gateway.store import bindings_models, groups_models, knx_models, models, sensor_models
from gateway.store.models import Base

__all__ = ["Base", "bindings_models", "groups_models", "knx_models", "models", "sensor_models"]
