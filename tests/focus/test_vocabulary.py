"""The FOCUS vocabularies: ISO 4217 as babel (CLDR) knows it, the service category table."""

from __future__ import annotations

import pytest

from focus.vocabulary import ISO_4217, SERVICE_CATEGORIES, SUBCATEGORIES, SUBCATEGORY_PARENT


@pytest.mark.parametrize(
    "code",
    ["USD", "EUR", "JPY", "GBP", "INR", "CHF", "SLE", "ZWG", "XCG", "HRK", "STD", "SVC", "VED"],
    ids=str,
)
def test_currencies_bills_use_are_iso_4217(code: str) -> None:
    """Current codes, the newest (SLE 2022, ZWG 2024, XCG 2025) and withdrawn ones old bills
    still carry (HRK 2023, STD 2018); SVC is still on ISO's list; VED is added by hand."""
    assert code in ISO_4217


@pytest.mark.parametrize(
    "code",
    ["XXX", "XTS", "XAU", "XDR", "CHE", "USN", "CNH", "MC", "usd", "USDX", "US$"],
    ids=str,
)
def test_codes_no_bill_is_in_are_not(code: str) -> None:
    """No currency, test, gold, SDR, funds, CLDR's offshore yuan, made-up and lower-case codes."""
    assert code not in ISO_4217


def test_service_categories_are_the_specs_19_with_their_subcategories() -> None:
    assert len(SERVICE_CATEGORIES) == 19
    assert SERVICE_CATEGORIES[0] == "AI and Machine Learning" and SERVICE_CATEGORIES[-1] == "Other"
    assert SUBCATEGORIES["Identity"] == ("Identity and Access Management",)
    assert SUBCATEGORY_PARENT["Virtual Machines"] == "Compute"
    assert SUBCATEGORY_PARENT["Other (Mobile)"] == "Mobile"
    assert sum(map(len, SUBCATEGORIES.values())) + 19 == len(SUBCATEGORY_PARENT) == 61 + 19
