"""Decision events: what changed between two assessments of one enterprise, in date order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from phaseout_coordinator.domain.model import (
    DECISION_KINDS,
    Assessment,
    DecisionChange,
    Explanation,
    Interval,
)
from phaseout_kit.registry import unit_name

# ---- decision events -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Decision:
    kinds: tuple[str, str]  # the change kinds when it starts and when it ends
    uscc: str
    code: str
    case_id: str | None
    dimension: str | None
    interval: Interval
    explanation: Explanation
    details: dict[str, Any]


def _decisions(a: Assessment) -> dict[tuple[Any, ...], _Decision]:
    """Every decision of an assessment by its identity (what it is, for whom, since when)."""
    out: dict[tuple[Any, ...], _Decision] = {}
    for e in a.lists:
        key: tuple[Any, ...] = ("list", e.list_code, e.case_id, e.dimension, e.interval.start)
        kinds = ("list_entered", "list_left")
        out[key] = _Decision(
            kinds, a.uscc, e.list_code, e.case_id, e.dimension, e.interval, e.explanation, e.details
        )
    for m in a.measures:
        key = ("measure", m.measure_code, m.uscc, m.via_affiliate_of, m.interval.start)
        details: dict[str, Any] = {
            "title_zh": m.title_zh,
            "target_unit": m.target_unit,
            "target_department_zh": unit_name(m.target_unit),  # the addressee as named on the decision day
            "via_affiliate_of": m.via_affiliate_of,
            "earliest_lift_on": m.earliest_lift_on.isoformat() if m.earliest_lift_on else None,
        }
        kinds = ("measure_imposed", "measure_lifted")
        out[key] = _Decision(kinds, m.uscc, m.measure_code, None, None, m.interval, m.explanation, details)
    for p in a.prices:
        key = ("price", p.kind, p.category, p.case_id, p.interval.start)
        details = {
            "category": p.category,
            "surcharge_yuan_per_kwh": p.surcharge_yuan_per_kwh,
            "confidence": p.confidence,
        }
        kinds = ("price_instructed", "price_revoked")
        out[key] = _Decision(kinds, a.uscc, p.kind, p.case_id, None, p.interval, p.explanation, details)
    return out


def _why_ended(d: _Decision, day: date, after: Assessment) -> Explanation:
    """A list entry or price ends because its case moved on: the case's explanation from that day."""
    case = next((c for c in after.cases if c.case_id == d.case_id), None)
    span = next((s for s in case.timeline if s.interval.start == day), None) if case else None
    return span.explanation if span else d.explanation


def decision_diff(before: Assessment | None, after: Assessment) -> list[DecisionChange]:
    """What changed between two assessments of one enterprise (None: nothing published yet), in date order."""
    old, new = _decisions(before) if before else {}, _decisions(after)

    def change(kind: str, d: _Decision, on: date, explanation: Explanation, **extra: Any) -> DecisionChange:
        details = d.details | extra
        return DecisionChange(
            kind,
            d.uscc,
            d.code,
            d.case_id,
            d.dimension,
            d.interval.start,
            on,
            explanation,
            details,
            after.policy_version,
        )

    changes = []
    for key, d in new.items():
        prev = old.get(key)
        if prev is None:
            changes.append(change(d.kinds[0], d, d.interval.start, d.explanation))
        if d.interval.end is not None and (prev is None or prev.interval.end != d.interval.end):
            changes.append(change(d.kinds[1], d, d.interval.end, _why_ended(d, d.interval.end, after)))
        elif d.interval.end is None and prev is not None and prev.interval.end is not None:
            changes.append(change(d.kinds[0], d, prev.interval.end, d.explanation, reinstated=True))
    for key, d in old.items():
        if key not in new:  # withdrawn from its start: never due, or not yet due on an earlier platform date
            why = (
                f"平台日期调回{after.as_of}，该决定尚未生效，撤回"  # demo and test clocks only
                if d.interval.start > after.as_of
                else "据补录的事件撤销"  # a late event showed the decision was never due
            )
            withdrawn = Explanation(
                f"更正：{d.explanation.summary_zh}（{why}）", d.explanation.basis, d.explanation.event_ids
            )
            changes.append(change(d.kinds[1], d, d.interval.start, withdrawn, withdrawn=True))
    return sorted(
        changes,
        key=lambda c: (
            c.effective_on,
            DECISION_KINDS.index(c.kind),
            c.code,
            c.uscc,
            c.case_id or "",
            c.started_on,
        ),
    )
