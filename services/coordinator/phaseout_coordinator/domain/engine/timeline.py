"""One case as a timeline of statuses in business time (黄牌 while open, 红牌 after a missed deadline …)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from phaseout_bureau.domain.cases import DEADLINE_STATES, STATE_ZH, Action, CaseState
from phaseout_bureau.results import BelowBenchmarkResult
from phaseout_coordinator.domain.engine.common import (
    EXIT_WAY_ZH,
    ONE_DAY,
    RED_STATES,
    YELLOW_STATES,
    card_rule,
    explain,
    finding_label,
    list_rule,
    rectification_rule,
    rule_lists,
    unique,
)
from phaseout_coordinator.domain.model import (
    CaseStep,
    Explanation,
    Finding,
    Status,
)
from phaseout_kit.registry import DIMENSION_ZH
from phaseout_policy import (
    PolicyBook,
)

# ---- one case as a timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """A stretch of a case between two steps."""

    state: CaseState
    start: date
    end: date | None
    deadline: date | None
    extended: bool
    events: tuple[str, ...]


@dataclass(frozen=True)
class Span:
    status: Status
    reason: str  # yellow: the case state; red: overdue | noncompliant | closure | eliminated; else the status
    start: date
    end: date | None
    explanation: Explanation


@dataclass(frozen=True)
class Track:
    finding: Finding
    steps: tuple[CaseStep, ...]
    segments: tuple[_Segment, ...]
    spans: tuple[Span, ...]  # unmerged, in time order

    @property
    def resolved_on(self) -> date | None:
        """When the case stopped being a problem: re-inspection passed or capacity exited."""
        return next((s.start for s in self.spans if s.status in (Status.COMPLIANT, Status.EXITED)), None)

    def exit_step(self) -> CaseStep | None:
        return exit_step(self.steps)


# How a case exits when no closure was executed: sealing or dismantling the main equipment is itself the exit
# (方案二、(五)); the closure's own way otherwise (关闭、取缔、生产线停产退出、拆除设备).
_WAY_OF_STEP = {Action.EQUIPMENT_SEALED: "equipment_sealed", Action.EQUIPMENT_DISMANTLED: "equipment_removed"}


def exit_step(steps: Sequence[CaseStep]) -> CaseStep | None:
    """The step by which the case exited: the executed closure, or the sealing or dismantling that came first."""
    return next(
        (s for s in steps if s.to_state == CaseState.EXITED and s.from_state != CaseState.EXITED), None
    )


def exit_way(step: CaseStep | None) -> str | None:
    if step is None:
        return None
    if step.action == Action.CLOSURE_EXECUTED:
        way = step.details.get("way")
        return way if isinstance(way, str) else None
    return _WAY_OF_STEP.get(Action(step.action))


def _segments(finding: Finding, steps: Sequence[CaseStep], policy: PolicyBook) -> list[_Segment]:
    state, start, deadline, extended = CaseState.FOUND, finding.found_on, None, False
    events, out = [finding.event_id], []
    for step in steps:
        day = max(step.occurred_on, finding.found_on)
        target = CaseState(step.to_state)
        new_state = state if target is CaseState.CLOSED else target  # a closed case keeps its outcome
        new_deadline = step.deadline
        if new_deadline is None and step.action == Action.RECTIFICATION_ORDERED:
            result = policy.rectification_deadline(finding.bureau, day)  # type: ignore[arg-type]
            new_deadline = result.deadline if result and result.rule.months else None
        new_extended = extended or step.action == Action.EXTENSION_GRANTED
        # A step that changes nothing the timeline shows (结案, a further exit step, 停产) starts no new stretch:
        # the stretch keeps its first day, and its explanation the day it began (not a second "exit").
        if day > start and (new_state, new_deadline, new_extended) != (state, deadline, extended):
            out.append(_Segment(state, start, day, deadline, extended, tuple(events)))
            start = day
        state, deadline, extended = new_state, new_deadline, new_extended
        events.append(step.event_id)
    out.append(_Segment(state, start, None, deadline, extended, tuple(events)))
    return out


def _split(seg: _Segment, eliminated: bool) -> list[tuple[Status, str, date, date | None]]:
    """A segment's statuses: an open case is yellow, turning red on the day after a missed deadline."""
    if seg.state in YELLOW_STATES:
        if eliminated:
            return [(Status.RED, "eliminated", seg.start, seg.end)]
        red_from = seg.deadline + ONE_DAY if seg.deadline and seg.state in DEADLINE_STATES else None
        if red_from is None or (seg.end is not None and seg.end <= red_from):
            return [(Status.YELLOW, seg.state.value, seg.start, seg.end)]
        if seg.start >= red_from:
            return [(Status.RED, "overdue", seg.start, seg.end)]
        return [
            (Status.YELLOW, seg.state.value, seg.start, red_from),
            (Status.RED, "overdue", red_from, seg.end),
        ]
    if seg.state in RED_STATES:
        return [(Status.RED, RED_STATES[seg.state], seg.start, seg.end)]
    if seg.state is CaseState.EXITED:
        return [(Status.EXITED, "exited", seg.start, seg.end)]
    return [(Status.COMPLIANT, "compliant", seg.start, seg.end)]


def _span_explanation(
    f: Finding, seg: _Segment, reason: str, policy: PolicyBook, exit_step: CaseStep | None
) -> Explanation:
    dim = f.bureau
    rect = rectification_rule(policy, dim, f.found_on)
    ext = policy.extension_rule(dim) if seg.extended else None  # type: ignore[arg-type]
    red, exit_rule = card_rule(policy, "red"), card_rule(policy, "exit", dim)
    label = finding_label(f)
    deadline = f"整改期限{seg.deadline}{'（含批准的延期）' if seg.extended else ''}"
    if reason == "overdue":
        return explain(f"{label}：{deadline}已过，逾期未整改，依法关停退出", (rect, ext, red), seg.events)
    if reason == "noncompliant":
        return explain(f"{label}：复查不合格，经整改仍未达标，依法关停退出", (exit_rule, red), seg.events)
    if reason == "closure":
        return explain(f"{label}：{STATE_ZH[seg.state]}", (exit_rule, red), seg.events)
    if reason == "eliminated":
        local = policy.coordinator_rule("eliminated_equipment_findings", f.found_on)
        what = (
            "能效低于基准水平且逾期未完成改造，参照淘汰类管理"
            if isinstance(f.result, BelowBenchmarkResult)
            else "使用淘汰类落后生产工艺装备"
        )
        summary = f"{label}：{what}，不予整改，应立即断水断电、封存主体设备并限时拆除"
        return explain(summary, (rect, exit_rule, red, local), seg.events)
    if reason == "exited":
        way = exit_way(exit_step) or ""
        summary = f"{label}：{seg.start}执行关停退出（{EXIT_WAY_ZH.get(way, way) or '方式未记录'}）"
        return explain(summary, (exit_rule, list_rule(policy, "annual_exit")), seg.events)
    if reason == "compliant":
        return explain(f"{label}：复查合格，整改到位", (rect,), seg.events)
    running = f"，{deadline}" if seg.deadline and seg.state in DEADLINE_STATES else ""
    return explain(
        f"{label}：{STATE_ZH[seg.state]}{running}", (card_rule(policy, "yellow"), rect, ext), seg.events
    )


def build_track(finding: Finding, steps: tuple[CaseStep, ...], policy: PolicyBook) -> Track:
    segments = _segments(finding, steps, policy)
    eliminated = rule_lists(
        policy, "eliminated_equipment_findings", finding.found_on, finding.bureau, finding.finding_type
    )
    exited_by = exit_step(steps)
    spans = [
        Span(status, reason, start, end, _span_explanation(finding, seg, reason, policy, exited_by))
        for seg in segments
        for status, reason, start, end in _split(seg, eliminated)
    ]
    return Track(finding, steps, tuple(segments), tuple(spans))


def enterprise_exit(tracks: Sequence[Track], policy: PolicyBook) -> tuple[date, Track] | None:
    """The first day the enterprise itself exited (a closure executed in a way the local rule
    enterprise_exit_ways says ends the enterprise: 关闭, 取缔), and the case that did it."""
    exits = [
        (span.start, t)
        for t in tracks
        for span in t.spans
        if span.reason == "exited"
        and rule_lists(
            policy, "enterprise_exit_ways", span.start, "ends_enterprise", exit_way(t.exit_step()) or ""
        )
    ]
    return min(exits, key=lambda e: (e[0], e[1].finding.case_id), default=None)


def ended_with_the_enterprise(tracks: Sequence[Track], policy: PolicyBook) -> list[Track]:
    """Cases still open (黄牌 or 红牌) when their enterprise closes end that day as exited: an exited enterprise
    is on no list of a case that can no longer be rectified. It is no second exit: the closing case alone
    enters the annual exit list and the red list of closed enterprises (reason ``enterprise_exited``)."""
    found = enterprise_exit(tracks, policy)
    if found is None:
        return list(tracks)
    exit_on, by = found
    return [t if t is by else _ended(t, exit_on, by, policy) for t in tracks]


def _ended(track: Track, exit_on: date, by: Track, policy: PolicyBook) -> Track:
    spans = list(track.spans)
    at = next(
        (i for i, s in enumerate(spans) if s.start <= exit_on and (s.end is None or exit_on < s.end)), None
    )
    if at is None or spans[at].status not in (Status.YELLOW, Status.RED):
        return track
    f, closing = track.finding, by.exit_step()
    way = exit_way(closing) or ""
    summary = (
        f"{finding_label(f)}：企业已于{exit_on}依法{EXIT_WAY_ZH.get(way, way)}"
        f"（{DIMENSION_ZH.get(by.finding.bureau, by.finding.bureau)}案件），本案随之终结"
    )
    events = (*spans[at].explanation.event_ids, *((closing.event_id,) if closing else ()))
    ended = Span(
        Status.EXITED,
        "enterprise_exited",
        exit_on,
        None,
        explain(summary, (card_rule(policy, "exit", f.bureau), list_rule(policy, "annual_exit")), events),
    )
    kept = [*spans[:at], *([replace(spans[at], end=exit_on)] if spans[at].start < exit_on else [])]
    return replace(track, spans=(*kept, ended))


def summary_tail(summary: str) -> str:
    """A case summary without its "能耗（2020-07-01认定）：" label."""
    return summary.split("：", 1)[-1]


def merged_spans(spans: Sequence[Span]) -> list[Span]:
    """Consecutive spans of one status as one: why it started, where it stands now, all basis and events."""
    out: list[Span] = []
    for span in spans:
        if out and out[-1].status is span.status:
            first, prev, now = out[-1].explanation, out[-1], span.explanation
            head = first.summary_zh.split("；", 1)[0]
            summary = (
                head
                if summary_tail(head) == summary_tail(now.summary_zh)
                else f"{head}；{summary_tail(now.summary_zh)}"
            )
            basis, events = unique((*first.basis, *now.basis)), unique((*first.event_ids, *now.event_ids))
            out[-1] = replace(span, start=prev.start, explanation=Explanation(summary, basis, events))
        else:
            out.append(span)
    return out
