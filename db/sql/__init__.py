"""Named SQL statements, one .sql file each, loaded once and bound with parameters only.

`{SCOPE}` in a file stands for the signed-in user's scope clause (_scope.sql): one definition,
applied by every read of gold (tests/db/test_scope.py checks that none is missing). A file whose
shape varies (a chosen dimension, metric or table) names the varying parts in lower-case braces,
filled by `composed` with psycopg.sql pieces: identifiers quoted as identifiers, fragments from
the caller's fixed whitelists, never a value (values stay bound parameters).
"""

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from psycopg import sql

_HERE = Path(__file__).resolve().parent


@cache
def source(name: str) -> str:
    """The text of db/sql/<name>.sql, the scope clause in place."""
    text = (_HERE / f"{name}.sql").read_text()
    return text.replace("{SCOPE}", (_HERE / "_scope.sql").read_text().rstrip())


@cache
def statement(name: str) -> sa.TextClause:
    return sa.text(source(name))


def composed(name: str, **parts: sql.Composable) -> sa.TextClause:
    """db/sql/<name>.sql with its `{part}` placeholders filled (a literal brace there is doubled,
    `'{{}}'`); the result still takes its values as bound `:parameters`."""
    return sa.text(sql.SQL(source(name)).format(**parts).as_string())
