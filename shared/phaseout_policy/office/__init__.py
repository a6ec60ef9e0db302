"""Policy data the office maintains (pure): a year's 实施方案 (plan_year), editions of the coordinator's
operating rules (local_rule), limit values of an energy standard's edition (energy_limits), item texts of
令第10号 (hazard_items) and 淘汰类 items of the 2024 catalogue (catalogue_items), each checked
with errors in Chinese, turned into policy records and laid over the shipped book — the same way in the
coordinator, which keeps the office's changes, and in every bureau, which reads them from it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from phaseout_kit.registry import BUREAUS
from phaseout_policy.book import PolicyBook
from phaseout_policy.office.catalogue import CatalogueItems, catalogue_items_book, check_catalogue_items
from phaseout_policy.office.common import ERROR_ZH, Checked, office_version
from phaseout_policy.office.energy import EnergyEditionValues, check_energy_values, energy_values_book
from phaseout_policy.office.hazards import HazardItemTexts, check_hazard_items, hazard_items_book
from phaseout_policy.office.local_rule import LocalRuleEdition, check_local_rule, local_rule_book
from phaseout_policy.office.plan_year import (
    PlanYearDocument,
    RectificationRow,
    TaskRow,
    check_plan_year,
    plan_year_book,
)

__all__ = [
    "ERROR_ZH",
    "KINDS",
    "KIND_ZH",
    "CatalogueItems",
    "Checked",
    "Document",
    "EnergyEditionValues",
    "HazardItemTexts",
    "LayeredBook",
    "LocalRuleEdition",
    "PlanYearDocument",
    "RectificationRow",
    "TaskRow",
    "apply_changes",
    "bureaus_judged_anew",
    "changed_book",
    "check_change",
    "check_plan_year",
    "office_version",
]


Document = PlanYearDocument | LocalRuleEdition | EnergyEditionValues | HazardItemTexts | CatalogueItems
KINDS: dict[str, type[Document]] = {
    "plan_year": PlanYearDocument,
    "local_rule": LocalRuleEdition,
    "energy_limits": EnergyEditionValues,
    "hazard_items": HazardItemTexts,
    "catalogue_items": CatalogueItems,
}
KIND_ZH = {
    "plan_year": "年度实施方案",
    "local_rule": "平台运行规则",
    "energy_limits": "能耗限额标准限定值",
    "hazard_items": "重大事故隐患判定条目原文",
    "catalogue_items": "产业结构调整指导目录（2024年本）淘汰类条目",
}


def check_change(
    kind: str, raw: Any, policy: PolicyBook, baseline: PolicyBook, today: date
) -> Checked[Document]:
    if kind == "plan_year":
        return check_plan_year(raw, policy, baseline, today)
    if kind == "energy_limits":
        return check_energy_values(raw, policy)
    if kind == "hazard_items":
        return check_hazard_items(raw, policy)
    if kind == "catalogue_items":
        return check_catalogue_items(raw, policy)
    if kind == "local_rule":
        return check_local_rule(raw, policy)
    raise ValueError(f"unknown kind of policy change {kind!r}")


def changed_book(
    policy: PolicyBook, kind: str, raw: dict[str, Any], change_id: int, baseline_version: str
) -> PolicyBook:
    """``policy`` with the office's change ``change_id`` (checked when it was submitted) in force."""
    if kind == "plan_year":
        return plan_year_book(policy, PlanYearDocument.model_validate(raw), change_id, baseline_version)
    if kind == "energy_limits":
        return energy_values_book(
            policy, EnergyEditionValues.model_validate(raw), change_id, baseline_version
        )
    if kind == "hazard_items":
        return hazard_items_book(policy, HazardItemTexts.model_validate(raw), change_id, baseline_version)
    if kind == "catalogue_items":
        return catalogue_items_book(policy, CatalogueItems.model_validate(raw), change_id, baseline_version)
    if kind == "local_rule":
        return local_rule_book(policy, LocalRuleEdition.model_validate(raw), change_id, baseline_version)
    raise ValueError(f"unknown kind of policy change {kind!r}")


def apply_changes(baseline: PolicyBook, approved: Iterable[tuple[int, str, dict[str, Any]]]) -> PolicyBook:
    """The shipped book with the office's approved changes laid over it, in the order they were approved."""
    book = baseline
    for change_id, kind, raw in approved:
        book = changed_book(book, kind, raw, change_id, baseline.version)
    return book


def bureaus_judged_anew(kind: str, document: dict[str, Any]) -> list[str]:
    """Whose enterprises a change can move in the coordinator: an operating rule any enterprise; a plan those
    with a case in a dimension whose period it sets (an order recorded without a deadline — 立即整改 — takes
    the period in force on its date from the engine; orders with a deadline keep it), its tasks none; limit
    values and item texts none (the bureau judges a finding when it records it; the event carries its result)."""
    if kind in ("energy_limits", "hazard_items", "catalogue_items"):
        return []
    if kind != "plan_year":
        return list(BUREAUS)
    return sorted({row["dimension"] for row in document.get("rectification", [])} & set(BUREAUS))


class LayeredBook:
    """The shipped book (the baseline) with the office's approved changes laid over it, in approval order; its
    owner (the coordinator's store, a bureau's sync) hands it the approved changes whenever they may differ."""

    def __init__(self, baseline: PolicyBook) -> None:
        self.baseline = baseline
        self.current = baseline
        self._applied: tuple[int, ...] = ()

    def lay(self, approved: Sequence[tuple[int, str, dict[str, Any]]]) -> PolicyBook:
        """The book with exactly ``approved`` (change id, kind, document) over the baseline."""
        ids = tuple(change_id for change_id, _, _ in approved)
        if ids != self._applied:
            self.current = apply_changes(self.baseline, approved)
            self._applied = ids
        return self.current
