"""The policy engine's language (pure data): the facts it reads about one enterprise and what it decides.

Facts come from the bureaus' events; decisions are time intervals in business time (the dates acts really
happened), so a list or a status "as of" any date is read off the intervals, and every decision carries the
explanation a person asks for ("why is this enterprise on the red list"): the rule with its document and
clause, and the events it rests on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from phaseout_bureau.results import CheckResult
from phaseout_kit.registry import BUREAUS


class Status(StrEnum):
    COMPLIANT = "compliant"  # 合规
    YELLOW = "yellow"  # 黄牌: rectification under way
    RED = "red"  # 红牌: still non-compliant after rectification (or overdue), or closed by law
    EXITED = "exited"  # 已退出


STATUS_ZH = {Status.COMPLIANT: "合规", Status.YELLOW: "黄牌", Status.RED: "红牌", Status.EXITED: "已退出"}
DIMENSIONS = BUREAUS  # one dimension per bureau; both declared in the registry


def worst(statuses: Iterable[Status], severity: Sequence[Status]) -> Status:
    """The status an enterprise (or a dimension) shows when its cases differ: the last of `statuses` in
    `severity` (least to most severe, the local rule status_order); compliant when there is none."""
    return max(statuses, key=severity.index, default=Status.COMPLIANT)


@dataclass(frozen=True)
class Finding:
    event_id: str
    case_id: str
    bureau: str  # = the dimension
    uscc: str
    enterprise_name: str
    finding_type: str
    found_on: date
    severity: str  # general | serious | grave
    industry: str
    legal_basis: str
    production_line: dict[str, Any] | None
    derived: dict[str, Any]
    result: CheckResult | None = (
        None  # the typed part of ``derived`` the rules read (phaseout_bureau.results)
    )


@dataclass(frozen=True)
class CaseStep:
    event_id: str
    case_id: str
    bureau: str
    action: str  # phaseout_bureau.domain.cases.Action value
    from_state: str
    to_state: str
    occurred_on: date
    deadline: date | None  # the case's deadline after this step
    details: dict[str, Any]
    rule: dict[str, Any] | None
    sequence: int  # the bureau's event sequence: orders steps of one day


@dataclass(frozen=True)
class EnterpriseFacts:
    uscc: str
    name: str
    findings: tuple[Finding, ...]
    steps: tuple[CaseStep, ...]
    affiliates: tuple[str, ...] = ()  # 关联企业 declared to the coordinator (USCCs)


@dataclass(frozen=True)
class Basis:
    """The rule a decision rests on, as the policy data states it."""

    rule_id: str
    document: str | None
    clause: str | None
    text_zh: str
    confidence: str
    source: str | None = None


@dataclass(frozen=True)
class Explanation:
    summary_zh: str  # one sentence a person understands, e.g. "整改期限2021-02-28已过，仍未整改到位"
    basis: tuple[Basis, ...]
    event_ids: tuple[str, ...]  # the events the decision rests on


@dataclass(frozen=True)
class Interval:
    start: date
    end: date | None = None  # exclusive; None = still in force

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class StatusInterval:
    """One stretch of a case in one status (e.g. 黄牌 while rectifying, 红牌 from the day after the deadline)."""

    status: Status
    interval: Interval
    explanation: Explanation


@dataclass(frozen=True)
class CaseAssessment:
    case_id: str
    bureau: str
    finding_type: str
    state: str
    found_on: date
    deadline: date | None
    overdue: bool
    days_to_deadline: int | None  # negative when overdue; None without a running deadline
    status: Status
    explanation: Explanation
    timeline: tuple[StatusInterval, ...] = ()  # the case's statuses up to the as-of date
    state_since: date | None = None  # the day the case entered its current state (None: stored before)

    def status_on(self, day: date) -> Status:
        return next((s.status for s in self.timeline if s.interval.contains(day)), Status.COMPLIANT)


@dataclass(frozen=True)
class ListEntry:
    list_code: (
        str  # yellow | red | annual_exit | over_standard | seriously_over_standard | not_exited_on_time
    )
    dimension: str | None
    case_id: str | None
    interval: Interval
    explanation: Explanation
    details: dict[str, Any] = field(default_factory=dict)  # exit list: year, line, capacity, way, exited_on


@dataclass(frozen=True)
class MeasureDecision:
    measure_code: str
    title_zh: str
    target_unit: str  # registry code of the unit that executes it
    uscc: str  # the enterprise the measure applies to (an affiliate for measures that extend to them)
    via_affiliate_of: str | None
    interval: Interval  # imposed on start; lifted on end
    earliest_lift_on: date | None  # minimum publication period (credit rules in force on the decision date)
    explanation: Explanation


@dataclass(frozen=True)
class PriceInstruction:
    kind: str  # differential | punitive | tiered
    category: str  # 淘汰类 | 限制类 | tier name
    surcharge_yuan_per_kwh: float
    confidence: str
    case_id: str | None
    interval: Interval
    explanation: Explanation


@dataclass(frozen=True)
class Assessment:
    uscc: str
    as_of: date
    status: Status
    dimensions: dict[str, Status]
    dimension_explanations: dict[str, Explanation]
    cases: tuple[CaseAssessment, ...]
    lists: tuple[ListEntry, ...]
    measures: tuple[MeasureDecision, ...]
    prices: tuple[PriceInstruction, ...]
    next_change_on: date | None  # the next date the decisions change without new events (scheduler)
    # Statuses least to most severe (the local rule status_order on as_of); empty in an assessment stored
    # before it was recorded, which is only ever compared with, never asked for a status.
    severity: tuple[Status, ...] = ()
    policy_version: str = ""  # of the policy book it was decided under ("": stored before it was recorded)

    def lists_on(self, day: date) -> tuple[ListEntry, ...]:
        return tuple(e for e in self.lists if e.interval.contains(day))

    def measures_on(self, day: date) -> tuple[MeasureDecision, ...]:
        return tuple(m for m in self.measures if m.interval.contains(day))

    def prices_on(self, day: date) -> tuple[PriceInstruction, ...]:
        return tuple(p for p in self.prices if p.interval.contains(day))

    def dimension_on(self, dimension: str, day: date) -> Status:
        """A dimension's status on a day up to the as-of date: the worst of its cases' (compliant without)."""
        return worst((c.status_on(day) for c in self.cases if c.bureau == dimension), self.severity)

    def status_on(self, day: date) -> Status:
        return worst((self.dimension_on(d, day) for d in DIMENSIONS), self.severity)

    def due_within(self, days: int) -> tuple[CaseAssessment, ...]:
        """Cases whose running deadline falls within the next `days` days (overdue ones excluded)."""
        return tuple(
            c for c in self.cases if c.days_to_deadline is not None and 0 <= c.days_to_deadline <= days
        )


DECISION_ZH = {
    "list_entered": "列入名单",
    "list_left": "移出名单",
    "measure_imposed": "实施联合惩戒措施",
    "measure_lifted": "解除联合惩戒措施",
    "price_instructed": "下达差别化电价指令",
    "price_revoked": "撤销电价指令",
}
DECISION_KINDS = tuple(DECISION_ZH)


@dataclass(frozen=True)
class DecisionChange:
    """One decision event: what changed for an enterprise between two assessments, and from when."""

    kind: str  # one of DECISION_KINDS
    uscc: str  # the enterprise the decision applies to (an affiliate for an extended measure)
    code: str  # list code | measure code | price kind
    case_id: str | None
    dimension: str | None
    started_on: date  # start of the decision's interval (with `code`, `uscc` and `case_id`: its identity)
    effective_on: date  # the entry/imposition/instruction date, or the removal/lifting/revocation date
    explanation: Explanation
    details: dict[str, Any] = field(
        default_factory=dict
    )  # via_affiliate_of, category, surcharge, exit data …
    policy_version: str = ""  # of the policy book the decision was made under
