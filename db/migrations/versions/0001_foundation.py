"""Foundation: bronze/silver/gold/app schemas, FOCUS bronze, silver view, gold daily cost, load log.

Revision ID: 0001
Revises:
"""

from db.migrations.sql_file import run_sql_file

revision = "0001"
down_revision = None


def upgrade() -> None:
    run_sql_file(__file__)
