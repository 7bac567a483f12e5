"""Docs stay true: every setting documented, the README's first commands are the two that matter."""

from __future__ import annotations

import re

import pytest

from config import VARIABLES
from tests.conftest import ROOT

pytestmark = pytest.mark.fast  # no database: `make test-fast`

README = (ROOT / "README.md").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()


def test_every_variable_is_documented() -> None:
    for name in VARIABLES:
        assert f"`{name}`" in README, f"{name} missing from README"
        assert f"{name}=" in ENV_EXAMPLE, f"{name} missing from .env.example"


def test_every_variable_the_code_reads_is_declared() -> None:
    read = set()
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "tests", "bench"} for part in path.relative_to(ROOT).parts):
            continue
        read |= set(re.findall(r"""environ(?:\.get)?\(\s*["']([A-Z_]+)["']""", path.read_text()))
        read |= set(re.findall(r"""_env\(\s*["']([A-Z_]+)["']""", path.read_text()))
    assert read <= set(VARIABLES)


def test_readme_starts_with_the_two_commands() -> None:
    commands = re.findall(r"^make \w+", README, flags=re.M)
    assert commands[:2] == ["make run", "make test"]
