"""Showback's page logic without a page: the totals it shows and the rule its form describes."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ui.showback import UNTAGGED_LABEL, default_tag_key, labelled, rule_from_form, totals


def shares(rows: list[tuple[object, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["value", "percent"])


def test_totals_and_the_untagged_bucket() -> None:
    result = pd.DataFrame(
        {
            "value": ["web", None, "data"],
            "before": [Decimal("60.10"), Decimal("30.00"), Decimal("9.90")],
            "allocated": [Decimal("15"), Decimal("-30"), Decimal("15")],
            "after": [Decimal("75.10"), Decimal("0"), Decimal("24.90")],
        }
    )
    sums = totals(result)
    assert (sums.before, sums.untagged, sums.allocated, sums.after) == (
        Decimal("100.00"),
        Decimal("30.00"),
        Decimal("0"),
        Decimal("100.00"),
    )
    assert sums.tagged_share == Decimal("0.7")
    assert list(labelled(result)["value"]) == ["web", UNTAGGED_LABEL, "data"]


def test_no_cost_has_no_tagged_share() -> None:
    empty = pd.DataFrame({"value": [], "before": [], "allocated": [], "after": []})
    assert totals(empty).tagged_share is None


def test_fixed_rule_from_the_form() -> None:
    rule, problems = rule_from_form(
        "shared", "team", "fixed", "platform", shares([("web", 60.0), ("data", 40.0), ("", 5.0)])
    )
    assert problems == []
    assert (rule.name, rule.tag_key, rule.method, rule.pool_value) == (
        "shared",
        "team",
        "fixed",
        "platform",
    )
    assert rule.percentages == {"web": Decimal("60.0"), "data": Decimal("40.0")}


def test_untagged_pool_and_even_split_ignore_the_shares() -> None:
    rule, problems = rule_from_form(
        "spread", "team", "even", UNTAGGED_LABEL, shares([("web", 60.0)])
    )
    assert problems == [] and rule.pool_value is None and rule.percentages == {}


def test_what_to_fix_is_said() -> None:
    _, problems = rule_from_form(" ", "team", "fixed", UNTAGGED_LABEL, shares([("web", 60.0)]))
    assert problems == ["Give the rule a name."]  # the fields first, then the split as a whole
    _, problems = rule_from_form("web", "team", "fixed", UNTAGGED_LABEL, shares([("web", 60.0)]))
    assert problems == ["Percentages add up to 60.0%, not 100%."]


def test_default_tag_keys() -> None:
    assert default_tag_key(["app", "cost-center", "env"]) == "cost-center"
    assert default_tag_key(["env", "owner"]) == "env"
