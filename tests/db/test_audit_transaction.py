"""An allocation-rule change and its audit row are one transaction: when either cannot be
written, neither is. A table held locked by another session (and a lock timeout on ours)
makes one of the two statements fail for real."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from db.showback import AllocationRule, delete_rule, rules, save_rule

RULE = AllocationRule("spread-shared", "team", "even", "shared")


@pytest.fixture
def impatient(database_url: str, empty_db: sa.Engine) -> Iterator[sa.Engine]:
    """An engine whose statements give up after half a second waiting for a lock."""
    engine = sa.create_engine(database_url, connect_args={"options": "-c lock_timeout=500"})
    yield engine
    engine.dispose()


def audit_rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        sql = "SELECT username, action, detail ->> 'rule' FROM app.audit_log ORDER BY audit_id"
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def locked(engine: sa.Engine, table: str) -> sa.Connection:
    """A session holding `table` against writers until it is closed."""
    conn = engine.connect()
    conn.begin()
    conn.execute(sa.text(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))
    return conn


def test_saved_and_deleted_with_their_audit_rows(empty_db: sa.Engine) -> None:
    rule_id = save_rule(empty_db, RULE, "alice")
    assert delete_rule(empty_db, rule_id, "bob") is True
    assert delete_rule(empty_db, rule_id, "bob") is False  # gone already: nothing audited
    assert audit_rows(empty_db) == [
        ("alice", "allocation_rule_saved", "spread-shared"),
        ("bob", "allocation_rule_deleted", "spread-shared"),
    ]


def test_a_change_that_fails_leaves_no_audit_row(empty_db: sa.Engine, impatient) -> None:
    holder = locked(empty_db, "app.allocation_rule")
    try:
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            save_rule(impatient, RULE, "alice")
    finally:
        holder.close()
    assert audit_rows(empty_db) == []
    assert rules(empty_db) == []


def test_an_audit_that_fails_leaves_no_change(empty_db: sa.Engine, impatient) -> None:
    holder = locked(empty_db, "app.audit_log")
    try:
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            save_rule(impatient, RULE, "alice")
    finally:
        holder.close()
    assert rules(empty_db) == []
    rule_id = save_rule(empty_db, RULE, "alice")

    holder = locked(empty_db, "app.audit_log")
    try:
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            delete_rule(impatient, rule_id, "bob")
    finally:
        holder.close()
    assert [r.name for r in rules(empty_db)] == ["spread-shared"]
    assert audit_rows(empty_db) == [("alice", "allocation_rule_saved", "spread-shared")]
