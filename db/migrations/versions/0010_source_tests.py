"""'Test connection' requests the page queues and the scheduler answers.

Revision ID: 0010
Revises: 0009
"""

from db.migrations.sql_file import run_sql_file

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    run_sql_file(__file__)
