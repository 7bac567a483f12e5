"""Showback for the page: the tag key it opens on, the totals before and after allocation, and a
new allocation rule read from the page's form (db.showback allocates, stores and checks rules)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd

from db.showback import METHODS as METHODS  # method -> how it reads: the picker and rule text
from db.showback import AllocationRule, RuleError

UNTAGGED_LABEL = "(untagged)"
# Tag keys teams are usually charged by, most likely first: the page opens on the first held.
PREFERRED_KEYS = ("team", "cost-center", "app", "application")


def default_tag_key(keys: list[str]) -> str:
    return next((k for k in PREFERRED_KEYS if k in keys), keys[0])


@dataclass(frozen=True)
class Totals:
    before: Decimal  # the bill: allocation moves cost between values, never adds or removes
    untagged: Decimal  # cost without the tag key, before allocation
    allocated: Decimal
    after: Decimal

    @property
    def tagged_share(self) -> Decimal | None:
        """Share (0..1) of cost carrying the tag key; None when there is no cost."""
        return 1 - self.untagged / self.before if self.before else None


def totals(result: pd.DataFrame) -> Totals:
    """Sums of db.showback's result (value, before, allocated, after), exact Decimals; the
    untagged bucket is the row whose value is None."""
    return Totals(
        before=sum(result["before"], Decimal(0)),
        untagged=sum(result.loc[result["value"].isna(), "before"], Decimal(0)),
        allocated=sum(result["allocated"], Decimal(0)),
        after=sum(result["after"], Decimal(0)),
    )


def labelled(result: pd.DataFrame) -> pd.DataFrame:
    """The result as shown: the untagged bucket (no value: None, or NaN in a string column)
    named UNTAGGED_LABEL."""
    return result.assign(value=[UNTAGGED_LABEL if pd.isna(v) else v for v in result["value"]])


def rule_from_form(
    name: str, tag_key: str, method: str, pool: str, shares: pd.DataFrame
) -> tuple[AllocationRule | None, list[str]]:
    """The rule the form describes, and what a person must fix before it can be saved (empty
    when none). `pool` is a tag value or UNTAGGED_LABEL; `shares` has value and percent columns
    and counts only for fixed percentages (rows without a value or a percent are ignored)."""
    try:
        percentages = (
            {
                str(row.value): Decimal(str(row.percent))
                for row in shares.itertuples()
                if row.value and row.percent
            }
            if method == "fixed"
            else {}
        )
    except InvalidOperation:
        percentages = {}
    try:
        rule = AllocationRule(
            name=name,
            tag_key=tag_key,
            method=method,
            pool_value=None if pool == UNTAGGED_LABEL else pool,
            percentages=percentages,
        )
    except RuleError as exc:  # the rule's own words on what to fix
        return None, [str(exc)]
    return rule, []
