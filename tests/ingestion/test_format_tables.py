"""The formats' lookup tables are data (ingestion/formats/*.json); where they map a cloud's words
onto FOCUS's, the FOCUS side is held to focus.vocabulary. Database-free."""

from __future__ import annotations

import pytest

from focus.vocabulary import CHARGE_CATEGORIES, SERVICE_CATEGORIES
from ingestion.formats.tables import focus_groups, focus_mapping, load_tables


def test_a_table_mapping_onto_a_value_focus_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^t: not FOCUS values: Refund, Usages$"):
        focus_mapping({"usage": "Usages", "tax": "Tax", "refund": "Refund"}, CHARGE_CATEGORIES, "t")


def test_groups_become_native_to_focus() -> None:
    groups = {"Compute": ["Virtual Machines", "Functions"], "Storage": ["Backup"]}
    assert focus_groups(groups, SERVICE_CATEGORIES, "t") == {
        "Virtual Machines": "Compute",
        "Functions": "Compute",
        "Backup": "Storage",
    }
    with pytest.raises(ValueError, match="not FOCUS values: Disks"):
        focus_groups({"Disks": ["Managed Disks"]}, SERVICE_CATEGORIES, "t")


@pytest.mark.parametrize(
    ("fmt", "grouped", "mapped"),
    [
        ("aws_cur", "service_categories", None),
        ("azure", "meter_categories", "provider_categories"),
        ("gcp", "service_categories", None),
        ("oci", None, "service_categories"),
    ],
)
def test_every_service_category_a_format_names_is_focus(
    fmt: str, grouped: str | None, mapped: str | None
) -> None:
    """Read from the data file itself, so the check holds even for a table a format would read
    without focus_groups / focus_mapping: the spec's ServiceCategory values, spelled its way."""
    tables = load_tables(fmt)
    named = set(tables[grouped]) if grouped else set()
    named |= set(tables[mapped].values()) if mapped else set()
    assert named and named <= set(SERVICE_CATEGORIES)
