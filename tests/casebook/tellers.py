"""Telling a story: to the bureaus' case machine and checks (pure, fast), or to the bureaus' own service layer
with a real database, reading back the events each bureau published. Either way the coordinator's facts come
from what the bureau recorded, and the pure engine assesses them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_bureau.app import MIGRATIONS
from phaseout_bureau.domain.cases import payload_model
from phaseout_bureau.domain.findings import FindingCreate
from phaseout_bureau.service.actions import apply_action
from phaseout_bureau.service.intake import checked_details, record_finding
from phaseout_coordinator.domain.engine import evaluate
from phaseout_coordinator.domain.facts import StoredFact, facts_of
from phaseout_coordinator.domain.model import EnterpriseFacts
from phaseout_kit.auth import Principal, Role
from phaseout_kit.db import make_engine, make_session_factory, transaction, upgrade_to_head
from phaseout_kit.events.outbox import OutboxRecord
from phaseout_policy import PolicyBook
from tests.bureaus import SPECS
from tests.casebook.book import Step, Story, Teller, step_fields
from tests.unit.test_engine import Facts

TODAY = date(2026, 12, 7)


def told_to_the_machine(story: Story, policy: PolicyBook) -> Teller:
    """Each finding through its bureau's checks, each step through the case machine (no database)."""
    facts = Facts(affiliates=story.affiliates, uscc=story.uscc, name=story.name)
    for filed in story.filed:
        body = FindingCreate.model_validate(filed.body(story.uscc, story.name))
        _, derived = checked_details(SPECS[filed.bureau], body, policy)
        facts.case(
            filed.bureau,
            filed.found,
            *(
                (action, when, step_fields(action, when, dict(*extra)))
                for action, when, *extra in filed.steps
            ),
            finding_type=filed.kind,
            severity=filed.severity,
            derived=derived,
            industry=body.industry,
            line=body.production_line.model_dump(mode="json") if body.production_line else None,
        )
    enterprise = facts.build()
    return lambda day: evaluate(enterprise, day, policy)


@dataclass(frozen=True)
class Bureaus:
    """Each bureau's own database, migrated to head."""

    sessions: Mapping[str, async_sessionmaker[AsyncSession]]


@asynccontextmanager
async def bureau_databases(urls: Mapping[str, str]) -> AsyncIterator[Bureaus]:
    async with AsyncExitStack() as stack:
        sessions = {}
        for bureau, url in urls.items():
            engine = make_engine(url, pool_size=2)
            stack.push_async_callback(engine.dispose)
            await upgrade_to_head(engine, MIGRATIONS)
            sessions[bureau] = make_session_factory(engine)
        yield Bureaus(sessions)


async def record_step(bureaus: Bureaus, bureau: str, case_id: str, step: Step, policy: PolicyBook) -> None:
    """One step of a case through the bureau's service layer, in its own transaction (as the API opens it)."""
    action, when, *extra = step
    body = payload_model(action).model_validate(step_fields(action, when, dict(*extra)))
    inspector = Principal(actor=f"{bureau}-inspector", role=Role.BUREAU, bureau=bureau)
    async with transaction(bureaus.sessions[bureau]) as session:
        await apply_action(session, SPECS[bureau], case_id, action, body, inspector, None, TODAY, policy)


async def record(story: Story, bureaus: Bureaus, policy: PolicyBook) -> list[str]:
    """Each finding and its steps through the bureaus' service layer; the case ids, in the story's order."""
    case_ids = []
    for filed in story.filed:
        inspector = Principal(actor=f"{filed.bureau}-inspector", role=Role.BUREAU, bureau=filed.bureau)
        body = FindingCreate.model_validate(filed.body(story.uscc, story.name))
        async with transaction(bureaus.sessions[filed.bureau]) as session:
            recorded = await record_finding(
                session, SPECS[filed.bureau], body, inspector, None, TODAY, policy
            )
        case_ids.append(recorded.finding.finding_id)
        for step in filed.steps:
            await record_step(bureaus, filed.bureau, recorded.finding.finding_id, step, policy)
    return case_ids


async def published(story: Story, bureaus: Bureaus) -> EnterpriseFacts:
    """The coordinator's facts about the story's enterprise: the events each bureau's outbox holds for it."""
    stored: list[StoredFact] = []
    for bureau, sessions in bureaus.sessions.items():
        async with sessions() as session:
            rows = await session.scalars(
                sa.select(OutboxRecord)
                .where(OutboxRecord.subject == story.uscc)
                .order_by(OutboxRecord.sequence)
            )
            stored += [StoredFact(r.event_id, bureau, r.sequence, r.type, r.data) for r in rows]
    return facts_of(story.uscc, stored, story.affiliates)


async def told_to_the_service(story: Story, bureaus: Bureaus, policy: PolicyBook) -> Teller:
    """The story recorded through the bureaus' service layer, judged from what they published."""
    await record(story, bureaus, policy)
    enterprise = await published(story, bureaus)
    return lambda day: evaluate(enterprise, day, policy)
