"""Alembic environment: always runs on the connection handed in by db.migrate (online mode)."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
