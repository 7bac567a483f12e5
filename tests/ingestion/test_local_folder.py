"""The local_folder connector on its own (no database): its settings model, its client seam (the
folder handed to the constructor), a state that keeps only files still in the folder, and a
registry that loads without `db`, `config` or `streamlit`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.sources.base import SourceConfigError, validate_settings
from ingestion.sources.local_folder import LocalFolder
from tests.conftest import ROOT


def drop(folder: Path, name: str, text: str = "BilledCost\n1\n") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def handed_over(connector: LocalFolder, state: dict[str, object]) -> dict[str, object]:
    """One sync's worth: list, then advance past every file listed."""
    for ref in connector.list_new(state):
        state = connector.advance(state, ref)
    return state


def test_state_keeps_only_files_still_in_the_folder(tmp_path: Path) -> None:
    connector = LocalFolder(tmp_path, settle_seconds=0)
    for name in ("2024-08.csv", "2024-09.csv", "sub/2024-10.csv"):
        drop(tmp_path, name)
    state = handed_over(connector, {})
    assert sorted(state) == [
        str(tmp_path / "2024-08.csv"),
        str(tmp_path / "2024-09.csv"),
        str(tmp_path / "sub/2024-10.csv"),
    ]

    (tmp_path / "2024-08.csv").unlink()  # archived away after loading
    (tmp_path / "sub/2024-10.csv").unlink()
    drop(tmp_path, "2024-11.csv")
    assert [r.name for r in connector.list_new(state)] == ["2024-11.csv"]
    state = handed_over(connector, state)
    assert sorted(state) == [str(tmp_path / "2024-09.csv"), str(tmp_path / "2024-11.csv")]


def test_advance_without_a_listing_asks_the_folder(tmp_path: Path) -> None:
    """A connector built afresh (another process) still drops files gone from the folder."""
    kept = drop(tmp_path, "kept.csv")
    state = {str(tmp_path / "gone.csv"): "1:1", str(kept): "1:2"}
    fresh = LocalFolder(tmp_path, settle_seconds=0)
    [ref] = LocalFolder(tmp_path, settle_seconds=0).list_new({})
    assert fresh.advance(state, ref) == {str(kept): ref.version}


def test_from_settings_validates_and_hands_the_folder_to_the_constructor(tmp_path: Path) -> None:
    connector = LocalFolder.from_settings({"path": str(tmp_path), "settle_seconds": "2.5"}, {})
    assert (connector.folder, connector.settle_seconds) == (tmp_path, 2.5)
    assert LocalFolder.from_settings({"path": str(tmp_path)}, {}).settle_seconds == 5
    with pytest.raises(SourceConfigError, match="settle_seconds='-1' is not usable"):
        LocalFolder.from_settings({"path": str(tmp_path), "settle_seconds": "-1"}, {})


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ({"path": "/srv/exports/"}, {"path": "/srv/exports"}),
        ({"path": " /srv/x ", "settle_seconds": "0"}, {"path": "/srv/x", "settle_seconds": "0"}),
        ({"path": "/srv/x", "settle_seconds": "30.0"}, {"path": "/srv/x", "settle_seconds": "30"}),
        ({"path": "/srv/x", "settle_seconds": " "}, {"path": "/srv/x"}),
    ],
    ids=["trailing-slash", "blanks-and-zero", "whole-seconds", "empty-is-unset"],
)
def test_settings_as_stored(given: dict[str, str], stored: dict[str, str]) -> None:
    assert validate_settings("local_folder", LocalFolder.settings_model, given).stored() == stored


def test_the_registry_and_connectors_load_without_db_config_or_streamlit() -> None:
    """In a fresh interpreter: what importing the registry (and so every connector) loads."""
    code = (
        "import sys, ingestion.sources.kinds; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split())
    assert "ingestion" in loaded and "pydantic" in loaded  # the check itself sees imports
    assert not {"db", "config", "streamlit", "sqlalchemy", "ui"} & loaded
