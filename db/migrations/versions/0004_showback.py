"""Showback: gold cost by tag (with the untagged bucket), allocation rules, source freshness.

Revision ID: 0004
Revises: 0003
"""

from db.migrations.sql_file import run_sql_file

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    run_sql_file(__file__)
