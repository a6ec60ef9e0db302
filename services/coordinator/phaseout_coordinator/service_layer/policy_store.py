"""The policy book in force in the coordinator: the shipped book with the office's approved changes laid over
it, re-read from the database whenever a change has been approved (by this process or another one)."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm_policy import PolicyChange
from phaseout_policy import PolicyBook
from phaseout_policy.office import LayeredBook

APPROVED = "approved"


class PolicyStore(LayeredBook):
    def __init__(self, baseline: PolicyBook) -> None:
        super().__init__(baseline)
        self._approved_count = 0  # approval cannot be undone: a new one shows as a higher count
        self.approving = asyncio.Lock()  # one approval at a time: each is previewed against the one before

    async def refresh(self, session: AsyncSession) -> PolicyBook:
        """The book in force now (one small query when nothing changed)."""
        count = await session.scalar(
            sa.select(sa.func.count()).select_from(PolicyChange).where(PolicyChange.status == APPROVED)
        )
        if (count or 0) != self._approved_count:
            approved = await approved_changes(session)
            self.lay([(c["change_id"], c["kind"], c["document"]) for c in approved])
            self._approved_count = len(approved)
        return self.current


async def approved_changes(session: AsyncSession) -> list[dict[str, Any]]:
    """Every approved change in the order of approval (what the bureaus read and lay over their books)."""
    rows = await session.execute(
        sa.select(PolicyChange.id, PolicyChange.kind, PolicyChange.document, PolicyChange.policy_version)
        .where(PolicyChange.status == APPROVED)
        .order_by(PolicyChange.decided_at, PolicyChange.id)
    )
    return [
        {"change_id": i, "kind": kind, "document": document, "policy_version": version}
        for i, kind, document, version in rows
    ]
