"""Migrations keep their DDL in a .sql file beside the revision module; this runs it."""

from pathlib import Path

from alembic import op


def run_sql_file(revision_module: str) -> None:
    sql = Path(revision_module).with_suffix(".sql").read_text()
    # exec_driver_sql sends the script as one simple-protocol batch, so it may hold many statements.
    op.get_bind().exec_driver_sql(sql)
