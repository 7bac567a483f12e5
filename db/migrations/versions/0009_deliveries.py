"""Deliveries: append slices in bronze, and each load's delivery and mode in the load log.

Revision ID: 0009
Revises: 0008
"""

from db.migrations.sql_file import run_sql_file

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    run_sql_file(__file__)
