"""The bureau's policy book: the shipped one with the office's approved changes (a year's plan that sets a
rectification period, …) laid over it — read from the coordinator, kept in the bureau's own database, so the
deadline of every order is computed with the period in force, also after a restart with the coordinator away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_bureau.adapters.orm import OfficePolicyChange
from phaseout_kit.clock import utcnow
from phaseout_kit.tasks import cancel_and_wait
from phaseout_policy import PolicyBook
from phaseout_policy.office import KINDS, LayeredBook

log = logging.getLogger(__name__)


class ApprovedChange(BaseModel):
    """One approved change as the coordinator lists it (checked again here: the answer is not trusted)."""

    model_config = ConfigDict(extra="ignore")

    change_id: int
    kind: str
    document: dict[str, Any]
    policy_version: str | None = None


APPROVED = TypeAdapter(list[ApprovedChange])
Fetch = Callable[[], Awaitable[Any]]  # the coordinator's GET /api/v1/policy/changes/approved, as JSON


class OfficePolicy(LayeredBook):
    def __init__(
        self,
        baseline: PolicyBook,
        sessions: async_sessionmaker[AsyncSession],
        fetch: Fetch | None,
        interval_s: float,
    ) -> None:
        super().__init__(baseline)
        self._sessions, self._fetch, self._interval_s = sessions, fetch, interval_s
        self._task: asyncio.Task[None] | None = None

    async def load(self) -> PolicyBook:
        """Lay the changes this bureau has received over the shipped book (at start, and after a sync)."""
        async with self._sessions() as session:
            rows = await session.execute(
                sa.select(
                    OfficePolicyChange.change_id, OfficePolicyChange.kind, OfficePolicyChange.document
                ).order_by(OfficePolicyChange.position)
            )
            return self.lay([(i, kind, doc) for i, kind, doc in rows])

    async def sync(self) -> int:
        """Receive the coordinator's approved changes: store the new ones, then lay them. Returns how many."""
        if self._fetch is None:
            return 0
        approved = APPROVED.validate_python(await self._fetch())
        for change in approved:
            if change.kind not in KINDS:
                raise ValueError(f"unknown policy change kind {change.kind!r}")
            KINDS[change.kind].model_validate(change.document)  # a document this code can lay, or nothing
        async with self._sessions() as session, session.begin():
            known = set(await session.scalars(sa.select(OfficePolicyChange.change_id)))
            new = [
                OfficePolicyChange(
                    change_id=c.change_id,
                    position=position,
                    kind=c.kind,
                    document=c.document,
                    policy_version=c.policy_version,
                    received_at=utcnow(),
                )
                for position, c in enumerate(approved)
                if c.change_id not in known
            ]
            session.add_all(new)
        if new:
            await self.load()
            log.info("office policy changes received", extra={"changes": [c.change_id for c in new]})
        return len(new)

    def start(self) -> None:
        if self._fetch is not None:
            self._task = asyncio.create_task(self._run(), name="office-policy-sync")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        while True:
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the coordinator away or answering nonsense: keep the book we have
                log.warning("office policy sync failed; will retry", extra={"error": repr(exc)})
            await asyncio.sleep(self._interval_s)
