"""Silver finds amortized periods with EXISTS, linear whatever bronze's statistics say.

Revision ID: 0007
Revises: 0006
"""

from db.migrations.sql_file import run_sql_file

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    run_sql_file(__file__)
