"""Reading the append-only event store for the engine: each enterprise's stored events and declared
affiliates (what projection, rebuild and the preview of a policy change judge it on)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm import Affiliation, StoredEvent
from phaseout_coordinator.domain.facts import StoredFact


async def stored_facts(
    session: AsyncSession, usccs: Sequence[str]
) -> tuple[dict[str, list[StoredFact]], dict[str, list[str]]]:
    """The stored events and declared affiliates of each of ``usccs`` (what the engine judges them on)."""
    events: dict[str, list[StoredFact]] = defaultdict(list)
    for uscc, *fact in await session.execute(
        sa.select(
            StoredEvent.uscc,
            StoredEvent.event_id,
            StoredEvent.bureau,
            StoredEvent.sequence,
            StoredEvent.type,
            StoredEvent.data,
        ).where(StoredEvent.uscc.in_(usccs))
    ):
        events[uscc].append(StoredFact(*fact))
    affiliates: dict[str, list[str]] = defaultdict(list)
    for owner, affiliate in await session.execute(
        sa.select(Affiliation.uscc, Affiliation.affiliate_uscc).where(Affiliation.uscc.in_(usccs))
    ):
        affiliates[owner].append(affiliate)
    return events, affiliates
