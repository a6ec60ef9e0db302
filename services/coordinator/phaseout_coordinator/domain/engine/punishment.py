"""Joint punishment: the measures a not-exited-on-time period brings, for the enterprise and its affiliates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from phaseout_bureau.results import UNVERIFIED_BASIS_ZH
from phaseout_coordinator.domain.engine.common import card_rule, explain, unique
from phaseout_coordinator.domain.model import (
    Basis,
    EnterpriseFacts,
    Interval,
    ListEntry,
    MeasureDecision,
    Status,
)
from phaseout_policy import (
    CreditRuleResult,
    PolicyBook,
    Rule,
    add_months,
)

# ---- joint punishment ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    """One case's stretch of 未按期完成退出."""

    start: date
    end: date | None
    severity: str  # the finding's severity
    dimension: str
    ended_by: str | None  # exited | compliant
    events: tuple[str, ...]
    basis_verified: bool  # False: the finding behind it rests on a basis the bureau supplied itself


@dataclass(frozen=True)
class _Phase:
    """What one period of a stretch brings from its start: the measures its severity triggers and its credit
    publication class apply from that day, never before (a later, graver delay does not reach back)."""

    start: date
    severity: str
    dimension: str
    credit: CreditRuleResult | None  # the publication class under the instrument in force on the start date
    rules: tuple[Rule, ...]  # the local rules that chose the class
    earliest_lift_on: date | None


@dataclass(frozen=True)
class _Stretch:
    """Overlapping periods of the enterprise joined: measures run from a period's start until the last ends,
    but not before every minimum publication period has run."""

    periods: tuple[_Period, ...]
    phases: tuple[_Phase, ...]

    @property
    def start(self) -> date:
        return self.periods[0].start

    @property
    def end(self) -> date | None:
        ends = [p.end for p in self.periods]
        return None if None in ends else max(e for e in ends if e is not None)

    @property
    def ended_by(self) -> str | None:
        return max(self.periods, key=lambda p: p.end or date.max).ended_by

    @property
    def events(self) -> tuple[str, ...]:
        return unique(e for p in self.periods for e in p.events)

    @property
    def earliest_lift_on(self) -> date | None:
        return max((p.earliest_lift_on for p in self.phases if p.earliest_lift_on), default=None)

    @property
    def lifted_on(self) -> date | None:
        end = self.end
        return None if end is None else max(end, self.earliest_lift_on or end)


def _phase(period: _Period, policy: PolicyBook) -> _Phase:
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
    return _Phase(
        period.start, period.severity, period.dimension, credit, (severity_rule, scope_rule), earliest
    )


def _stretch(periods: Sequence[_Period], policy: PolicyBook) -> _Stretch:
    """Each period brings its own credit publication and minimum period; a measure runs from the first period
    whose severity triggers it (phases in start order)."""
    return _Stretch(tuple(periods), tuple(_phase(p, policy) for p in periods))


def _stretches(entries: Sequence[ListEntry], policy: PolicyBook) -> list[_Stretch]:
    """A period starting while the measures of an earlier stretch still run joins that stretch."""
    out: list[_Stretch] = []
    for e in sorted(entries, key=lambda e: (e.interval.start, e.case_id or "")):
        d = e.details
        period = _Period(
            e.interval.start,
            e.interval.end,
            d["severity"],
            e.dimension or "",
            d["ended_by"],
            e.explanation.event_ids,
            d.get("basis_verified", True),
        )
        if out and (out[-1].lifted_on is None or period.start <= out[-1].lifted_on):
            out.append(_stretch((*out.pop().periods, period), policy))
        else:
            out.append(_stretch((period,), policy))
    return out


def _credit_basis(credit: CreditRuleResult | None) -> Basis | None:
    if credit is None:
        return None
    rule, cls = credit.instrument, credit.rule_class
    text = f"{rule.title_zh}：{cls.class_zh or '行政处罚信息'}（{cls.text}）"
    return Basis(rule.id, rule.document, rule.clause, text, rule.confidence, rule.source)


def case_measures(
    facts: EnterpriseFacts, entries: Sequence[ListEntry], policy: PolicyBook
) -> list[MeasureDecision]:
    out = []
    for stretch in _stretches(entries, policy):
        lifting = ""
        if stretch.lifted_on is not None:
            cause = "执行关停退出" if stretch.ended_by == Status.EXITED else "整改到位"
            earliest = stretch.earliest_lift_on
            minimum = f"，最短公示期至{earliest}" if earliest else ""
            lifting = f"；{cause}（{stretch.end}）{minimum}，{stretch.lifted_on}解除"
        unverified = (
            ""
            if all(p.basis_verified for p in stretch.periods)
            else f"（所依据的认定：{UNVERIFIED_BASIS_ZH}）"
        )
        for m in policy.measures():
            if m.kind != "punishment":
                continue
            phase = next((ph for ph in stretch.phases if _triggers(ph, policy) & set(m.applies_when)), None)
            if phase is None:
                continue
            rules = (
                card_rule(policy, "not_exited_on_time"),
                _credit_basis(phase.credit),
                *phase.rules,
                policy.coordinator_rule("joint_punishment_triggers", phase.start),
                policy.coordinator_rule("measure_lifting", phase.start),
            )
            targets: list[tuple[str, str | None]] = [(facts.uscc, None)]
            if m.extends_to_affiliates:
                targets += [(a, facts.uscc) for a in sorted(set(facts.affiliates) - {facts.uscc})]
            for uscc, via in targets:
                who = f"关联企业{facts.uscc}（{facts.name}）" if via else "企业"
                summary = f"{who}未按期完成落后产能退出（{phase.start}起）：{m.title_zh}，由{m.target_department_zh}执行{lifting}{unverified}"
                out.append(
                    MeasureDecision(
                        m.code,
                        m.title_zh,
                        m.target_unit,
                        uscc,
                        via,
                        Interval(phase.start, stretch.lifted_on),
                        stretch.earliest_lift_on,
                        explain(summary, (m, *rules), stretch.events),
                    )
                )
    return out


def _triggers(phase: _Phase, policy: PolicyBook) -> set[str]:
    return set(
        (policy.coordinator_rule("joint_punishment_triggers", phase.start).mapping or {}).get(
            phase.severity, []
        )
    )
