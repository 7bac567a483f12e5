"""The fast tier stays database-free: a test marked fast cannot open a connection."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.fast


def test_a_fast_test_cannot_connect() -> None:
    with pytest.raises(AssertionError, match="marked fast"):
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    with pytest.raises(AssertionError, match="marked fast"):
        sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres").connect()
