"""What the pages show, shaped from the service layer's results: tables (filter, sort, page), the dossier's
reasons and its one timeline across the five bureaus."""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlencode

from phaseout_coordinator.adapters.exports import Column
from phaseout_coordinator.dashboard.rendering import BUREAU_ZH, action_zh, state_zh
from phaseout_coordinator.service_layer.publications import industry_zh
from phaseout_kit.registry import BUREAUS, DIMENSION_ZH

PAGE_SIZE = 20
LIST_ORDER = (
    "red",
    "not_exited_on_time",
    "seriously_over_standard",
    "over_standard",
    "yellow",
    "annual_exit",
)


# ---- tables -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableView:
    """One page of a filtered, sorted table, and the links that change its sort or page."""

    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    sort: str | None
    desc: bool
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    badges: Mapping[str, str] = field(default_factory=dict)  # column key -> row key holding its status

    def url(self, **changes: Any) -> str:
        params = {k: v for k, v in {**self.query, **changes}.items() if v not in (None, "")}
        return f"{self.path}?{urlencode(params)}" if params else self.path

    def sort_url(self, key: str) -> str:
        desc = "1" if self.sort == key and not self.desc else ""
        return self.url(sort=key, desc=desc, page="")

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


def _sort_key(key: str) -> Any:
    def value(row: Mapping[str, Any]) -> tuple[int, Any]:
        v = row.get(key)
        if v is None or v == "":
            return (1, "")
        return (0, v if isinstance(v, int | float) else str(v))

    return value


def matches(row: Mapping[str, Any], filters: Mapping[str, str | None], text: str | None) -> bool:
    if any(value and str(row.get(key) or "") != value for key, value in filters.items()):
        return False
    needle = (text or "").strip().lower()
    return not needle or needle in f"{row.get('name', '')} {row.get('uscc', '')}".lower()


def table_view(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    *,
    path: str,
    query: Mapping[str, str],
    badges: Mapping[str, str] | None = None,
) -> TableView:
    """Sort by ``query['sort']`` (``desc=1`` reverses) and cut the page ``query['page']``."""
    items = list(rows)
    keys = {c.key for c in columns}
    sort = query.get("sort") if query.get("sort") in keys else None
    desc = query.get("desc") == "1"
    if sort:
        present = [r for r in items if r.get(sort) not in (None, "")]
        missing = [r for r in items if r.get(sort) in (None, "")]
        items = sorted(present, key=_sort_key(sort), reverse=desc) + missing
    pages = max(1, math.ceil(len(items) / PAGE_SIZE))
    page = min(max(1, _int(query.get("page"), 1)), pages)
    return TableView(
        columns,
        items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        len(items),
        page,
        pages,
        sort,
        desc,
        path,
        {k: v for k, v in query.items() if v},
        badges or {},
    )


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def options(
    rows: Iterable[Mapping[str, Any]], key: str, label_key: str | None = None
) -> list[tuple[str, str]]:
    """The distinct values of a column, for a filter's ``<select>``."""
    found = {str(r[key]): str(r.get(label_key or key) or r[key]) for r in rows if r.get(key)}
    return sorted(found.items(), key=lambda kv: kv[1])


# ---- labels -------------------------------------------------------------------------------------------------


@cache
def finding_types_zh() -> dict[str, str]:
    """The bureaus' finding-type names (their specs ship in the same distribution; codes if one is absent)."""
    names: dict[str, str] = {}
    for bureau in BUREAUS:
        try:
            spec = importlib.import_module(f"phaseout_{bureau}.domain").SPEC
        except (ImportError, AttributeError):
            continue
        names |= dict(spec.finding_types)
    return names


def finding_type_zh(code: str | None) -> str:
    return finding_types_zh().get(code or "", code or "")


# ---- the dossier --------------------------------------------------------------------------------------------


def current_reasons(dossier: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lists the enterprise is on today, the most serious first: the answer to "why is it red"."""
    order = {code: i for i, code in enumerate(LIST_ORDER)}
    entries = sorted(dossier.get("lists_now", []), key=lambda e: order.get(e["list_code"], len(order)))
    return [
        {
            **e,
            "since": e["interval"]["start"],
            "dimension_zh": DIMENSION_ZH.get(e.get("dimension") or "", ""),
        }
        for e in entries
    ]


def _line_text(line: Mapping[str, Any] | None) -> str:
    if not line:
        return ""
    capacity = line.get("capacity") or {}
    amount = f"{capacity.get('value', '')} {capacity.get('unit', '')}".strip() if capacity else ""
    return "，".join(p for p in (line.get("name"), line.get("equipment"), amount) if p)


def timeline_item(event: Mapping[str, Any]) -> dict[str, Any]:
    """One event in words: what happened, by whom, with what note, deadline or legal basis."""
    data = event.get("data") or {}
    details = data.get("details") or {}
    recorded = event["type"].endswith("finding.recorded")
    title = (
        f"认定：{finding_type_zh(data.get('finding_type'))}" if recorded else action_zh(data.get("action"))
    )
    facts = [
        ("情况", details.get("description") or details.get("note")),
        ("依据", data.get("legal_basis")),
        ("生产线/设备", _line_text(data.get("production_line")) if recorded else None),
        (
            "状态",
            f"{state_zh(data['from_state'])} → {state_zh(data['to_state'])}"
            if data.get("to_state")
            else None,
        ),
        ("整改期限", data.get("deadline") if not recorded else None),
        ("文号", details.get("document_no")),
    ]
    return {
        "anchor": f"ev-{event['event_id']}",
        "on": event.get("on") or "",
        "bureau": event["bureau"],
        "bureau_zh": BUREAU_ZH.get(event["bureau"], event["bureau"]),
        "dimension_zh": DIMENSION_ZH.get(event["bureau"], event["bureau"]),
        "title": title or event["type"].rsplit(".", 1)[-1],
        "finding": recorded,
        "facts": [(k, v) for k, v in facts if v],
        "recorded_by": data.get("recorded_by") or data.get("inspector"),
        "inspector": data.get("inspector"),
    }


def event_links(event_ids: Iterable[str], timeline: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    by_anchor = {t["anchor"]: t for t in timeline}
    links = []
    for event_id in event_ids:
        item = by_anchor.get(f"ev-{event_id}")
        if item:
            links.append({"anchor": item["anchor"], "text": f"{item['on']} {item['title']}"})
    return links


def dossier_view(dossier: dict[str, Any]) -> dict[str, Any]:
    timeline = [timeline_item(e) for e in dossier["timeline"]]
    dimensions = [
        {
            "code": code,
            "name_zh": DIMENSION_ZH[code],
            **value,
            "events": event_links((value.get("explanation") or {}).get("event_ids", []), timeline),
        }
        for code, value in dossier["status"]["dimensions"].items()
    ]
    cases = [{**c, "finding_type_zh": finding_type_zh(c.get("finding_type"))} for c in dossier["cases"]]
    return {
        **dossier,
        "industry_zh": industry_zh(dossier.get("industry")),
        "reasons": current_reasons(dossier),
        "dimensions": dimensions,
        "cases": cases,
        "timeline_items": timeline,
        "bureaus_in_timeline": sorted({t["bureau"] for t in timeline}),
    }


def case_rows(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **c,
            "bureau_zh": BUREAU_ZH.get(c["bureau"], c["bureau"]),
            "finding_type_zh": finding_type_zh(c.get("finding_type")),
            "state_zh": c.get("state_zh") or state_zh(c.get("state")),
        }
        for c in items
    ]


def overdue_by_department(overdue: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Late annual summaries per member unit (whom the office circulates a notice to or summons)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for item in overdue:
        groups.setdefault(item["department_zh"], []).append(item)
    return [
        {
            "department_zh": dept,
            "tasks_zh": "、".join(f"{i['task_number']}.{i['task_title_zh']}" for i in items),
            "due": items[0]["due"],
            "submitted": any(i["submitted_on"] for i in items),
            "days_overdue": max(i["days_overdue"] for i in items),
        }
        for dept, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
