"""The Overview's "Data freshness" table in AppTest: a status as plain text from each source's
expected delivery, and the day it has been stale since (issue #14: data eight years old was
"ok")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from db import sources as sources_db
from ingestion.loader import load_file
from tests.focus_files import row, write_csv


def test_statuses_follow_each_sources_delivery(app, empty_db: sa.Engine, tmp_path: Path) -> None:
    with empty_db.begin() as conn:
        conn.execute(sa.text("TRUNCATE app.source, app.sync_run CASCADE"))
    today = datetime.now(UTC).date()
    yesterday, five_days = today - timedelta(days=1), today - timedelta(days=5)
    eight_days = today - timedelta(days=8)
    files = {
        "old-sample": [row("2018-09-29", "1.00"), row("2018-09-30", "2.00")],
        "daily": [row(yesterday.isoformat(), "3.00")],
        "slow": [row(five_days.isoformat(), "4.00")],
        "weekly-drop": [row(eight_days.isoformat(), "5.00")],
    }
    for source, rows in files.items():
        result = load_file(empty_db, write_csv(tmp_path / f"{source}.csv", rows), source=source)
        assert result.status == "loaded", result.error
    # weekly-drop is a local folder synced weekly: eight days behind is on time for it (a week
    # and a day of grace) where a daily export would be late; never-loaded has no data yet.
    for name, schedule in (("weekly-drop", "0 6 * * 1"), ("never-loaded", "every 1d")):
        sources_db.add_source(
            empty_db,
            name=name,
            kind="local_folder",
            settings={"path": str(tmp_path)},
            schedule=schedule,
            credentials=None,
        )

    app.run()
    assert not app.exception
    fresh = next(df.value for df in app.dataframe if "stale_since" in df.value.columns)
    got = {r.source: (r.status, r.stale_since, r.last_charge_date) for r in fresh.itertuples()}

    def day(value: object) -> date | None:
        blank = value is None or value != value or value == ""  # the grid shows None as blank
        return None if blank else date.fromisoformat(str(value)[:10])

    got = {k: (s, day(since), day(through)) for k, (s, since, through) in got.items()}
    assert got == {
        "daily": ("on time", None, yesterday),
        "never-loaded": ("no data yet", None, None),
        "old-sample": ("stale since 2018-09-30", date(2018, 9, 30), date(2018, 9, 30)),
        "slow": ("late", five_days, five_days),
        "weekly-drop": ("on time", None, eight_days),
    }
    assert not any("ok" in s for s in fresh["status"])  # no "ok" nor an emoji: text only
