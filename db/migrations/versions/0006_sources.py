"""Configured sources, their sync runs, and the scheduler's job table.

Revision ID: 0006
Revises: 0005
"""

from db.migrations.sql_file import run_sql_file

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    run_sql_file(__file__)
