"""Alembic environment: migrates the database the gateway is configured with.

The URL comes from the caller (``gateway db upgrade`` passes it in the config attributes)
or, when the ``alembic`` command is run by hand, from the gateway settings.
"""

from alembic import context

from gateway.store.db import make_sync_engine
from gateway.store.schema import Base

config = context.config
url = config.attributes.get("gateway_url")
if url is None:
    from gateway.settings import load_settings

    url = load_settings().database_url

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_sync_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
