"""Users, roles, per-account scope and the audit log.

Revision ID: 0005
Revises: 0004
"""

from db.migrations.sql_file import run_sql_file

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    run_sql_file(__file__)
