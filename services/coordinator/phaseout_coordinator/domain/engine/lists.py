"""The lists read off a case's timeline: cards, the annual exit list, emitter lists, not exited on time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from phaseout_bureau.domain.cases import CaseState
from phaseout_bureau.results import EmitterClassification
from phaseout_coordinator.domain.engine.common import (
    EXIT_WAY_ZH,
    ONE_DAY,
    basis_verified,
    card_rule,
    explain,
    finding_label,
    list_rule,
    rule_lists,
)
from phaseout_coordinator.domain.engine.timeline import Span, Track, exit_way, merged_spans, summary_tail
from phaseout_coordinator.domain.model import (
    Interval,
    ListEntry,
    Status,
)
from phaseout_policy import (
    PolicyBook,
    add_months,
)

# ---- lists ---------------------------------------------------------------------------------------------------


def case_lists(track: Track, policy: PolicyBook) -> list[ListEntry]:
    f, entries = track.finding, []
    for span in merged_spans(track.spans):
        interval = Interval(span.start, span.end)
        if span.status is Status.YELLOW:
            entries.append(ListEntry("yellow", f.bureau, f.case_id, interval, span.explanation))
        elif span.status is Status.RED:
            details = {"reason": span.reason}
            entries.append(ListEntry("red", f.bureau, f.case_id, interval, span.explanation, details))
        elif span.status is Status.EXITED and span.reason == "exited":
            entries += _exit_entries(track, span, policy)
    return entries + _emitter_entries(track, policy) + _not_exited_entries(track, policy)


def one_card_per_dimension(entries: Sequence[ListEntry], policy: PolicyBook) -> list[ListEntry]:
    """An enterprise holds at most one of 黄牌/红牌 per dimension on a day (local rule one_card_per_dimension,
    reading 四、(三)): while any case of a dimension is red, the yellow entries of that dimension's other cases
    give way. A red listing whose reason the rule names (the closure listed until the year's end, ``closed``)
    records an exit, not an open case: it does not displace the yellow card of a case still open."""
    reds: dict[str | None, list[Interval]] = {}
    for e in entries:
        if e.list_code == "red" and not rule_lists(
            policy,
            "one_card_per_dimension",
            e.interval.start,
            "red_reasons_not_displacing_yellow",
            e.details.get("reason", ""),
        ):
            reds.setdefault(e.dimension, []).append(e.interval)
    out: list[ListEntry] = []
    for e in entries:
        if e.list_code != "yellow" or e.dimension not in reds:
            out.append(e)
            continue
        out += [replace(e, interval=piece) for piece in _without(e.interval, reds[e.dimension])]
    return out


def _without(interval: Interval, holes: Sequence[Interval]) -> list[Interval]:
    pieces = [interval]
    for hole in holes:
        cut: list[Interval] = []
        for p in pieces:
            if (p.end is not None and p.end <= hole.start) or (hole.end is not None and hole.end <= p.start):
                cut.append(p)  # no overlap
                continue
            if p.start < hole.start:
                cut.append(Interval(p.start, hole.start))
            if hole.end is not None and (p.end is None or hole.end < p.end):
                cut.append(Interval(hole.end, p.end))
        pieces = cut
    return pieces


def _exit_entries(track: Track, span: Span, policy: PolicyBook) -> list[ListEntry]:
    f, step, exited_on = track.finding, track.exit_step(), span.start
    line, done, way = f.production_line or {}, step.details if step else {}, exit_way(step)
    details = {
        "year": exited_on.year,
        "exited_on": exited_on.isoformat(),
        "line": done.get("line_name") or line.get("name"),
        "equipment": line.get("equipment"),
        "capacity": done.get("capacity") or line.get("capacity"),
        "way": way,
        "way_zh": EXIT_WAY_ZH.get(way or ""),
        "ends_enterprise": rule_lists(
            policy, "enterprise_exit_ways", exited_on, "ends_enterprise", way or ""
        ),
    }
    rule = policy.coordinator_rule("red_list_after_exit", exited_on)
    closed = explain(
        f"{span.explanation.summary_zh}；已依法关闭，列入{exited_on.year}年红牌名单至当年年底",
        (card_rule(policy, "red"), rule),
        span.explanation.event_ids,
    )
    year_end = Interval(exited_on, date(exited_on.year + 1, 1, 1))
    return [
        ListEntry("annual_exit", f.bureau, f.case_id, Interval(exited_on), span.explanation, details),
        ListEntry("red", f.bureau, f.case_id, year_end, closed, {"reason": "closed"}),
    ]


def _emitter_entries(track: Track, policy: PolicyBook) -> list[ListEntry]:
    f = track.finding
    if not isinstance(f.result, EmitterClassification) or f.result.emitter_class == "none":
        return []
    code = f.result.emitter_class
    reasons = "、".join(f.result.emitter_class_reasons_zh)
    label = f.result.emitter_class_zh or code
    rules = (
        list_rule(policy, code),
        policy.emitter_class_rule(f.found_on) if code == "seriously_over_standard" else None,
        policy.coordinator_rule("emitter_list_period", f.found_on),
    )
    summary = f"{finding_label(f)}：{label}{f'（{reasons}）' if reasons else ''}"
    interval = Interval(f.found_on, track.resolved_on)
    return [ListEntry(code, f.bureau, f.case_id, interval, explain(summary, rules, (f.event_id,)))]


def _exit_required(spans: Sequence[Span]) -> list[tuple[Span, date | None, Span | None]]:
    """Stretches in which a case must exit: from its first red day until it is no longer red (waiting for a
    re-inspection does not interrupt it): (first red span, end, the span that ended it)."""
    out: list[tuple[Span, date | None, Span | None]] = []
    first: Span | None = None
    for span in spans:
        if span.status is Status.RED:
            first = first or span
        elif first is not None and not (span.status is Status.YELLOW and span.reason == CaseState.REPORTED):
            out.append((first, span.start, span))
            first = None
    return [*out, (first, None, None)] if first else out


def _not_exited_entries(track: Track, policy: PolicyBook) -> list[ListEntry]:
    f, entries = track.finding, []
    for first, end, ender in _exit_required(track.spans):
        rule = policy.coordinator_rule("exit_deadline", first.start)
        exit_deadline = add_months(first.start, rule.months or 0)
        if end is not None and end <= exit_deadline + ONE_DAY:
            continue
        summary = (
            f"{finding_label(f)}：{first.start}起须依法关停退出"
            f"（{summary_tail(first.explanation.summary_zh)}），退出期限{exit_deadline}已过，仍未完成退出"
        )
        explanation = explain(
            summary,
            (card_rule(policy, "not_exited_on_time"), rule, *first.explanation.basis),
            first.explanation.event_ids,
        )
        details = {
            "required_since": first.start.isoformat(),
            "exit_deadline": exit_deadline.isoformat(),
            "severity": f.severity,
            "ended_by": ender.status.value if ender else None,
            "basis_verified": basis_verified(f),
        }
        interval = Interval(exit_deadline + ONE_DAY, end)
        entries.append(ListEntry("not_exited_on_time", f.bureau, f.case_id, interval, explanation, details))
    return entries
