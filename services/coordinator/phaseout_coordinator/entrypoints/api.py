"""The coordinator's API for the leading group office."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from phaseout_coordinator.adapters.orm import EnterpriseRow, StoredEvent
from phaseout_coordinator.service_layer.ingest import cursors
from phaseout_kit import uscc
from phaseout_kit.auth import Principal, Role
from phaseout_kit.events.inbox import DeadLetter
from phaseout_kit.web import RuntimeDep, problem, require_roles

OFFICE_READERS = (Role.OFFICE_ADMIN, Role.OFFICE_VIEWER, Role.READER, Role.BUREAU)
ReaderDep = Annotated[Principal, Depends(require_roles(*OFFICE_READERS))]


def coordinator_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["协调 coordinator"])

    @router.get("/enterprises/{code}", summary="企业档案 (enterprise dossier with its timeline)")
    async def dossier(code: str, runtime: RuntimeDep, _p: ReaderDep) -> dict[str, Any]:
        try:
            normalised = uscc.validate(code).code
        except uscc.USCCError as exc:
            raise problem(422, str(exc), field="uscc") from exc
        async with runtime.sessions() as session:
            row = await session.get(EnterpriseRow, normalised)
            if row is None:
                raise problem(404, "该企业暂无记录 (no events for this enterprise)")
            events = (
                await session.scalars(
                    sa.select(StoredEvent).where(StoredEvent.uscc == normalised).order_by(StoredEvent.time)
                )
            ).all()
        return {
            "uscc": row.uscc,
            "name": row.name,
            "town": row.town,
            "industrial_park": row.industrial_park,
            "industry": row.industry,
            "first_found_on": row.first_found_on.isoformat(),
            "finding_count": row.finding_count,
            "timeline": [
                {
                    "event_id": e.event_id,
                    "bureau": e.bureau,
                    "sequence": e.sequence,
                    "type": e.type,
                    "time": e.time.isoformat(),
                    "data": e.data,
                }
                for e in events
            ],
        }

    @router.get("/enterprises", summary="企业列表 (enterprises, paginated)")
    async def enterprises(
        runtime: RuntimeDep,
        _p: ReaderDep,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            rows = (
                await session.scalars(
                    sa.select(EnterpriseRow).order_by(EnterpriseRow.uscc).offset(offset).limit(limit)
                )
            ).all()
            total = await session.scalar(sa.select(sa.func.count()).select_from(EnterpriseRow))
        return {
            "total": total,
            "items": [
                {
                    "uscc": r.uscc,
                    "name": r.name,
                    "town": r.town,
                    "industry": r.industry,
                    "finding_count": r.finding_count,
                }
                for r in rows
            ],
        }

    @router.get("/ingest/status", summary="各委办局事件接收进度 (per-bureau sequence cursors)")
    async def ingest_status(runtime: RuntimeDep, _p: ReaderDep) -> dict[str, Any]:
        async with runtime.sessions() as session:
            state = await cursors(session)
        return {b: {"contiguous": c.contiguous, "highest_seen": c.highest_seen} for b, c in state.items()}

    @router.get("/dead-letters", summary="死信 (messages that could not be processed)")
    async def dead_letters(
        runtime: RuntimeDep,
        _p: ReaderDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        async with runtime.sessions() as session:
            rows = (
                await session.scalars(sa.select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit))
            ).all()
        return [
            {
                "id": r.id,
                "topic": r.topic,
                "partition": r.partition,
                "offset": r.offset,
                "key": r.key,
                "reason": r.reason,
                "received_at": r.received_at.isoformat(),
            }
            for r in rows
        ]

    return router
