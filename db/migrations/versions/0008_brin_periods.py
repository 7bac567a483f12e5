"""Bronze and cost-by-tag find billing periods through BRIN indexes, nearly free to maintain.

Revision ID: 0008
Revises: 0007
"""

from db.migrations.sql_file import run_sql_file

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    run_sql_file(__file__)
