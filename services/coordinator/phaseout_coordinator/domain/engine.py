"""The policy engine (pure): one enterprise's facts, a date and the policy book → its decisions, explained.

Each case (a finding and the steps its bureau recorded) is replayed into a timeline of statuses in business
time: 黄牌 while it is open, 红牌 from the day after a missed deadline, after a failed re-inspection or a
closure proposal, 已退出 from the executed closure, 合规 from a passed re-inspection. Lists, joint-punishment
measures and electricity-price instructions are read off those timelines; each carries the rules (document,
clause) and the events it rests on. Where the plan is silent the engine follows the local operating rules of
``coordinator_rules.json`` and cites them.

Facts dated after ``as_of`` are ignored and intervals still running on ``as_of`` are shown open, so an
assessment is what the office could know that day; ``next_change_on`` is when the next one will differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, TypeVar

from phaseout_bureau.domain.cases import DEADLINE_STATES, OPEN_STATES, STATE_ZH, Action, CaseState
from phaseout_bureau.domain.findings import INDUSTRY_ZH
from phaseout_bureau.results import EmitterClassification, EnergyLimitResult, TieredPriceResult
from phaseout_coordinator.domain.model import (
    DECISION_KINDS,
    DIMENSIONS,
    STATUS_SEVERITY,
    STATUS_ZH,
    Assessment,
    Basis,
    CaseAssessment,
    CaseStep,
    DecisionChange,
    EnterpriseFacts,
    Explanation,
    Finding,
    Interval,
    ListEntry,
    MeasureDecision,
    PriceInstruction,
    Status,
    StatusInterval,
)
from phaseout_kit.registry import DIMENSION_ZH, short_name, unit_name
from phaseout_policy import (
    CardRule,
    CreditRuleResult,
    PolicyBook,
    PriceResult,
    RectificationRule,
    Rule,
    add_months,
)
from phaseout_policy.book import in_force

SEVERITIES = ("general", "serious", "grave")  # a finding's severity, mildest first
ELIMINATED = "淘汰类"  # the price category of eliminated capacity (差别电价)
EXIT_WAY_ZH = {
    "closed": "关闭",
    "banned": "取缔",
    "line_shut": "生产线停产退出",
    "equipment_removed": "拆除设备",
}
CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低"}
_YELLOW = OPEN_STATES - {CaseState.NONCOMPLIANT}  # open and not (yet) failed
_RED = {
    CaseState.NONCOMPLIANT: "noncompliant",
    CaseState.CLOSURE_PROPOSED: "closure",
    CaseState.CLOSURE_APPROVED: "closure",
}
_DAY = timedelta(days=1)
_D = TypeVar("_D", ListEntry, MeasureDecision, PriceInstruction)


# ---- small helpers -------------------------------------------------------------------------------------------


def _basis(rule: Rule) -> Basis:
    text = getattr(rule, "text_zh", None) or getattr(rule, "title_zh", None) or rule.id
    return Basis(rule.id, rule.document, rule.clause, text, rule.confidence, rule.source)


def _unique(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def _explain(summary: str, rules: Iterable[Rule | Basis | None], events: Iterable[str]) -> Explanation:
    basis = (r if isinstance(r, Basis) else _basis(r) for r in rules if r is not None)
    return Explanation(summary, _unique(basis), _unique(events))


def _later(a: date | None, b: date | None) -> date | None:
    """The later of two ends, None (open) being the latest."""
    return None if a is None or b is None else max(a, b)


def _card(policy: PolicyBook, card: str, dimension: str | None = None) -> CardRule:
    def lookup() -> CardRule:
        rules = [r for r in policy.card_rules() if r.card == card]
        exact = [r for r in rules if r.dimension == dimension]
        return (exact or [r for r in rules if r.dimension in ("general", None)])[0]

    return policy.memo(("card", card, dimension), lookup)


def _list_rule(policy: PolicyBook, code: str) -> Rule:
    definition = policy.list_definition(code)
    if definition is None:
        raise LookupError(f"no list {code!r} in the policy data")
    return definition


def _rectification_rule(policy: PolicyBook, dimension: str, on: date) -> RectificationRule:
    def lookup() -> RectificationRule:
        rules = [r for r in policy.plan.rectification if r.dimension == dimension]
        return in_force(rules, on) or min(rules, key=lambda r: r.order_key())

    return policy.memo(("rectification", dimension, on), lookup)


def _in(policy: PolicyBook, key: str, on: date, group: str, code: str) -> bool:
    """Whether the local rule `key` lists `code` under `group` (e.g. technology → equipment)."""
    return code in (policy.coordinator_rule(key, on).mapping or {}).get(group, [])


def _confidence_note(confidence: str) -> str:
    return "" if confidence == "high" else f"（参考数据置信度{CONFIDENCE_ZH[confidence]}，执行前须核对原文）"


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
class _Span:
    status: Status
    reason: str  # yellow: the case state; red: overdue | noncompliant | closure | eliminated; else the status
    start: date
    end: date | None
    explanation: Explanation


@dataclass(frozen=True)
class _Track:
    finding: Finding
    steps: tuple[CaseStep, ...]
    segments: tuple[_Segment, ...]
    spans: tuple[_Span, ...]  # unmerged, in time order

    @property
    def resolved_on(self) -> date | None:
        """When the case stopped being a problem: re-inspection passed or capacity exited."""
        return next((s.start for s in self.spans if s.status in (Status.COMPLIANT, Status.EXITED)), None)

    def exit_step(self) -> CaseStep | None:
        return next((s for s in self.steps if s.action == Action.CLOSURE_EXECUTED), None)


def _segments(finding: Finding, steps: Sequence[CaseStep], policy: PolicyBook) -> list[_Segment]:
    state, start, deadline, extended = CaseState.FOUND, finding.found_on, None, False
    events, out = [finding.event_id], []
    for step in steps:
        day = max(step.occurred_on, finding.found_on)
        if day > start:
            out.append(_Segment(state, start, day, deadline, extended, tuple(events)))
            start = day
        target = CaseState(step.to_state)
        state = state if target is CaseState.CLOSED else target  # a closed case keeps its outcome
        deadline = step.deadline
        if deadline is None and step.action == Action.RECTIFICATION_ORDERED:
            result = policy.rectification_deadline(finding.bureau, day)  # type: ignore[arg-type]
            deadline = result.deadline if result and result.rule.months else None
        extended = extended or step.action == Action.EXTENSION_GRANTED
        events.append(step.event_id)
    out.append(_Segment(state, start, None, deadline, extended, tuple(events)))
    return out


def _split(seg: _Segment, eliminated: bool) -> list[tuple[Status, str, date, date | None]]:
    """A segment's statuses: an open case is yellow, turning red on the day after a missed deadline."""
    if seg.state in _YELLOW:
        if eliminated:
            return [(Status.RED, "eliminated", seg.start, seg.end)]
        red_from = seg.deadline + _DAY if seg.deadline and seg.state in DEADLINE_STATES else None
        if red_from is None or (seg.end is not None and seg.end <= red_from):
            return [(Status.YELLOW, seg.state.value, seg.start, seg.end)]
        if seg.start >= red_from:
            return [(Status.RED, "overdue", seg.start, seg.end)]
        return [
            (Status.YELLOW, seg.state.value, seg.start, red_from),
            (Status.RED, "overdue", red_from, seg.end),
        ]
    if seg.state in _RED:
        return [(Status.RED, _RED[seg.state], seg.start, seg.end)]
    if seg.state is CaseState.EXITED:
        return [(Status.EXITED, "exited", seg.start, seg.end)]
    return [(Status.COMPLIANT, "compliant", seg.start, seg.end)]


def _span_explanation(
    f: Finding, seg: _Segment, reason: str, policy: PolicyBook, exit_step: CaseStep | None
) -> Explanation:
    dim = f.bureau
    rect = _rectification_rule(policy, dim, f.found_on)
    ext = policy.extension_rule(dim) if seg.extended else None  # type: ignore[arg-type]
    red, exit_rule = _card(policy, "red"), _card(policy, "exit", dim)
    label = f"{DIMENSION_ZH.get(dim, dim)}（{f.found_on}认定）"
    deadline = f"整改期限{seg.deadline}{'（含批准的延期）' if seg.extended else ''}"
    if reason == "overdue":
        return _explain(f"{label}：{deadline}已过，逾期未整改，依法关停退出", (rect, ext, red), seg.events)
    if reason == "noncompliant":
        return _explain(f"{label}：复查不合格，经整改仍未达标，依法关停退出", (exit_rule, red), seg.events)
    if reason == "closure":
        return _explain(f"{label}：{STATE_ZH[seg.state]}", (exit_rule, red), seg.events)
    if reason == "eliminated":
        local = policy.coordinator_rule("eliminated_equipment_findings", f.found_on)
        summary = f"{label}：使用淘汰类落后生产工艺装备，不予整改，应立即断水断电、封存主体设备并限时拆除"
        return _explain(summary, (rect, exit_rule, red, local), seg.events)
    if reason == "exited":
        way = (exit_step.details.get("way") if exit_step else None) or ""
        summary = f"{label}：{seg.start}执行关停退出（{EXIT_WAY_ZH.get(way, way) or '方式未记录'}）"
        return _explain(summary, (exit_rule, _list_rule(policy, "annual_exit")), seg.events)
    if reason == "compliant":
        return _explain(f"{label}：复查合格，整改到位", (rect,), seg.events)
    running = f"，{deadline}" if seg.deadline and seg.state in DEADLINE_STATES else ""
    return _explain(
        f"{label}：{STATE_ZH[seg.state]}{running}", (_card(policy, "yellow"), rect, ext), seg.events
    )


def _track(finding: Finding, steps: tuple[CaseStep, ...], policy: PolicyBook) -> _Track:
    segments = _segments(finding, steps, policy)
    eliminated = _in(
        policy, "eliminated_equipment_findings", finding.found_on, finding.bureau, finding.finding_type
    )
    exit_step = next((s for s in steps if s.action == Action.CLOSURE_EXECUTED), None)
    spans = [
        _Span(status, reason, start, end, _span_explanation(finding, seg, reason, policy, exit_step))
        for seg in segments
        for status, reason, start, end in _split(seg, eliminated)
    ]
    return _Track(finding, steps, tuple(segments), tuple(spans))


def _tail(summary: str) -> str:
    """A case summary without its "能耗（2020-07-01认定）：" label."""
    return summary.split("：", 1)[-1]


def _merged(spans: Sequence[_Span]) -> list[_Span]:
    """Consecutive spans of one status as one: why it started, where it stands now, all basis and events."""
    out: list[_Span] = []
    for span in spans:
        if out and out[-1].status is span.status:
            first, prev, now = out[-1].explanation, out[-1], span.explanation
            head = first.summary_zh.split("；", 1)[0]
            summary = head if _tail(head) == _tail(now.summary_zh) else f"{head}；{_tail(now.summary_zh)}"
            basis, events = _unique((*first.basis, *now.basis)), _unique((*first.event_ids, *now.event_ids))
            out[-1] = replace(span, start=prev.start, explanation=Explanation(summary, basis, events))
        else:
            out.append(span)
    return out


# ---- lists ---------------------------------------------------------------------------------------------------


def _case_lists(track: _Track, policy: PolicyBook) -> list[ListEntry]:
    f, entries = track.finding, []
    for span in _merged(track.spans):
        interval = Interval(span.start, span.end)
        if span.status is Status.YELLOW:
            entries.append(ListEntry("yellow", f.bureau, f.case_id, interval, span.explanation))
        elif span.status is Status.RED:
            details = {"reason": span.reason}
            entries.append(ListEntry("red", f.bureau, f.case_id, interval, span.explanation, details))
        elif span.status is Status.EXITED:
            entries += _exit_entries(track, span, policy)
    return entries + _emitter_entries(track, policy) + _not_exited_entries(track, policy)


def _exit_entries(track: _Track, span: _Span, policy: PolicyBook) -> list[ListEntry]:
    f, step, exited_on = track.finding, track.exit_step(), span.start
    line, done = f.production_line or {}, step.details if step else {}
    details = {
        "year": exited_on.year,
        "exited_on": exited_on.isoformat(),
        "line": done.get("line_name") or line.get("name"),
        "equipment": line.get("equipment"),
        "capacity": done.get("capacity") or line.get("capacity"),
        "way": done.get("way"),
        "way_zh": EXIT_WAY_ZH.get(done.get("way") or ""),
    }
    rule = policy.coordinator_rule("red_list_after_exit", exited_on)
    closed = _explain(
        f"{span.explanation.summary_zh}；已依法关闭，列入{exited_on.year}年红牌名单至当年年底",
        (_card(policy, "red"), rule),
        span.explanation.event_ids,
    )
    year_end = Interval(exited_on, date(exited_on.year + 1, 1, 1))
    return [
        ListEntry("annual_exit", f.bureau, f.case_id, Interval(exited_on), span.explanation, details),
        ListEntry("red", f.bureau, f.case_id, year_end, closed, {"reason": "closed"}),
    ]


def _emitter_entries(track: _Track, policy: PolicyBook) -> list[ListEntry]:
    f = track.finding
    if not isinstance(f.result, EmitterClassification) or f.result.emitter_class == "none":
        return []
    code = f.result.emitter_class
    reasons = "、".join(f.result.emitter_class_reasons_zh)
    label = f.result.emitter_class_zh or code
    rules = (
        _list_rule(policy, code),
        policy.emitter_class_rule(f.found_on) if code == "seriously_over_standard" else None,
        policy.coordinator_rule("emitter_list_period", f.found_on),
    )
    summary = f"环保（{f.found_on}认定）：{label}{f'（{reasons}）' if reasons else ''}"
    interval = Interval(f.found_on, track.resolved_on)
    return [ListEntry(code, f.bureau, f.case_id, interval, _explain(summary, rules, (f.event_id,)))]


def _exit_required(spans: Sequence[_Span]) -> list[tuple[_Span, date | None, _Span | None]]:
    """Stretches in which a case must exit: from its first red day until it is no longer red (waiting for a
    re-inspection does not interrupt it): (first red span, end, the span that ended it)."""
    out: list[tuple[_Span, date | None, _Span | None]] = []
    first: _Span | None = None
    for span in spans:
        if span.status is Status.RED:
            first = first or span
        elif first is not None and not (span.status is Status.YELLOW and span.reason == CaseState.REPORTED):
            out.append((first, span.start, span))
            first = None
    return [*out, (first, None, None)] if first else out


def _not_exited_entries(track: _Track, policy: PolicyBook) -> list[ListEntry]:
    f, entries = track.finding, []
    for first, end, ender in _exit_required(track.spans):
        rule = policy.coordinator_rule("exit_deadline", first.start)
        exit_deadline = add_months(first.start, rule.months or 0)
        if end is not None and end <= exit_deadline + _DAY:
            continue
        summary = (
            f"{DIMENSION_ZH.get(f.bureau, f.bureau)}（{f.found_on}认定）：{first.start}起须依法关停退出"
            f"（{_tail(first.explanation.summary_zh)}），退出期限{exit_deadline}已过，仍未完成退出"
        )
        explanation = _explain(
            summary,
            (_card(policy, "not_exited_on_time"), rule, *first.explanation.basis),
            first.explanation.event_ids,
        )
        details = {
            "required_since": first.start.isoformat(),
            "exit_deadline": exit_deadline.isoformat(),
            "severity": f.severity,
            "ended_by": ender.status.value if ender else None,
        }
        interval = Interval(exit_deadline + _DAY, end)
        entries.append(ListEntry("not_exited_on_time", f.bureau, f.case_id, interval, explanation, details))
    return entries


# ---- joint punishment ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    """One stretch of 未按期完成退出 of the enterprise (overlapping stretches of its cases joined)."""

    start: date
    end: date | None
    severity: str  # the worst finding severity behind it
    dimension: str
    ended_by: str | None  # exited | compliant
    events: tuple[str, ...]

    def joined(self, other: _Period) -> _Period:
        worse = SEVERITIES.index(other.severity) > SEVERITIES.index(self.severity)
        later = self.end is not None and (other.end is None or other.end > self.end)
        return _Period(
            self.start,
            _later(self.end, other.end),
            other.severity if worse else self.severity,
            other.dimension if worse else self.dimension,
            other.ended_by if later else self.ended_by,
            _unique((*self.events, *other.events)),
        )


@dataclass(frozen=True)
class _Punishment:
    period: _Period
    credit: CreditRuleResult | None  # the publication class under the instrument in force on the start date
    rules: tuple[Rule, ...]  # the local rules that chose the class
    earliest_lift_on: date | None
    lifted_on: date | None


def _punishment(period: _Period, policy: PolicyBook) -> _Punishment:
    severity_rule = policy.coordinator_rule("credit_severity", period.start)
    scope_rule = policy.coordinator_rule("credit_scope", period.start)
    scopes = (scope_rule.mapping or {}).get(period.dimension) or (scope_rule.mapping or {}).get("*", [])
    candidates = (
        policy.credit_publication_rule(cls, period.start, scope)  # type: ignore[arg-type]
        for scope in scopes
        for cls in (severity_rule.mapping or {}).get(period.severity, [])
    )
    credit = next((c for c in candidates if c is not None), None)
    months = credit.min_months if credit else None
    earliest = add_months(period.start, months) if months else None
    lifted = None if period.end is None else max(period.end, earliest or period.end)
    return _Punishment(period, credit, (severity_rule, scope_rule), earliest, lifted)


def _punishments(entries: Sequence[ListEntry], policy: PolicyBook) -> list[_Punishment]:
    """Measures run from a stretch's start until it ends, but not before the minimum publication period;
    a stretch starting while the measures of an earlier one still run extends them."""
    out: list[_Punishment] = []
    for e in sorted(entries, key=lambda e: (e.interval.start, e.case_id or "")):
        d = e.details
        period = _Period(
            e.interval.start,
            e.interval.end,
            d["severity"],
            e.dimension or "",
            d["ended_by"],
            e.explanation.event_ids,
        )
        if out and (out[-1].lifted_on is None or period.start <= out[-1].lifted_on):
            period = out.pop().period.joined(period)
        out.append(_punishment(period, policy))
    return out


def _credit_basis(credit: CreditRuleResult | None) -> Basis | None:
    if credit is None:
        return None
    rule, cls = credit.instrument, credit.rule_class
    text = f"{rule.title_zh}：{cls.class_zh or '行政处罚信息'}（{cls.text}）"
    return Basis(rule.id, rule.document, rule.clause, text, rule.confidence, rule.source)


def _measures(
    facts: EnterpriseFacts, entries: Sequence[ListEntry], policy: PolicyBook
) -> list[MeasureDecision]:
    out = []
    for pun in _punishments(entries, policy):
        p = pun.period
        triggers_rule = policy.coordinator_rule("joint_punishment_triggers", p.start)
        triggers = set((triggers_rule.mapping or {}).get(p.severity, []))
        rules = (
            _card(policy, "not_exited_on_time"),
            _credit_basis(pun.credit),
            *pun.rules,
            triggers_rule,
            policy.coordinator_rule("measure_lifting", p.start),
        )
        lifting = ""
        if pun.lifted_on is not None:
            cause = "执行关停退出" if p.ended_by == Status.EXITED else "整改到位"
            minimum = f"，最短公示期至{pun.earliest_lift_on}" if pun.earliest_lift_on else ""
            lifting = f"；{cause}（{p.end}）{minimum}，{pun.lifted_on}解除"
        for m in policy.measures():
            if m.kind != "punishment" or not triggers & set(m.applies_when):
                continue
            targets: list[tuple[str, str | None]] = [(facts.uscc, None)]
            if m.extends_to_affiliates:
                targets += [(a, facts.uscc) for a in sorted(set(facts.affiliates) - {facts.uscc})]
            for uscc, via in targets:
                who = f"关联企业{facts.uscc}（{facts.name}）" if via else "企业"
                summary = f"{who}未按期完成落后产能退出（{p.start}起）：{m.title_zh}，由{m.target_department_zh}执行{lifting}"
                explanation = _explain(summary, (m, *rules), p.events)
                interval = Interval(p.start, pun.lifted_on)
                out.append(
                    MeasureDecision(
                        m.code,
                        m.title_zh,
                        m.target_unit,
                        uscc,
                        via,
                        interval,
                        pun.earliest_lift_on,
                        explanation,
                    )
                )
    return out


# ---- electricity prices --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Priced:
    kind: str  # punitive | differential | tiered
    category: str
    result: PriceResult
    summary: str
    rule: Rule  # the local rule that applies the price to this finding


def _punitive(f: Finding, policy: PolicyBook) -> _Priced | None:
    if not isinstance(f.result, EnergyLimitResult):
        return None
    ratio = f.result.ratio_over_limit  # (measured − limit) / limit, by the energy bureau's check
    if ratio is None or ratio <= 0:
        return None
    result = policy.punitive_price(ratio, f.found_on)
    if result is None or not result.category_zh:
        return None
    summary = f"能耗（{f.found_on}认定）：单位产品能耗超过限额{ratio:g}倍，执行惩罚性电价（按{result.category_zh}标准）"
    return _Priced(
        "punitive", result.category_zh, result, summary, policy.coordinator_rule("price_period", f.found_on)
    )


def _differential(f: Finding, policy: PolicyBook) -> _Priced | None:
    if not _in(policy, "eliminated_equipment_findings", f.found_on, f.bureau, f.finding_type):
        return None
    industry = {k.value: v for k, v in INDUSTRY_ZH.items()}.get(f.industry, f.industry)
    result = policy.differential_price(ELIMINATED, industry, f.found_on)
    if result is None:
        return None
    summary = f"技术（{f.found_on}认定）：{industry}行业淘汰类产能，执行差别电价（{ELIMINATED}）"
    return _Priced(
        "differential", ELIMINATED, result, summary, policy.coordinator_rule("price_period", f.found_on)
    )


def _tiered(f: Finding, policy: PolicyBook) -> _Priced | None:
    if not isinstance(f.result, TieredPriceResult):
        return None
    value, tier = f.result.measured_value, f.result.tier
    result = policy.aluminium_tiered_price(value, f.found_on)
    if result is None or result.surcharge_yuan_per_kwh <= 0:
        return None
    category = f"第{tier}档"
    summary = (
        f"电解铝阶梯电价核查（{f.found_on}）：铝液交流电耗{value:g}kWh/t，{category}，{f.found_on.year}年执行"
    )
    return _Priced(
        "tiered", category, result, summary, policy.coordinator_rule("price_check_findings", f.found_on)
    )


def _instruction(priced: _Priced, f: Finding, interval: Interval, policy: PolicyBook) -> PriceInstruction:
    notice = next(
        m for m in policy.measures() if m.kind == "pricing" and "eliminated_capacity" in m.applies_when
    )
    r = priced.result
    summary = (
        f"{priced.summary}，加价{r.surcharge_yuan_per_kwh:g}元/千瓦时（{r.rule.document}）"
        f"{_confidence_note(r.confidence)}；函告{short_name('power_company')}执行"
    )
    explanation = _explain(summary, (notice, r.rule, r.rates_rule, priced.rule), (f.event_id,))
    return PriceInstruction(
        priced.kind, priced.category, r.surcharge_yuan_per_kwh, r.confidence, f.case_id, interval, explanation
    )


def _case_prices(track: _Track, policy: PolicyBook) -> list[PriceInstruction]:
    """Punitive or differential prices run from the finding until compliance or production stops."""
    f = track.finding
    priced = _punitive(f, policy) or _differential(f, policy)
    if priced is None:
        return []
    stops = (policy.coordinator_rule("price_period", f.found_on).mapping or {}).get("production_stops_on", [])
    ends = [s.occurred_on for s in track.steps if s.action in stops]
    end = min([*ends, track.resolved_on] if track.resolved_on else ends, default=None)
    return [_instruction(priced, f, Interval(f.found_on, end), policy)]


def _check_prices(f: Finding, policy: PolicyBook) -> list[PriceInstruction]:
    """A tiered-price check sets the surcharge for the rest of the year of the check."""
    priced = _tiered(f, policy)
    year = Interval(f.found_on, date(f.found_on.year + 1, 1, 1))
    return [_instruction(priced, f, year, policy)] if priced else []


# ---- the assessment ------------------------------------------------------------------------------------------


def _cut(interval: Interval, as_of: date) -> Interval | None:
    """What is known on `as_of`: nothing that starts later; an end after it is not yet decided. A stretch that
    ends the day it starts (e.g. found and rectified on one day) holds on no day at all: it is dropped."""
    if interval.start > as_of or (interval.end is not None and interval.end <= interval.start):
        return None
    return interval if interval.end is not None and interval.end <= as_of else Interval(interval.start)


def _case_assessment(track: _Track, as_of: date) -> CaseAssessment:
    f, seg = track.finding, track.segments[-1]
    timeline = tuple(
        StatusInterval(s.status, cut, s.explanation)
        for s in _merged(track.spans)
        if (cut := _cut(Interval(s.start, s.end), as_of)) is not None
    )
    now = next(s for s in timeline if s.interval.contains(as_of))
    closed = any(s.to_state == CaseState.CLOSED for s in track.steps)
    running = seg.deadline if seg.state in DEADLINE_STATES else None
    return CaseAssessment(
        case_id=f.case_id,
        bureau=f.bureau,
        finding_type=f.finding_type,
        state=CaseState.CLOSED.value if closed else seg.state.value,
        found_on=f.found_on,
        deadline=seg.deadline,
        overdue=running is not None and as_of > running,
        days_to_deadline=(running - as_of).days if running else None,
        status=now.status,
        explanation=now.explanation,
        timeline=timeline,
    )


def _known(items: Iterable[_D], as_of: date) -> tuple[_D, ...]:
    """Decisions as known on `as_of`, in date order (ties keep the order of the sorted facts)."""
    kept = (replace(i, interval=cut) for i in items if (cut := _cut(i.interval, as_of)))
    return tuple(sorted(kept, key=lambda i: i.interval.start))


def _dimension(dim: str, cases: Sequence[CaseAssessment]) -> tuple[Status, Explanation]:
    worst = max((c for c in cases if c.bureau == dim), key=lambda c: STATUS_SEVERITY[c.status], default=None)
    if worst is None:
        return Status.COMPLIANT, Explanation(
            f"{DIMENSION_ZH[dim]}：无不达标认定（{STATUS_ZH[Status.COMPLIANT]}）", (), ()
        )
    return worst.status, worst.explanation


def evaluate(facts: EnterpriseFacts, as_of: date, policy: PolicyBook) -> Assessment:
    """The enterprise's statuses, lists, measures and price instructions as known on `as_of`, explained."""
    findings = sorted(
        {f.event_id: f for f in facts.findings if f.found_on <= as_of}.values(),
        key=lambda f: (f.found_on, f.bureau, f.case_id, f.event_id),
    )
    steps = sorted(
        {s.event_id: s for s in facts.steps if s.occurred_on <= as_of}.values(),
        key=lambda s: (s.occurred_on, s.bureau, s.sequence, s.event_id),
    )
    checks = [
        f for f in findings if _in(policy, "price_check_findings", f.found_on, f.bureau, f.finding_type)
    ]
    tracks = [
        _track(f, tuple(s for s in steps if (s.bureau, s.case_id) == (f.bureau, f.case_id)), policy)
        for f in findings
        if f not in checks
    ]
    lists = [e for t in tracks for e in _case_lists(t, policy)]
    measures = _measures(facts, [e for e in lists if e.list_code == "not_exited_on_time"], policy)
    prices = [p for t in tracks for p in _case_prices(t, policy)] + [
        p for f in checks for p in _check_prices(f, policy)
    ]

    spans = [Interval(s.start, s.end) for t in tracks for s in t.spans]
    intervals = [
        *spans,
        *(e.interval for e in lists),
        *(m.interval for m in measures),
        *(p.interval for p in prices),
    ]
    cases = tuple(_case_assessment(t, as_of) for t in tracks)
    dimensions = {dim: _dimension(dim, cases) for dim in DIMENSIONS}
    return Assessment(
        uscc=facts.uscc,
        as_of=as_of,
        status=max((s for s, _ in dimensions.values()), key=STATUS_SEVERITY.__getitem__),
        dimensions={dim: status for dim, (status, _) in dimensions.items()},
        dimension_explanations={dim: why for dim, (_, why) in dimensions.items()},
        cases=cases,
        lists=_known(lists, as_of),
        measures=_known(measures, as_of),
        prices=_known(prices, as_of),
        next_change_on=min((d for i in intervals for d in (i.start, i.end) if d and d > as_of), default=None),
    )


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
            kind, d.uscc, d.code, d.case_id, d.dimension, d.interval.start, on, explanation, details
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
        if key not in new:  # a late event showed the decision was never due: withdrawn from its start
            withdrawn = Explanation(
                f"更正：{d.explanation.summary_zh}（据补录的事件撤销）",
                d.explanation.basis,
                d.explanation.event_ids,
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
