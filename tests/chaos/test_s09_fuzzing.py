"""Scenario 9 — fuzzing: schemathesis generates requests from each of the six services' OpenAPI documents
(in-process, real lifespan, SQLite, a real broker, a valid token; the coordinator holds real events) and
checks every response: no 5xx, no undocumented status code or content type, no body or header that
violates the documented schema.

Bounded for CI: a fixed number of examples per operation, derandomised (a failure reproduces), ≈ 20–30 s.
The five bureaus share one router, so the first gets more examples and the others fewer; what differs
between them (finding types, details schemas, the environment bureau's emitter lists) is still covered.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from phaseout_bureau.app import build_app as build_bureau
from phaseout_coordinator.adapters.edition_templates import FORMS, edition_template
from phaseout_coordinator.adapters.plan_year_template import template_bytes
from phaseout_coordinator.app import build_app as build_coordinator
from phaseout_coordinator.bootstrap import MIGRATIONS
from phaseout_coordinator.service_layer.ingest import ensure_cursors, store_events
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_kit.events.broker import EmbeddedBroker
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.inbox import store_batch
from phaseout_kit.settings import CoordinatorSettings, ServiceSettings
from tests.apps import auth, bureau_client
from tests.bureaus import SPECS
from tests.chaos.support import CLOCK, finding_body, projector, report, sessions_for
from tests.policy_samples import HAZARD_L10_A4_6, PLAN, XLSX, filled_edition, filled_template

# The XLSX uploads take the file itself as their body: filled-in templates, near misses and noise.
schemathesis.openapi.media_type(
    XLSX,
    st.sampled_from(
        [
            filled_template(template_bytes(), PLAN),
            filled_template(template_bytes(), {**PLAN, "tasks": []}),
            template_bytes(),
            filled_edition(edition_template(FORMS["hazard_items"]), HAZARD_L10_A4_6),
            b"PK\x03\x04 truncated",
            b"",
        ]
    ),
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = {"coordinator": 12, "energy": 8, "environment": 3, "quality": 2, "safety": 2, "technology": 2}


async def seed_coordinator(url: str, bootstrap: str, tmp_path: Path) -> None:
    """Real events in the coordinator's store (a red enterprise with measures, a compliant one), projected."""
    async with bureau_client(ENERGY, f"sqlite+aiosqlite:///{tmp_path / 'seed'}.db", bootstrap) as client:
        writer = auth("demo-energy-writer")
        for n in range(3):
            case = (
                await client.post("/api/v1/findings", json=finding_body("energy", n), headers=writer)
            ).json()
            await client.post(
                f"/api/v1/cases/{case['finding_id']}/rectification_ordered",
                json={"occurred_on": "2020-09-10"},
                headers=writer,
            )
        feed = (await client.get("/api/v1/events?after=0", headers=auth("demo-reader"))).json()["events"]
    async with sessions_for(url, MIGRATIONS) as sessions:
        async with sessions() as session, session.begin():
            await ensure_cursors(session)
        await store_batch(sessions, [EventEnvelope.from_json(e) for e in feed], store_events)
        while await projector(sessions).run_pending():
            pass


def fuzz(name: str, app: FastAPI, token: str, examples: int) -> tuple[int, int, Counter[int], list[str]]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = requests = 0
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            nonlocal requests
            requests += 1
            try:
                response = case.call(headers=auth(token))
            except Exception as exc:  # the app raised: a 500 a client would have seen
                statuses[500] += 1
                failures.append(f"{name} {case.operation.label}: {exc!r}\n  {case.as_curl_command()}")
                return
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, BaseExceptionGroup) as exc:
                failures.append(f"{name} {case.operation.label}: {str(exc)[:1500]}")

        run()
    return operations, requests, statuses, failures


def test_fuzzing_all_six_services_finds_no_5xx_and_no_schema_violation(tmp_path: Path) -> None:
    started = time.monotonic()
    broker = asyncio.run(EmbeddedBroker(log_file=tmp_path / "broker.log").started())
    bootstrap = broker.bootstrap
    try:
        coordinator_url = f"sqlite+aiosqlite:///{tmp_path / 'coordinator'}.db"
        asyncio.run(seed_coordinator(coordinator_url, bootstrap, tmp_path))
        apps: dict[str, tuple[FastAPI, str]] = {
            "coordinator": (
                build_coordinator(
                    CoordinatorSettings(
                        service="coordinator",
                        database_url=coordinator_url,
                        kafka_bootstrap=bootstrap,
                        bureau_urls={},
                        clock_date=date(CLOCK.year, CLOCK.month, CLOCK.day),
                    )
                ),
                "demo-office-admin",
            ),
            **{
                name: (
                    build_bureau(
                        spec,
                        ServiceSettings(
                            service=name,
                            database_url=f"sqlite+aiosqlite:///{tmp_path / name}.db",
                            kafka_bootstrap=bootstrap,
                        ),
                    ),
                    f"demo-{name}-writer",
                )
                for name, spec in SPECS.items()
            },
        }
        totals: Counter[str] = Counter()
        statuses: Counter[int] = Counter()
        failures: list[str] = []
        try:
            for name, (app, token) in apps.items():
                operations, requests, by_status, found = fuzz(name, app, token, EXAMPLES[name])
                totals["operations"] += operations
                totals["requests"] += requests
                statuses.update(by_status)
                failures.extend(found)
        finally:
            asgi.shutdown_lifespans()
    finally:
        broker.kill()
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    report(
        9,
        "sqlite",
        services=len(apps),
        operations=totals["operations"],
        requests=totals["requests"],
        server_errors=server_errors,
        check_failures=len(failures),
        answered=" ".join(f"{s}:{n}" for s, n in sorted(statuses.items())),
        seconds=round(time.monotonic() - started),
    )
    assert totals["operations"] >= 150
    assert not failures, "\n\n".join(failures[:10])
    assert server_errors == 0
