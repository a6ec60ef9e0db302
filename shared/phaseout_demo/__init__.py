"""Deterministic demo data: Fuling District enterprises, the five bureaus' findings of 2020 and of 2023–2026, and
every later step of their cases."""

from __future__ import annotations

from .dataset import (
    DEMO_TODAY,
    DemoEnterprise,
    DemoFinding,
    DemoLine,
    DemoStep,
    Outcome,
    StepKind,
    case_steps,
    enterprises,
    findings,
    outcomes,
)

__all__ = [
    "DEMO_TODAY",
    "DemoEnterprise",
    "DemoFinding",
    "DemoLine",
    "DemoStep",
    "Outcome",
    "StepKind",
    "case_steps",
    "enterprises",
    "findings",
    "outcomes",
]
