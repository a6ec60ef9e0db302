"""What an office change of the policy data (phaseout_policy.office) does to the decisions: the engine's
judgment of one enterprise under the book before and after it (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from phaseout_coordinator.domain.engine import decision_diff, evaluate
from phaseout_coordinator.domain.model import Assessment, DecisionChange, EnterpriseFacts
from phaseout_policy import PolicyBook


@dataclass(frozen=True)
class EnterpriseEffect:
    """What a policy change does to one enterprise: its decisions under each book, and their difference."""

    uscc: str
    before: Assessment
    after: Assessment
    changes: Sequence[DecisionChange]


def effect_on(
    enterprise: EnterpriseFacts, today: date, before: PolicyBook, after: PolicyBook
) -> EnterpriseEffect:
    """The decisions the engine takes for ``enterprise`` under ``before`` and ``after`` on ``today``, and the
    decision events the change would publish (exactly what projection under ``after`` emits)."""
    old, new = evaluate(enterprise, today, before), evaluate(enterprise, today, after)
    return EnterpriseEffect(enterprise.uscc, old, new, decision_diff(old, new))
