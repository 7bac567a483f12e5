"""Showback and chargeback: cost per tag value, and allocation rules for shared or untagged cost.

The split itself runs in SQL (db/sql/showback_allocate.sql) so the page, the CSV and any later
chargeback export compute one thing in one place.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Literal

import pandas as pd
import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from db.explore import metric_column
from db.queries import CostFilter
from db.sql import composed, statement

Method = Literal["even", "proportional", "fixed"]
METHODS: dict[Method, str] = {
    "even": "Split evenly",
    "proportional": "Proportional to tagged spend",
    "fixed": "Fixed percentages",
}
UNTAGGED = None  # the pool value that means "cost without this tag"


class RuleError(ValueError):
    """A rule a person asked for that cannot be saved; the message says what to fix."""


Percent = Annotated[Decimal, Field(ge=0)]


class AllocationRule(BaseModel):
    """How to spread one tag value's cost (None: the untagged cost) over the others. Checked when
    made, on the page and when read back: a rule that exists is one that can be saved."""

    model_config = ConfigDict(frozen=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    tag_key: str
    method: Method
    pool_value: str | None = UNTAGGED
    percentages: dict[str, Percent] = {}
    rule_id: int | None = None

    def __init__(
        self,
        name: str,
        tag_key: str,
        method: str,
        pool_value: str | None = UNTAGGED,
        percentages: dict[str, Decimal] | None = None,
        rule_id: int | None = None,
    ) -> None:
        fields = {"name": name, "tag_key": tag_key, "method": method, "pool_value": pool_value}
        try:
            super().__init__(**fields, percentages=percentages or {}, rule_id=rule_id)
        except ValidationError as exc:
            problems = dict.fromkeys(_rule_problem(e) for e in exc.errors())
            raise RuleError(" ".join(problems)) from None

    @model_validator(mode="after")
    def _fixed_split_is_whole(self) -> AllocationRule:
        if self.method != "fixed":
            return self
        problems = []
        total = sum(self.percentages.values(), Decimal(0))
        if not self.percentages:
            problems.append("List at least one value with a percentage.")
        elif total != 100:
            problems.append(f"Percentages add up to {total}%, not 100%.")
        if self.pool_value is not None and self.pool_value in self.percentages:
            problems.append("The shared value cannot receive a share of itself.")
        if problems:
            raise ValueError(" ".join(problems))
        return self


def _rule_problem(error: ErrorDetails) -> str:
    """The sentence a person reads for one of pydantic's findings."""
    field = error["loc"][0] if error["loc"] else None
    if field == "name":
        return "Give the rule a name."
    if field == "method":
        return f"Unknown method {error['input']!r}."
    if field == "percentages" and error["type"] == "greater_than_equal":
        return "Percentages cannot be negative."
    if field == "percentages" and len(error["loc"]) > 1:
        return f"The percentage for {error['loc'][1]!r} is not a number: {error['input']!r}."
    if error["type"] == "value_error":  # the model's own check, already in words
        return str(error["ctx"]["error"])
    return f"{field}: {error['msg']}."


def rules(engine: sa.Engine) -> list[AllocationRule]:
    with engine.connect() as conn:
        rows = conn.execute(statement("allocation_rules")).all()
    return [
        AllocationRule(
            name=r.name,
            tag_key=r.tag_key,
            method=r.method,
            pool_value=r.pool_value,
            percentages=r.percentages,
            rule_id=r.rule_id,
        )
        for r in rows
    ]


def save_rule(engine: sa.Engine, rule: AllocationRule, actor: str | None = None) -> int:
    """Save (insert or replace by name) and audit it in the same transaction: no change without
    its audit row, no audit row for a change that failed."""
    params = {
        "name": rule.name,
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
