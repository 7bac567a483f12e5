"""Export CSV is opened as string columns one way (Container.csv_strings), by the reader and by
the Azure dataset peek alike. Database-free: these read files only.

The Azure peek once had its own copy, which turned a quoted "" into NULL and read every file as
comma-separated UTF-8 whatever its container; these tests hold the one helper to the reader's
rules and the peek to the file's container."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from ingestion.formats import open_export
from ingestion.formats.containers import detect

HEADER = [
    "SubscriptionId",
    "SubscriptionName",
    "MeterCategory",
    "Date",
    "CostInBillingCurrency",
    "ChargeType",
    "PricingModel",
    "ResourceId",
]
# SubscriptionName: a quoted empty string, an unquoted empty cell, the NULL token, a name.
ROWS = [
    's1,"",Virtual Machines,2024-05-01,1.00,Usage,OnDemand,',
    "s2,,Virtual Machines,2024-05-01,2.00,Usage,OnDemand,",
    "s3,NULL,Virtual Machines,2024-05-01,3.00,Usage,OnDemand,",
    's4,"Prod, EU",Storage,2024-05-02,4.00,Usage,OnDemand,/subscriptions/s4/disks/d1',
]


def _azure_csv(path: Path) -> Path:
    path.write_text(",".join(HEADER) + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def test_quoted_empty_string_stays_a_string(tmp_path: Path) -> None:
    path = _azure_csv(tmp_path / "costs.csv")
    container, _ = detect(path)
    reader = container.csv_strings(path, ["SubscriptionName", "ResourceId", "Missing"], 1 << 20)
    table = reader.read_all()
    assert table.column("SubscriptionName").to_pylist() == ["", None, None, "Prod, EU"]
    assert table.column("ResourceId").to_pylist() == [
        None,
        None,
        None,
        "/subscriptions/s4/disks/d1",
    ]
    assert table.column("Missing").to_pylist() == [None] * 4  # named but absent: NULL
    assert {f.type for f in table.schema} == {pa.string()}


def test_azure_rows_keep_the_quoted_empty_string(tmp_path: Path) -> None:
    export = open_export(_azure_csv(tmp_path / "costs.csv"))
    assert export.fmt.name == "Azure cost details (actual)"
    batch = next(export.batches()).data
    assert batch.column("sub_account_name").to_pylist() == ["", None, None, "Prod, EU"]
    assert batch.column("sub_account_id").to_pylist() == ["s1", "s2", "s3", "s4"]


AMORTIZED_HEADER = "SubscriptionId,MeterCategory,Date,CostInBillingCurrency,ChargeType,PricingModel"
AMORTIZED_ROW = "s1,Virtual Machines,2024-05-01,3.00,UnusedReservation,Reservation"


def _zipped(path: Path, text: str) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export.csv", text)


@pytest.mark.parametrize(
    ("name", "write", "container"),
    [
        ("export.zip", lambda p, t: _zipped(p, t), "CSV (ZIP member export.csv)"),
        ("export.csv", lambda p, t: p.write_text(t, encoding="utf-16"), "CSV (UTF-16)"),
        (
            "export.tsv",
            lambda p, t: p.write_text(t.replace(",", "\t"), encoding="utf-8"),
            "CSV (tab-separated)",
        ),
    ],
    ids=["zip", "utf-16", "tab"],
)
def test_dataset_peek_reads_the_files_container(
    tmp_path: Path, name: str, write: Callable[[Path, str], object], container: str
) -> None:
    """An UnusedReservation row exists only in amortized data: its rows say so, whatever holds
    them (the name says nothing, and alone would give "actual")."""
    path = tmp_path / name
    write(path, f"{AMORTIZED_HEADER}\n{AMORTIZED_ROW}\n")
    export = open_export(path)
    assert (export.container, export.dataset) == (container, "amortized")
