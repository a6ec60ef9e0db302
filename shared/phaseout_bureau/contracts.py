"""Event payloads the bureaus publish: the published language between bureaus and the coordinator.

Their JSON Schemas are served at ``GET /api/v1/schemas``; the coordinator validates what it receives
against the same models and dead-letters what does not fit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from phaseout_bureau.domain.cases import Action, CaseState
from phaseout_bureau.domain.findings import Industry, ProductionLine, Severity
from phaseout_kit.events.envelope import event_type


class FindingRecorded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_id: str
    bureau: str
    uscc: str
    enterprise_name: str
    town: str
    industrial_park: str | None
    industry: Industry
    finding_type: str
    production_line: ProductionLine | None
    found_on: date
    legal_basis: str
    severity: Severity
    details: dict[str, Any]
    derived: dict[str, Any]
    recorded_at: datetime
    recorded_by: str


class CaseActionRecorded(BaseModel):
    """One step of a case; the event type names the action (``<bureau>.case.<action>``)."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    bureau: str
    uscc: str
    finding_type: str
    action: Action
    from_state: CaseState
    to_state: CaseState
    occurred_on: date
    deadline: date | None
    extension_count: int
    production_measure: str | None
    details: dict[str, Any]
    rule: dict[str, Any] | None
    recorded_at: datetime
    recorded_by: str


def case_event_type(bureau: str, action: Action) -> str:
    return event_type(bureau, "case", action.value)


def payload_models(bureau: str) -> dict[str, type[BaseModel]]:
    """Event type -> payload model for one bureau."""
    return {
        event_type(bureau, "finding", "recorded"): FindingRecorded,
        **{case_event_type(bureau, action): CaseActionRecorded for action in Action},
    }
