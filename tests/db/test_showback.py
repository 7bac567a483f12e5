"""Showback: cost per tag value and allocation rules; the allocated total equals the bill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from db.queries import CostFilter
from db.showback import AllocationRule, RuleError, delete_rule, rules, save_rule, showback
from db.users import Scope
from ingestion.loader import load_file
from tests.focus_files import row, write_csv

SEPT = CostFilter(date(2024, 9, 1), date(2024, 9, 30), "USD", Scope())


@pytest.fixture
def tagged(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    rows = [
        row("2024-09-01", "100.00", tags='{"team": "web"}'),
        row("2024-09-02", "50.00", tags='{"team": "data"}'),
        row("2024-09-03", "0.01", tags='{"team": "ml"}'),
        row("2024-09-04", "33.333333", tags='{"team": "shared"}'),
        row("2024-09-05", "10.000001", tags=""),
        row("2024-09-06", "7.00", tags='{"env": "prod"}'),
    ]
    load_file(empty_db, write_csv(tmp_path / "t.csv", rows))
    return empty_db


def as_dict(df, column: str) -> dict:
    return dict(zip(df["value"], df[column], strict=True))


def test_without_a_rule_shows_values_and_the_untagged_bucket(tagged) -> None:
    df = showback(tagged, SEPT, "team")
    assert as_dict(df, "before") == {
        "web": Decimal("100.00"),
        "data": Decimal("50.00"),
        "shared": Decimal("33.333333"),
        "ml": Decimal("0.01"),
        None: Decimal("17.000001"),
    }
    assert (df["allocated"] == 0).all()


RULES = {
    "even-untagged": AllocationRule("r", "team", "even"),
    "proportional-untagged": AllocationRule("r", "team", "proportional"),
    "fixed-untagged": AllocationRule(
        "r", "team", "fixed", percentages={"web": Decimal(60), "data": Decimal(40)}
    ),
    "even-shared": AllocationRule("r", "team", "even", pool_value="shared"),
    "proportional-shared": AllocationRule("r", "team", "proportional", pool_value="shared"),
    "fixed-shared-new-value": AllocationRule(
        "r",
        "team",
        "fixed",
        pool_value="shared",
        percentages={"web": Decimal("33.3"), "data": Decimal("33.3"), "finance": Decimal("33.4")},
    ),
}


@pytest.mark.parametrize("name", list(RULES), ids=list(RULES))
def test_allocated_total_equals_unallocated_total(tagged, name: str) -> None:
    rule = RULES[name]
    df = showback(tagged, SEPT, "team", rule)
    total = Decimal("200.343334")
    assert df["before"].sum() == total
    assert df["after"].sum() == total  # exact, hence also to the cent
    pool = as_dict(df, "after")[rule.pool_value]
    assert pool == 0
    receivers = [v != rule.pool_value for v in df["value"]]
    assert (df.loc[receivers, "allocated"] >= 0).all()


def test_split_shapes(tagged) -> None:
    even = as_dict(showback(tagged, SEPT, "team", RULES["even-untagged"]), "allocated")
    assert even["web"] == even["data"] == even["ml"]
    proportional = as_dict(
        showback(tagged, SEPT, "team", RULES["proportional-untagged"]), "allocated"
    )
    assert proportional["web"] == pytest.approx(2 * proportional["data"], rel=Decimal("1e-12"))
    fixed = as_dict(showback(tagged, SEPT, "team", RULES["fixed-untagged"]), "allocated")
    assert fixed["web"] == Decimal("17.000001") * Decimal("0.6")
    assert fixed["ml"] == 0 and fixed["shared"] == 0
    new_value = as_dict(showback(tagged, SEPT, "team", RULES["fixed-shared-new-value"]), "after")
    assert new_value["finance"] > 0  # a value with no own spend can still receive a share
    assert new_value[None] == Decimal("17.000001")  # untagged is untouched by a shared-value rule


def test_rules_are_stored(tagged) -> None:
    rule_id = save_rule(tagged, RULES["fixed-untagged"])
    stored = rules(tagged)
    assert [(r.name, r.method, r.percentages) for r in stored] == [
        ("r", "fixed", {"web": Decimal(60), "data": Decimal(40)})
    ]
    delete_rule(tagged, rule_id)
    assert rules(tagged) == []


def test_a_rule_name_is_trimmed() -> None:
    assert AllocationRule("  spread  ", "team", "even").name == "spread"


BAD_RULES = {
    "no-name": (("  ", "team", "even"), "Give the rule a name."),
    "unknown-method": (("r", "team", "random"), "Unknown method 'random'."),
    "fixed-without-values": (("r", "team", "fixed"), "List at least one value with a percentage."),
    "fixed-not-whole": (
        ("r", "team", "fixed", None, {"web": Decimal(50)}),
        "Percentages add up to 50%, not 100%.",
    ),
    "negative": (
        ("r", "team", "fixed", None, {"web": Decimal(-10), "data": Decimal(110)}),
        "Percentages cannot be negative.",
    ),
    "pool-receives-and-not-whole": (
        ("r", "team", "fixed", "shared", {"shared": Decimal(40), "web": Decimal(50)}),
        "Percentages add up to 90%, not 100%. The shared value cannot receive a share of itself.",
    ),
    "not-a-number": (
        ("r", "team", "fixed", None, {"web": "lots"}),
        "The percentage for 'web' is not a number: 'lots'.",
    ),
    "no-name-and-unknown-method": (("", "team", "x"), "Give the rule a name. Unknown method 'x'."),
}


@pytest.mark.parametrize("name", list(BAD_RULES), ids=list(BAD_RULES))
def test_a_bad_rule_cannot_be_made(name: str) -> None:
    args, message = BAD_RULES[name]
    with pytest.raises(RuleError) as raised:
        AllocationRule(*args)
    assert str(raised.value) == message
