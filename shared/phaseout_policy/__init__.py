"""Phaseout policy reference data (versioned, with legal basis) and typed, date-aware loaders."""

from __future__ import annotations

from .book import PolicyBook, add_months, load_policy
from .models import (
    AnnexTask,
    CardRule,
    Confidence,
    CreditRuleResult,
    Dimension,
    EliminatedItem,
    EnergyLimit,
    ExtensionRule,
    ListDefinition,
    MajorHazard,
    Measure,
    PriceResult,
    PriceRule,
    RectificationRule,
    ReportingDeadline,
    Rule,
    RuleResult,
    Severity,
    Unverified,
)

__all__ = [
    "AnnexTask",
    "CardRule",
    "Confidence",
    "CreditRuleResult",
    "Dimension",
    "EliminatedItem",
    "EnergyLimit",
    "ExtensionRule",
    "ListDefinition",
    "MajorHazard",
    "Measure",
    "PolicyBook",
    "PriceResult",
    "PriceRule",
    "RectificationRule",
    "ReportingDeadline",
    "Rule",
    "RuleResult",
    "Severity",
    "Unverified",
    "add_months",
    "load_policy",
]
