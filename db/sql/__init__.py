"""Named SQL statements, one .sql file each, loaded once and bound with parameters only.

`{SCOPE}` in a file stands for the signed-in user's scope clause (_scope.sql): one definition,
applied by every read of gold (tests/db/test_scope.py checks that none is missing).
"""

from functools import cache
from pathlib import Path

import sqlalchemy as sa

_HERE = Path(__file__).resolve().parent


@cache
def source(name: str) -> str:
    """The text of db/sql/<name>.sql (templates fill whitelisted identifiers into it)."""
    text = (_HERE / f"{name}.sql").read_text()
    return text.replace("{SCOPE}", (_HERE / "_scope.sql").read_text().rstrip())


@cache
def statement(name: str) -> sa.TextClause:
    return sa.text(source(name))
