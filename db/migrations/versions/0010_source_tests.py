"""'Test connection' requests the page queues and the scheduler answers.

Revision ID: 0010
Revises: 0008 (0009 once the delivery branch lands)
"""

from db.migrations.sql_file import run_sql_file

revision = "0010"
down_revision = "0008"  # the merge puts it after 0009 (delivery)


def upgrade() -> None:
    run_sql_file(__file__)
