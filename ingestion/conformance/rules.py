"""The FOCUS conformance rules, read once from rules.json next to this module.

The rules are data so that adding or correcting one is an edit of the table, reviewed against the
spec file it names, not of the checker. Allowed values come from focus.vocabulary by name, so
the formats and the checker hold files to the same lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from focus import vocabulary

Severity = Literal["error", "warning"]
Check = Literal[
    "present",  # header: a mandatory column is in the file
    "recommended",  # header: a recommended column is in the file
    "column_id",  # header: FOCUS columns spelled exactly as the spec (PascalCase)
    "custom_prefix",  # header: other columns start with x_
    "not_null",
    "null",
    "decimal",  # NumericFormat: -12.5, 4, 35.2E-7; no +, $, commas or units
    "datetime",  # an ISO 8601 date/time
    "utc_form",  # exactly 'YYYY-MM-DDTHH:mm:ssZ'
    "string",
    "json",  # KeyValueFormat: a JSON object of scalar values
    "allowed",  # one of arg, ignoring case
    "allowed_case",  # one of arg, in the spec's casing
    "currency",  # an ISO 4217 code
    "non_negative",
    "before",  # earlier than column arg
    "within",  # inside [BillingPeriodStart, BillingPeriodEnd)
    "null_with",  # null exactly when column arg is null
    "excluded",  # not one of arg
    "parent",  # the ServiceCategory that arg maps this value to
]
HEADER_CHECKS = frozenset({"present", "recommended", "column_id", "custom_prefix"})


@dataclass(frozen=True)
class When:
    """A row condition: `column` is one of `values` (or, negated, is not, null included)."""

    column: str
    values: tuple[str, ...]
    negate: bool = False

    def __str__(self) -> str:
        verb = "is not" if self.negate else "is"
        return f"{self.column} {verb} {' or '.join(self.values)}"


@dataclass(frozen=True)
class Rule:
    column: str
    check: Check
    ref: str  # the spec file the rule is taken from
    arg: object = None
    severity: Severity = "error"
    since: str = "1.0"
    when: tuple[When, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.column}.{self.check}"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the rule reads; it applies only when all are in the file."""
        other = (self.arg,) if self.check in ("before", "null_with") else ()
        if self.check == "within":
            other = ("BillingPeriodStart", "BillingPeriodEnd")
        if self.check == "parent":
            other = ("ServiceCategory",)
        return (self.column, *other)

    def describe(self) -> str:
        text = _MESSAGES[self.check].format(arg=_shown(self.arg))
        return f"{text} when {' and '.join(map(str, self.when))}" if self.when else text


def _shown(arg: object) -> str:
    if isinstance(arg, tuple):
        return ", ".join(arg) if len(arg) <= 6 else f"{', '.join(arg[:5])}, … ({len(arg)} values)"
    return "" if arg is None or isinstance(arg, dict) else str(arg)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _values(check: str, values: str | list[str]) -> tuple[str, ...] | dict[str, str]:
    """A literal list, or a focus.vocabulary table by name (a mapping: its keys, but for the
    `parent` check, which needs the mapping itself)."""
    if isinstance(values, list):
        return tuple(values)
    table = getattr(vocabulary, values)
    return table if check == "parent" else tuple(table)


def _rule(entry: dict) -> Rule:
    check = entry["check"]
    if check not in _MESSAGES or check not in get_args(Check):
        raise ValueError(f"rules.json: unknown check {check!r} for {entry['column']}")
    arg = entry.get("other")
    if "values" in entry:
        arg = _values(check, entry["values"])
    when = tuple(
        When(c["column"], tuple(c.get("in", c.get("not_in", ()))), "not_in" in c)
        for c in entry.get("when", ())
    )
    return Rule(
        entry["column"],
        check,
        entry["ref"],
        arg,
        entry.get("severity", "error"),
        entry.get("since", "1.0"),
        when,
    )


_DATA = json.loads(Path(__file__).with_name("rules.json").read_text(encoding="utf-8"))
_MESSAGES: dict[str, str] = _DATA["messages"]
RULES: tuple[Rule, ...] = tuple(_rule(entry) for entry in _DATA["rules"])
