"""The coordinator's clock: dates are the district's (Asia/Shanghai). Injectable, so tests and the demo can
move time past a deadline; production always follows the real date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DISTRICT_TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, fixed: date | None = None) -> None:
        self._fixed = fixed

    def today(self) -> date:
        return self._fixed or datetime.now(DISTRICT_TZ).date()

    @property
    def is_fixed(self) -> bool:
        return self._fixed is not None

    def set(self, day: date | None) -> None:
        self._fixed = day
