"""Showback and chargeback: cost per tag value, and allocation rules for shared or untagged cost.

The split itself runs in SQL (db/sql/showback_allocate.sql) so the page, the CSV and any later
chargeback export compute one thing in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from db.explore import metric_column
from db.queries import CostFilter
from db.sql import composed, statement

METHODS = {
    "even": "Split evenly",
    "proportional": "Proportional to tagged spend",
    "fixed": "Fixed percentages",
}
UNTAGGED = None  # the pool value that means "cost without this tag"


@dataclass(frozen=True)
class AllocationRule:
    name: str
    tag_key: str
    method: str
    pool_value: str | None = UNTAGGED
    percentages: dict[str, Decimal] = field(default_factory=dict)
    rule_id: int | None = None

    def problems(self) -> list[str]:
        """What a person must fix before the rule can be saved; empty when it is valid."""
        out = []
        if not self.name.strip():
            out.append("Give the rule a name.")
        if self.method not in METHODS:
            out.append(f"Unknown method {self.method!r}.")
        if self.method == "fixed":
            total = sum(self.percentages.values(), Decimal(0))
            if not self.percentages:
                out.append("List at least one value with a percentage.")
            elif total != 100:
                out.append(f"Percentages add up to {total}%, not 100%.")
            if any(p < 0 for p in self.percentages.values()):
                out.append("Percentages cannot be negative.")
            if self.pool_value is not None and self.pool_value in self.percentages:
                out.append("The shared value cannot receive a share of itself.")
        return out


def rules(engine: sa.Engine) -> list[AllocationRule]:
    with engine.connect() as conn:
        rows = conn.execute(statement("allocation_rules")).all()
    return [
        AllocationRule(
            name=r.name,
            tag_key=r.tag_key,
            method=r.method,
            pool_value=r.pool_value,
            percentages={k: Decimal(str(v)) for k, v in (r.percentages or {}).items()},
            rule_id=r.rule_id,
        )
        for r in rows
    ]


def save_rule(engine: sa.Engine, rule: AllocationRule, actor: str | None = None) -> int:
    """Save (insert or replace by name) and audit it in the same transaction: no change without
    its audit row, no audit row for a change that failed."""
    if problems := rule.problems():
        raise ValueError(" ".join(problems))
    params = {
        "name": rule.name.strip(),
        "tag_key": rule.tag_key,
        "pool_value": rule.pool_value,
        "method": rule.method,
        "percentages": (
            json.dumps({k: str(v) for k, v in rule.percentages.items()})
            if rule.method == "fixed"
            else None
        ),
    }
    with engine.begin() as conn:
        rule_id = conn.execute(statement("allocation_rule_save"), params).scalar_one()
        detail = {"rule": params["name"], "tag_key": rule.tag_key, "method": rule.method}
        _audit(conn, actor, "allocation_rule_saved", detail)
    return rule_id


def delete_rule(engine: sa.Engine, rule_id: int, actor: str | None = None) -> bool:
    """Delete and audit in one transaction; False when the rule was gone already."""
    with engine.begin() as conn:
        gone = conn.execute(statement("allocation_rule_delete"), {"rule_id": rule_id}).first()
        if gone is not None:
            detail = {"rule": gone.name, "tag_key": gone.tag_key}
            _audit(conn, actor, "allocation_rule_deleted", detail)
    return gone is not None


def _audit(conn: sa.Connection, actor: str | None, action: str, detail: dict) -> None:
    conn.execute(
        statement("audit_insert"),
        {"username": actor, "action": action, "detail": json.dumps(detail, default=str)},
    )


def showback(
    engine: sa.Engine,
    cost: CostFilter,
    tag_key: str,
    rule: AllocationRule | None = None,
    metric: str = "billed_cost",
) -> pd.DataFrame:
    """One row per tag value (None = untagged): before, allocated, after, exact Decimals."""
    params = cost.params() | {
        "tag_key": tag_key,
        "allocate": rule is not None,
        "pool_value": rule.pool_value if rule else None,
        "method": rule.method if rule else "even",
        "percentages": (
            json.dumps({k: str(v) for k, v in rule.percentages.items()})
            if rule and rule.method == "fixed"
            else None
        ),
    }
    query = composed("showback_allocate", metric=metric_column(metric))
    with engine.connect() as conn:
        result = conn.execute(query, params)
        df = pd.DataFrame(result.fetchall(), columns=["value", "before", "allocated"], dtype=object)
    df["after"] = df["before"] + df["allocated"]
    return df
