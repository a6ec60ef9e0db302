"""Projections from the event store: registry, assessment, lists, measures, prices; and decision events.

Ingest only stores events and queues the enterprise (``pending_evaluations``, same transaction); the projector
evaluates queued enterprises in their own transactions, so a crash between the two loses nothing: the queue
row is still there at restart. A rebuild runs the very same code over every enterprise, without events.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, cast
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import SessionTransaction

from phaseout_bureau.domain.cases import OPEN_STATES
from phaseout_coordinator.adapters.event_store import stored_facts
from phaseout_coordinator.adapters.orm import (
    CaseStatusRow,
    EnterpriseRow,
    EnterpriseStatus,
    ListEntryRow,
    MeasureRow,
    PendingEvaluation,
    PriceInstructionRow,
)
from phaseout_coordinator.domain.engine import decision_diff, evaluate
from phaseout_coordinator.domain.facts import Registration, StoredFact, facts_of, registration_of
from phaseout_coordinator.domain.model import Assessment, DecisionChange, Explanation
from phaseout_coordinator.service_layer.policy_store import PolicyStore
from phaseout_kit.clock import DistrictClock, utcnow
from phaseout_kit.db import Base
from phaseout_kit.events.envelope import event_type, source_uri
from phaseout_kit.events.outbox import NewEvent, append_events
from phaseout_kit.tasks import cancel_and_wait
from phaseout_policy import PolicyBook

log = logging.getLogger(__name__)
ASSESSMENT = TypeAdapter(Assessment)
CHANGE = TypeAdapter(DecisionChange)
EXPLANATION = TypeAdapter(Explanation)


def stable_key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def decision_type(kind: str) -> str:
    return event_type("coordinator", "decision", kind)


_QUEUED: WeakKeyDictionary[SessionTransaction, set[str]] = WeakKeyDictionary()  # upserted in this transaction


async def queue(session: AsyncSession, usccs: Iterable[str]) -> None:
    """Mark enterprises for re-evaluation (idempotent; called inside the caller's transaction).

    An upsert that always touches the row, never "insert if absent": it holds the row's lock until the caller
    commits, so a projection of the same enterprise running meanwhile (which locks the row first) either waits
    for these events or, having deleted the row, lets this insert a new one. Reading "already queued" and
    skipping would race: the projector could evaluate without the new events and then delete the row.
    """
    transaction = session.sync_session.get_transaction()
    done: set[str] = _QUEUED.setdefault(transaction, set()) if transaction is not None else set()
    fresh = sorted(set(usccs) - done)  # sorted: concurrent transactions lock rows in the same order
    if not fresh:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    queued_at = utcnow()
    for start in range(0, len(fresh), 1000):  # one statement per thousand (bound-parameter limits)
        statement = insert(PendingEvaluation).values(
            [{"uscc": uscc, "queued_at": queued_at} for uscc in fresh[start : start + 1000]]
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[PendingEvaluation.uscc], set_={"queued_at": PendingEvaluation.queued_at}
            )
        )
    done.update(fresh)


class Projector:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: DistrictClock,
        policy: PolicyBook | PolicyStore,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        # The book in force: the shipped one with the office's approved changes, re-read when one is approved.
        self._policy = policy if isinstance(policy, PolicyStore) else PolicyStore(policy)
        self._on_commit = on_commit  # wakes the outbox relay after decision events were written
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wakeup.set()

    def today(self) -> date:
        return self._clock.today()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="projector")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        while True:
            try:
                while await self.run_pending():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("projection failed; will retry", extra={"error": repr(exc)})
                await asyncio.sleep(1.0)
            try:
                # Ingest, catch-up and the scheduler wake it; the timeout is only a safety net (idle CPU).
                async with asyncio.timeout(5.0):  # not wait_for: see phaseout_kit.tasks
                    await self._wakeup.wait()
            except TimeoutError:
                pass
            self._wakeup.clear()

    async def run_pending(self, batch: int = 100) -> int:
        """Project the longest-waiting queued enterprises, a batch in one transaction. Returns how many.

        If the batch fails, its enterprises are projected one by one, so one enterprise the engine cannot
        evaluate does not hold up the others: it stays queued, moved to the back, and is logged.
        """
        async with self._sessions() as session:
            candidates = list(
                await session.scalars(
                    sa.select(PendingEvaluation.uscc).order_by(PendingEvaluation.queued_at).limit(batch)
                )
            )
        if not candidates:
            return 0
        try:
            await self._project_queued(candidates)
        except Exception as batch_error:
            failed = 0
            for uscc in candidates if len(candidates) > 1 else ():
                try:
                    await self._project_queued([uscc])
                except Exception as exc:
                    failed += 1
                    log.error("projection failed; kept queued", extra={"uscc": uscc, "error": repr(exc)})
                    await self._to_back_of_queue(uscc)
            if failed == len(candidates) or len(candidates) == 1:
                raise batch_error  # nothing went through (e.g. the database is away): the loop backs off
        return len(candidates)

    async def _project_queued(self, candidates: Sequence[str]) -> None:
        async with self._sessions() as session, session.begin():
            # Lock the queue rows first, in USCC order as ``queue`` does (no deadlock): an ingest that queued one
            # of these enterprises and has not committed yet is waited for, so its events are read below.
            locked = list(
                await session.scalars(
                    sa.select(PendingEvaluation.uscc)
                    .where(PendingEvaluation.uscc.in_(candidates))
                    .order_by(PendingEvaluation.uscc)
                    .with_for_update()
                )
            )
            await self.project(session, locked, emit=True)
            await session.execute(
                sa.delete(PendingEvaluation)
                .where(PendingEvaluation.uscc.in_(locked))
                .execution_options(synchronize_session=False)
            )
        self._on_commit()

    async def _to_back_of_queue(self, uscc: str) -> None:
        try:
            async with self._sessions() as session, session.begin():
                await session.execute(
                    sa.update(PendingEvaluation)
                    .where(PendingEvaluation.uscc == uscc)
                    .values(queued_at=utcnow())
                )
        except Exception as exc:  # the row is still queued where it was; the next round tries again
            log.warning("could not requeue", extra={"uscc": uscc, "error": repr(exc)})

    async def queue_due(self) -> int:
        """The scheduler's step: queue every enterprise whose decisions change by today without new events."""
        today = self._clock.today()
        async with self._sessions() as session, session.begin():
            due = list(
                await session.scalars(
                    sa.select(EnterpriseStatus.uscc).where(
                        sa.or_(EnterpriseStatus.next_change_on <= today, EnterpriseStatus.as_of > today)
                    )
                )
            )
            await queue(session, due)
        if due:
            self.wake()
        return len(due)

    def assess(
        self, uscc: str, stored: list[StoredFact], affiliates: Iterable[str], today: date, policy: PolicyBook
    ) -> tuple[Registration, Assessment] | None:
        """The registry entry and assessment of one enterprise from its stored events (no I/O)."""
        registration = registration_of(stored)
        if registration is None:
            return None
        return registration, evaluate(facts_of(uscc, stored, affiliates), today, policy)

    async def project(
        self, session: AsyncSession, usccs: Sequence[str], *, emit: bool
    ) -> dict[str, Assessment]:
        """Evaluate enterprises from their stored events and replace their projections (set-based: a few
        statements per batch, not per enterprise). With ``emit``, the decisions that changed since the last
        projection go out as events through the outbox, in the same transaction."""
        events, affiliates = await stored_facts(session, usccs)
        policy = await self._policy.refresh(session)
        previous: dict[str, Any] = {}
        if emit:
            statuses = sa.select(EnterpriseStatus.uscc, EnterpriseStatus.assessment)
            for uscc, assessment in await session.execute(statuses.where(EnterpriseStatus.uscc.in_(usccs))):
                previous[uscc] = assessment
        today = self._clock.today()
        rows: dict[type[Base], list[dict[str, Any]]] = defaultdict(list)
        assessed: dict[str, Assessment] = {}
        decisions: list[NewEvent] = []
        for uscc in usccs:
            result = self.assess(uscc, events[uscc], affiliates[uscc], today, policy)
            if result is None:  # no finding among its events: nothing to project
                continue
            registration, assessment = result
            if emit:
                before = ASSESSMENT.validate_python(previous[uscc]) if uscc in previous else None
                decisions += [
                    NewEvent(
                        source_uri("coordinator"),
                        decision_type(change.kind),
                        change.uscc,
                        CHANGE.dump_python(change, mode="json"),
                    )
                    for change in decision_diff(before, assessment)
                ]
            rows[EnterpriseRow].append(registry_row(uscc, registration))
            rows[EnterpriseStatus].append(status_row(assessment, today))
            for table, table_rows in detail_rows(assessment).items():
                rows[table].extend(table_rows)
            assessed[uscc] = assessment
        for model, column in PROJECTED_BY:
            await session.execute(
                sa.delete(model)
                .where(column.in_(list(assessed)))
                .execution_options(synchronize_session=False)
            )
        for model, _ in PROJECTED_BY:
            if rows[model]:
                # A Core insert, not the ORM's bulk insert: the rows are plain dicts already (1.3x the rebuild).
                await session.execute(sa.insert(cast(sa.Table, model.__table__)), rows[model])
        await append_events(session, decisions)  # last: the outbox counter stays locked until commit
        return assessed


Table = type[CaseStatusRow] | type[ListEntryRow] | type[MeasureRow] | type[PriceInstructionRow]


# Every projection table and the column that says whose projection a row is.
PROJECTED_BY: tuple[tuple[type[Base], sa.orm.InstrumentedAttribute[str]], ...] = (
    (EnterpriseRow, EnterpriseRow.uscc),
    (EnterpriseStatus, EnterpriseStatus.uscc),
    (CaseStatusRow, CaseStatusRow.uscc),
    (ListEntryRow, ListEntryRow.uscc),
    (MeasureRow, MeasureRow.source_uscc),
    (PriceInstructionRow, PriceInstructionRow.uscc),
)


def registry_row(uscc: str, r: Registration) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": r.name,
        "town": r.town,
        "industrial_park": r.industrial_park,
        "industry": r.industry,
        "first_found_on": r.first_found_on,
        "finding_count": r.finding_count,
        "lines": r.lines,
        "updated_at": utcnow(),
    }


def status_row(a: Assessment, today: date) -> dict[str, Any]:
    return {
        "uscc": a.uscc,
        "status": a.status.value,
        "dimensions": {d: s.value for d, s in a.dimensions.items()},
        "assessment": ASSESSMENT.dump_python(a, mode="json"),
        "next_change_on": a.next_change_on,
        "as_of": today,
        "evaluated_at": utcnow(),
    }


def detail_rows(a: Assessment) -> dict[Table, list[dict[str, Any]]]:
    """The rows of one assessment in the case, list, measure and price projections."""
    uscc = a.uscc
    return {
        CaseStatusRow: [
            {
                "case_id": c.case_id,
                "uscc": uscc,
                "bureau": c.bureau,
                "finding_type": c.finding_type,
                "state": c.state,
                "status": c.status.value,
                "found_on": c.found_on,
                "deadline": c.deadline,
                "open": c.state in OPEN_STATES,
                "state_since": c.state_since,
            }
            for c in a.cases
        ],
        ListEntryRow: [
            {
                "uscc": uscc,
                "list_code": e.list_code,
                "dimension": e.dimension,
                "case_id": e.case_id,
                "start_on": e.interval.start,
                "end_on": e.interval.end,
                "explanation": _explain(e.explanation),
                "details": e.details,
            }
            for e in a.lists
        ],
        MeasureRow: [
            {
                "key": stable_key(uscc, m.uscc, m.measure_code, m.interval.start),
                "source_uscc": uscc,
                "uscc": m.uscc,
                "via_affiliate_of": m.via_affiliate_of,
                "measure_code": m.measure_code,
                "title_zh": m.title_zh,
                "target_unit": m.target_unit,
                "start_on": m.interval.start,
                "end_on": m.interval.end,
                "earliest_lift_on": m.earliest_lift_on,
                "explanation": _explain(m.explanation),
            }
            for m in a.measures
        ],
        PriceInstructionRow: [
            {
                "key": stable_key(uscc, p.kind, p.case_id, p.interval.start),
                "uscc": uscc,
                "kind": p.kind,
                "category": p.category,
                "surcharge_yuan_per_kwh": p.surcharge_yuan_per_kwh,
                "confidence": p.confidence,
                "case_id": p.case_id,
                "start_on": p.interval.start,
                "end_on": p.interval.end,
                "explanation": _explain(p.explanation),
            }
            for p in a.prices
        ],
    }


def _explain(explanation: Explanation) -> dict[str, Any]:
    doc: dict[str, Any] = EXPLANATION.dump_python(explanation, mode="json")
    return doc
