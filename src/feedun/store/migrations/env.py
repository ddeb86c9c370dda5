"""Alembic environment: feedun always hands over an open connection (feedun.store.migrate); no alembic.ini."""

from alembic import context

from feedun.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
