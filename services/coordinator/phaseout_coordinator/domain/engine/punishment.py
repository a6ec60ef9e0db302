"""Joint punishment: the measures a not-exited-on-time period brings, for the enterprise and its affiliates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from phaseout_coordinator.domain.engine.common import SEVERITIES, card_rule, explain, later_of, unique
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
            later_of(self.end, other.end),
            other.severity if worse else self.severity,
            other.dimension if worse else self.dimension,
            other.ended_by if later else self.ended_by,
            unique((*self.events, *other.events)),
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


def case_measures(
    facts: EnterpriseFacts, entries: Sequence[ListEntry], policy: PolicyBook
) -> list[MeasureDecision]:
    out = []
    for pun in _punishments(entries, policy):
        p = pun.period
        triggers_rule = policy.coordinator_rule("joint_punishment_triggers", p.start)
        triggers = set((triggers_rule.mapping or {}).get(p.severity, []))
        rules = (
            card_rule(policy, "not_exited_on_time"),
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
                explanation = explain(summary, (m, *rules), p.events)
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
