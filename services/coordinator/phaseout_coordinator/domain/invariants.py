"""What no published list may contain, whatever the rules said when its entries were decided: a check of the
projected entries, independent of the engine that produced them (a second opinion before a legal act)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from phaseout_kit.registry import DIMENSION_ZH


@dataclass(frozen=True)
class Entry:
    """One stay of an enterprise on a list as projected, with what its explanation cites."""

    uscc: str
    list_code: str
    dimension: str | None
    case_id: str | None
    start: date
    end: date | None
    cited: tuple[tuple[str | None, str | None], ...]  # (document, clause) of each basis
    events: int
    details: dict[str, Any] = field(default_factory=dict)

    def on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def _closed_on(entries: Iterable[Entry]) -> dict[str, date]:
    closed: dict[str, date] = {}
    for e in entries:
        if e.list_code == "annual_exit" and e.details.get("ends_enterprise") is True:
            closed[e.uscc] = min(closed.get(e.uscc, e.start), e.start)
    return closed


def _card(e: Entry) -> bool:
    """A 黄牌 or 红牌 of an open case (the red listing of a closure until the year's end records an exit)."""
    return e.list_code == "yellow" or (e.list_code == "red" and e.details.get("reason") != "closed")


def entry_problems(listed: Sequence[Entry], others: Sequence[Entry], day: date) -> list[str]:
    """Why the entries ``listed`` (those a publication would carry) may not be published as of ``day``;
    ``others`` are the same enterprises' entries on every list (for the checks across lists)."""
    problems = []
    everything = [*listed, *others]
    closed = _closed_on(everything)
    for e in listed:
        dim = DIMENSION_ZH.get(e.dimension or "", e.dimension or "")
        if not any(document and clause for document, clause in e.cited):
            problems.append(f"{e.uscc}：{dim}条目未注明所依据的文件和条款")
        if e.events < 1:
            problems.append(f"{e.uscc}：{dim}条目没有所依据的事件")
        if e.list_code == "annual_exit" and not e.details.get("way"):
            problems.append(f"{e.uscc}：退出条目未记录退出方式")
        if _card(e) and e.on(day):
            other = "red" if e.list_code == "yellow" else "yellow"
            if any(
                _card(o) and (o.uscc, o.dimension, o.list_code) == (e.uscc, e.dimension, other) and o.on(day)
                for o in everything
            ):
                problems.append(f"{e.uscc}：{dim}在{day}同时在黄牌和红牌名单上")
        if e.list_code == "yellow" and e.on(day) and e.uscc in closed and closed[e.uscc] <= day:
            problems.append(f"{e.uscc}：企业已于{closed[e.uscc]}依法关闭，仍在黄牌名单上")
    return sorted(set(problems))
