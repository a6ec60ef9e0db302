"""Service layer of a bureau: orchestrates domain checks, storage, the outbox and the audit log; the caller opens
the transaction. One module per use case: intake (findings), actions (case steps), reads; errors are the
exceptions the routes map to HTTP."""

from __future__ import annotations

from phaseout_bureau.service.actions import RecordedAction, apply_action
from phaseout_bureau.service.errors import CaseNotFound, DetailsInvalid, IdempotencyConflict
from phaseout_bureau.service.intake import RecordedFinding, checked_details, record_finding, request_hash
from phaseout_bureau.service.reads import CaseFilter, case_summary, get_case, get_finding, list_cases

__all__ = [
    "CaseFilter",
    "CaseNotFound",
    "DetailsInvalid",
    "IdempotencyConflict",
    "RecordedAction",
    "RecordedFinding",
    "apply_action",
    "case_summary",
    "checked_details",
    "get_case",
    "get_finding",
    "list_cases",
    "record_finding",
    "request_hash",
]
