"""A case's stored row as the domain's Case, and as the dictionary the API and the events show."""

from __future__ import annotations

from typing import Any

from phaseout_bureau.adapters.orm import CaseRow
from phaseout_bureau.domain.cases import (
    STATE_ZH,
    Action,
    Case,
    CaseState,
)


def domain_case(row: CaseRow) -> Case:
    return Case(
        state=CaseState(row.state),
        found_on=row.found_on,
        last_occurred_on=row.last_occurred_on,
        deadline=row.deadline,
        extension_count=row.extension_count,
        requested_months=row.requested_months,
        production_measure=row.production_measure,
        state_before_proposal=CaseState(row.state_before_proposal) if row.state_before_proposal else None,
        steps_done=frozenset(Action(a) for a in row.steps_done),
    )


def case_dict(row: CaseRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "uscc": row.uscc,
        "finding_type": row.finding_type,
        "state": row.state,
        "state_zh": STATE_ZH[CaseState(row.state)],
        "found_on": row.found_on.isoformat(),
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "extension_count": row.extension_count,
        "production_measure": row.production_measure,
        "exit_steps_done": list(row.steps_done),
    }
