"""Deterministic demo data: Fuling District enterprises, the five bureaus' 2020 findings and later case steps."""

from __future__ import annotations

from .dataset import (
    AS_OF,
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
    "AS_OF",
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
