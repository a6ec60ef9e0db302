"""Constants and small helpers the engine's sections share: rules to bases, explanations, the policy's cards."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, TypeVar

from phaseout_bureau.domain.cases import OPEN_STATES, CaseState
from phaseout_bureau.results import UNVERIFIED_BASIS_ZH
from phaseout_coordinator.domain.model import (
    Basis,
    Explanation,
    Finding,
    ListEntry,
    MeasureDecision,
    PriceInstruction,
)
from phaseout_kit.registry import DIMENSION_ZH
from phaseout_policy import (
    CardRule,
    PolicyBook,
    RectificationRule,
    Rule,
)
from phaseout_policy.book import in_force

SEVERITIES = ("general", "serious", "grave")  # a finding's severity, mildest first
ELIMINATED = "淘汰类"  # the price category of eliminated capacity (差别电价)
EXIT_WAY_ZH = {
    "closed": "关闭",
    "banned": "取缔",
    "line_shut": "生产线停产退出",
    "equipment_removed": "拆除设备",
    "equipment_sealed": "封存主体设备",
}
CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低"}
YELLOW_STATES = OPEN_STATES - {CaseState.NONCOMPLIANT}  # open and not (yet) failed
RED_STATES = {
    CaseState.NONCOMPLIANT: "noncompliant",
    CaseState.CLOSURE_PROPOSED: "closure",
    CaseState.CLOSURE_APPROVED: "closure",
}
ONE_DAY = timedelta(days=1)
# The local operating rules whose mapping names, per dimension, finding-type codes of that bureau (rule_lists).
FINDING_TYPE_RULES = ("eliminated_equipment_findings", "price_check_findings")
Decided = TypeVar("Decided", ListEntry, MeasureDecision, PriceInstruction)


# ---- small helpers -------------------------------------------------------------------------------------------


def _basis(rule: Rule) -> Basis:
    text = getattr(rule, "text_zh", None) or getattr(rule, "title_zh", None) or rule.id
    return Basis(rule.id, rule.document, rule.clause, text, rule.confidence, rule.source)


def unique(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def basis_verified(f: Finding) -> bool:
    """False where the bureau supplied the finding's legal basis itself (not verified against the reference data)."""
    return f.result is None or f.result.basis_verified


def finding_label(f: Finding) -> str:
    """How a decision names the finding it rests on, e.g. 能耗（2020-07-01认定）, marked where the bureau supplied
    the basis itself: the mark follows the finding into every decision and export."""
    mark = "" if basis_verified(f) else f"，{UNVERIFIED_BASIS_ZH}"
    return f"{DIMENSION_ZH.get(f.bureau, f.bureau)}（{f.found_on}认定{mark}）"


def explain(summary: str, rules: Iterable[Rule | Basis | None], events: Iterable[str]) -> Explanation:
    basis = (r if isinstance(r, Basis) else _basis(r) for r in rules if r is not None)
    return Explanation(summary, unique(basis), unique(events))


def card_rule(policy: PolicyBook, card: str, dimension: str | None = None) -> CardRule:
    def lookup() -> CardRule:
        rules = [r for r in policy.card_rules() if r.card == card]
        exact = [r for r in rules if r.dimension == dimension]
        return (exact or [r for r in rules if r.dimension in ("general", None)])[0]

    return policy.memo(("card", card, dimension), lookup)


def list_rule(policy: PolicyBook, code: str) -> Rule:
    definition = policy.list_definition(code)
    if definition is None:
        raise LookupError(f"no list {code!r} in the policy data")
    return definition


def rectification_rule(policy: PolicyBook, dimension: str, on: date) -> RectificationRule:
    def lookup() -> RectificationRule:
        rules = [r for r in policy.plan.rectification if r.dimension == dimension]
        return in_force(rules, on) or min(rules, key=lambda r: r.order_key())

    return policy.memo(("rectification", dimension, on), lookup)


def rule_lists(policy: PolicyBook, key: str, on: date, group: str, code: str) -> bool:
    """Whether the local rule `key` lists `code` under `group` (e.g. technology → equipment)."""
    return code in (policy.coordinator_rule(key, on).mapping or {}).get(group, [])


def confidence_note(confidence: str) -> str:
    return "" if confidence == "high" else f"（参考数据置信度{CONFIDENCE_ZH[confidence]}，执行前须核对原文）"
