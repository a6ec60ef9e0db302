"""The policy book in force: the shipped book (the baseline) with the office's approved changes laid over it,
re-read from the database whenever a later change has been approved (by this process or another one)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm_policy import PolicyChange
from phaseout_policy import PolicyBook
from phaseout_policy.office import apply_changes

APPROVED = "approved"


class PolicyStore:
    def __init__(self, baseline: PolicyBook) -> None:
        self.baseline = baseline
        self.current = baseline
        self._applied = 0  # how many approved changes ``current`` holds (approval cannot be undone)
        self.approving = asyncio.Lock()  # one approval at a time: each is previewed against the one before

    async def refresh(self, session: AsyncSession) -> PolicyBook:
        """The book in force now (one small query when nothing changed)."""
        count = await session.scalar(
            sa.select(sa.func.count()).select_from(PolicyChange).where(PolicyChange.status == APPROVED)
        )
        if (count or 0) != self._applied:
            approved = list(
                await session.execute(
                    sa.select(PolicyChange.id, PolicyChange.kind, PolicyChange.document)
                    .where(PolicyChange.status == APPROVED)
                    .order_by(PolicyChange.decided_at, PolicyChange.id)
                )
            )
            self.current = apply_changes(self.baseline, [(i, kind, doc) for i, kind, doc in approved])
            self._applied = len(approved)
        return self.current
