"""The one place that reads the time.

Two kinds of time, never mixed up:
- **Stamps** (``utcnow``): when something was recorded, always the real instant, stored in UTC and shown in the
  district's time zone.
- **The business date** (``DistrictClock.today``): the district's today (Asia/Shanghai), against which deadlines,
  lists and overdue cases are judged. The demo and the tests may fix it; production always follows the real
  date. In the embedded profile every service reads a fixed date from one shared file, so that one control
  (the coordinator's PUT /api/v1/clock, or the launcher) moves all six services together.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

DISTRICT_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The real instant, for stamps (recorded_at, published_at …)."""
    return datetime.now(UTC)


def district_date(stamp: datetime) -> date:
    """The district's calendar day of a stamp (a stamp at 2021-06-30 18:00 UTC is 2021-07-01 here)."""
    return stamp.astimezone(DISTRICT_TZ).date()


def real_today() -> date:
    """The district's real calendar day, whatever the business date says."""
    return datetime.now(DISTRICT_TZ).date()


class DistrictClock:
    """The business date: fixed (``fixed``, or the date in ``shared_file``), or else the district's real today."""

    def __init__(self, fixed: date | None = None, shared_file: Path | None = None) -> None:
        self._fixed = fixed
        self._file = shared_file
        self._seen: tuple[float, date | None] | None = None  # (mtime, date) of the shared file last read

    def today(self) -> date:
        return self._fixed_date() or real_today()

    def latest_today(self) -> date:
        """The latest day that is not in the future: the business date may run ahead of the real one (demo,
        replays) or behind it (a replay of the past), and a date is in the future only when it is after both."""
        return max(self.today(), real_today())

    @property
    def is_fixed(self) -> bool:
        return self._fixed_date() is not None

    def set(self, day: date | None) -> None:
        """Fix the business date (None: follow the real date); with a shared file, for every service."""
        self._fixed = day
        if self._file is not None:
            temporary = self._file.with_suffix(".tmp")
            temporary.write_text(json.dumps({"today": day.isoformat() if day else None}), encoding="utf-8")
            os.replace(temporary, self._file)  # atomic: a reader sees the old date or the new one
            self._seen = None

    def _fixed_date(self) -> date | None:
        if self._file is None:
            return self._fixed
        try:
            mtime = self._file.stat().st_mtime
        except FileNotFoundError:
            return self._fixed
        if self._seen is None or self._seen[0] != mtime:
            text = json.loads(self._file.read_text(encoding="utf-8")).get("today")
            self._seen = (mtime, date.fromisoformat(text) if text else None)
        return self._seen[1]
