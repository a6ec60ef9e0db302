"""The office declares an enterprise's affiliates (关联企业): joint punishment reaches them too (audited)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm import Affiliation
from phaseout_coordinator.service_layer.projector import queue
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.clock import utcnow


async def declare_affiliates(
    session: AsyncSession, principal: Principal, owner: str, affiliates: list[str]
) -> list[str]:
    """Replaces the owner's declared affiliates (validated codes) in the caller's transaction and queues the
    owner for re-evaluation; the caller wakes the projector after the commit. Returns what is declared."""
    declared = sorted(set(affiliates) - {owner})
    before = list(
        await session.scalars(sa.select(Affiliation.affiliate_uscc).where(Affiliation.uscc == owner))
    )
    await session.execute(sa.delete(Affiliation).where(Affiliation.uscc == owner))
    session.add_all(
        Affiliation(uscc=owner, affiliate_uscc=a, declared_at=utcnow(), declared_by=principal.actor)
        for a in declared
    )
    record_audit(
        session,
        principal,
        action="enterprise.affiliates",
        object_type="enterprise",
        object_id=owner,
        before={"affiliates": before},
        after={"affiliates": declared},
    )
    await queue(session, [owner])
    return declared
