"""Datasets: a source may deliver several views of one bill (Azure actual and amortized).

Revision ID: 0002
Revises: 0001
"""

from db.migrations.sql_file import run_sql_file

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    run_sql_file(__file__)
