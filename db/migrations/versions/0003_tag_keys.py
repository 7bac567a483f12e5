"""Tag keys: one normalized lookup key per tag, original keys kept as delivered.

Revision ID: 0003
Revises: 0002
"""

from db.migrations.sql_file import run_sql_file

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    run_sql_file(__file__)
