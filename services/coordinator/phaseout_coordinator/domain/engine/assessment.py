"""One enterprise's assessment as of a date: cases, dimensions, lists, measures, prices, next change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from phaseout_bureau.domain.cases import DEADLINE_STATES, CaseState
from phaseout_coordinator.domain.engine.common import Decided, rule_lists
from phaseout_coordinator.domain.engine.lists import case_lists, one_card_per_dimension
from phaseout_coordinator.domain.engine.prices import case_prices, check_prices
from phaseout_coordinator.domain.engine.punishment import case_measures
from phaseout_coordinator.domain.engine.timeline import (
    Track,
    build_track,
    ended_with_the_enterprise,
    merged_spans,
)
from phaseout_coordinator.domain.model import (
    DIMENSIONS,
    STATUS_ZH,
    Assessment,
    CaseAssessment,
    EnterpriseFacts,
    Explanation,
    Interval,
    Status,
    StatusInterval,
    worst,
)
from phaseout_kit.registry import DIMENSION_ZH
from phaseout_policy import (
    PolicyBook,
)

# ---- the assessment ------------------------------------------------------------------------------------------


def _cut(interval: Interval, as_of: date) -> Interval | None:
    """What is known on `as_of`: nothing that starts later; an end after it is not yet decided. A stretch that
    ends the day it starts (e.g. found and rectified on one day) holds on no day at all: it is dropped."""
    if interval.start > as_of or (interval.end is not None and interval.end <= interval.start):
        return None
    return interval if interval.end is not None and interval.end <= as_of else Interval(interval.start)


def _case_assessment(track: Track, as_of: date) -> CaseAssessment:
    f, seg = track.finding, track.segments[-1]
    timeline = tuple(
        StatusInterval(s.status, cut, s.explanation)
        for s in merged_spans(track.spans)
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
        state_since=_state_since(track),
    )


def _state_since(track: Track) -> date:
    """The first day of the current state (a deadline moved by an extension does not restart it)."""
    segments, state = track.segments, track.segments[-1].state
    first = len(segments) - 1
    while first > 0 and segments[first - 1].state is state:
        first -= 1
    return segments[first].start


def _known(items: Iterable[Decided], as_of: date) -> tuple[Decided, ...]:
    """Decisions as known on `as_of`, in date order (ties keep the order of the sorted facts)."""
    kept = (replace(i, interval=cut) for i in items if (cut := _cut(i.interval, as_of)))
    return tuple(sorted(kept, key=lambda i: i.interval.start))


def status_order(policy: PolicyBook, on: date) -> tuple[Status, ...]:
    """Statuses least to most severe, as the local rule status_order in force on `on` ranks them."""
    ranked = (policy.coordinator_rule("status_order", on).mapping or {}).get("least_to_most_severe", [])
    return tuple(Status(s) for s in ranked)


def _dimension(
    dim: str, cases: Sequence[CaseAssessment], severity: Sequence[Status]
) -> tuple[Status, Explanation]:
    worst = max((c for c in cases if c.bureau == dim), key=lambda c: severity.index(c.status), default=None)
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
        f
        for f in findings
        if rule_lists(policy, "price_check_findings", f.found_on, f.bureau, f.finding_type)
    ]
    tracks = ended_with_the_enterprise(
        [
            build_track(f, tuple(s for s in steps if (s.bureau, s.case_id) == (f.bureau, f.case_id)), policy)
            for f in findings
            if f not in checks
        ],
        policy,
    )
    lists = one_card_per_dimension([e for t in tracks for e in case_lists(t, policy)], policy)
    # Measures rest on the delays begun by `as_of`: a delay still to come cannot shape today's measures.
    delays = [e for e in lists if e.list_code == "not_exited_on_time" and e.interval.start <= as_of]
    measures = case_measures(facts, delays, policy)
    prices = [p for t in tracks for p in case_prices(t, policy)] + [
        p for f in checks for p in check_prices(f, policy)
    ]

    spans = [Interval(s.start, s.end) for t in tracks for s in t.spans]
    intervals = [
        *spans,
        *(e.interval for e in lists),
        *(m.interval for m in measures),
        *(p.interval for p in prices),
    ]
    cases = tuple(_case_assessment(t, as_of) for t in tracks)
    severity = status_order(policy, as_of)
    dimensions = {dim: _dimension(dim, cases, severity) for dim in DIMENSIONS}
    return Assessment(
        uscc=facts.uscc,
        as_of=as_of,
        status=worst((s for s, _ in dimensions.values()), severity),
        dimensions={dim: status for dim, (status, _) in dimensions.items()},
        dimension_explanations={dim: why for dim, (_, why) in dimensions.items()},
        cases=cases,
        lists=_known(lists, as_of),
        measures=_known(measures, as_of),
        prices=_known(prices, as_of),
        severity=severity,
        policy_version=policy.version,
        next_change_on=min((d for i in intervals for d in (i.start, i.end) if d and d > as_of), default=None),
    )
