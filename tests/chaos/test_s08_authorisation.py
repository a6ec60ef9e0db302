"""Scenario 8 — authorisation matrix: every write endpoint of a bureau (findings and each case action) and of
the coordinator (affiliates, measure feedback, publications, clock, annex reports, supervision actions, policy
changes) ×
every role (each bureau's writer, office admin and viewer, reader, the feed token, each department, no
token, an expired token, forged tokens) gives the expected 2xx / 401 / 403. Object-level checks: a bureau's
token cannot act on another bureau's cases, a department cannot answer another department's measure nor
report for another unit. Tokens are stored only as hashes. Every successful write is in the audit log with
actor, time, action and before/after; no route edits or deletes it and the database refuses to.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from sqlalchemy.exc import DBAPIError

from phaseout_bureau.app import build_app as build_bureau
from phaseout_bureau.domain.cases import Action
from phaseout_coordinator.adapters.plan_year_template import template_bytes
from phaseout_coordinator.app import build_app as build_coordinator
from phaseout_coordinator.service_layer.ingest import store_events
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_environment.domain import SPEC as ENVIRONMENT
from phaseout_kit.audit import AuditEntry
from phaseout_kit.auth import DEMO_TOKENS, ApiToken, Role, add_token, hash_token
from phaseout_kit.clock import utcnow
from phaseout_kit.events.broker import EmbeddedBroker
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.inbox import store_batch
from phaseout_kit.registry import BUREAUS
from phaseout_kit.settings import DEV_TOKEN_PEPPER, CoordinatorSettings, ServiceSettings
from tests.apps import auth
from tests.chaos.support import CLOCK, ENTERPRISES, finding_body, report
from tests.conftest import BACKENDS, backend_database
from tests.policy_samples import CATALOGUE_2024_STEEL as SAMPLE_CATALOGUE_ITEMS
from tests.policy_samples import EXIT_IN_3_MONTHS as SAMPLE_RULE
from tests.policy_samples import HAZARD_L10_A4_6 as SAMPLE_ITEMS
from tests.policy_samples import PLAN as SAMPLE_PLAN
from tests.policy_samples import SINTERING_2013 as SAMPLE_LIMITS
from tests.policy_samples import XLSX, filled_edition, filled_template

XLSX_BODY = {"Content-Type": XLSX}
EXPIRED = "chaos-expired-" + secrets.token_hex(8)
FORGED = "chaos-forged-" + secrets.token_hex(8)
# Who is asking: name -> Authorization header (None: no header at all).
PRINCIPALS: dict[str, dict[str, str] | None] = {
    **{f"{b}_writer": auth(f"demo-{b}-writer") for b in BUREAUS},
    "office_admin": auth("demo-office-admin"),
    "office_viewer": auth("demo-office-viewer"),
    "reader": auth("demo-reader"),
    "feed": auth("demo-coordinator-feed"),
    "department_land": auth("demo-department-land"),
    "department_bank": auth("demo-department-bank"),
    "department_power": auth("demo-department-power"),
    "no_token": None,
    "expired": auth(EXPIRED),
    "forged": auth(FORGED),
    "stored_hash_as_token": auth(hash_token("demo-office-admin", DEV_TOKEN_PEPPER)),
    "basic_scheme": {"Authorization": "Basic ZGVtbzpkZW1v"},
}
UNAUTHENTICATED = {"no_token", "expired", "forged", "stored_hash_as_token", "basic_scheme"}

# Each action, the steps that bring a fresh case to where it is allowed, and its payload.
DAY = iter(f"2020-{m:02d}-{d:02d}" for m in range(9, 13) for d in range(1, 29))
PATHS: dict[str, list[str]] = {
    "rectification_ordered": [],
    "extension_requested": ["rectification_ordered"],
    "extension_granted": ["rectification_ordered", "extension_requested"],
    "extension_refused": ["rectification_ordered", "extension_requested"],
    "rectification_reported": ["rectification_ordered"],
    "reinspection_passed": ["rectification_ordered", "rectification_reported"],
    "reinspection_failed": ["rectification_ordered"],
    "production_restricted": [],
    "production_suspended": [],
    "closure_proposed": [],
    "closure_approved": ["closure_proposed"],
    "closure_rejected": ["closure_proposed"],
    "closure_executed": ["closure_proposed", "closure_approved"],
    "water_cut": [],
    "power_cut": [],
    "power_units_removed": [],
    "equipment_sealed": [],
    "equipment_dismantled": [],
    "exit_announced": ["closure_proposed", "closure_approved", "closure_executed"],
    "case_closed": ["rectification_ordered", "rectification_reported", "reinspection_passed"],
}
PAYLOAD: dict[str, dict[str, Any]] = {
    "extension_requested": {"months": 2},
    "closure_approved": {"document_no": "涪府函〔2020〕99号"},
    "closure_executed": {"way": "closed"},
}


def body_for(action: str, occurred_on: str) -> dict[str, Any]:
    return {"occurred_on": occurred_on, **PAYLOAD.get(action, {})}


def database(backend: str, tmp_path: Path, name: str) -> AbstractAsyncContextManager[str]:
    return backend_database(backend, tmp_path, name, "phaseout_chaos8")


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        async with runtime.unit_of_work() as session:
            await add_token(
                session, EXPIRED, runtime.settings.token_pepper, actor="chaos:expired", role=Role.OFFICE_ADMIN,
                expires_at=utcnow() - timedelta(minutes=1),
            )  # fmt: skip
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def api_routes(app: FastAPI) -> list[RouteContext]:
    """Every API route, those of included routers too."""
    return [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]


def write_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, route.path or "")
        for route in api_routes(app)
        if (route.path or "").startswith("/api/")
        for method in route.methods or ()
        if method in {"POST", "PUT", "PATCH", "DELETE"}
    }


class Matrix:
    def __init__(self) -> None:
        self.cells: list[tuple[str, str, str, int, int]] = []  # service, endpoint, principal, expected, got
        self.successful_writes: Counter[str] = Counter()

    def check(self, service: str, endpoint: str, principal: str, expected: int, got: httpx.Response) -> None:
        self.cells.append((service, endpoint, principal, expected, got.status_code))
        if 200 <= got.status_code < 300:
            self.successful_writes[service] += 1

    @property
    def wrong(self) -> list[tuple[str, str, str, int, int]]:
        return [c for c in self.cells if c[3] != c[4]]


async def audit_rows(app: FastAPI) -> list[AuditEntry]:
    async with app.state.runtime.sessions() as session:
        return list(await session.scalars(sa.select(AuditEntry)))


async def stored_tokens(app: FastAPI) -> list[ApiToken]:
    async with app.state.runtime.sessions() as session:
        return list(await session.scalars(sa.select(ApiToken)))


async def audit_is_append_only(app: FastAPI) -> list[str]:
    """Which of UPDATE and DELETE on audit_log the database refused."""
    refused = []
    for statement in ("UPDATE audit_log SET actor = 'tampered'", "DELETE FROM audit_log"):
        try:
            async with app.state.runtime.sessions() as session, session.begin():
                await session.execute(sa.text(statement))
        except DBAPIError:
            refused.append(statement.split()[0])
    return refused


@pytest.mark.parametrize("backend", BACKENDS)
async def test_authorisation_matrix_and_append_only_audit(
    backend: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    matrix = Matrix()
    async with (
        database(backend, tmp_path, "energy") as energy_db,
        database(backend, tmp_path, "environment") as environment_db,
        database(backend, tmp_path, "coordinator") as coordinator_db,
    ):
        energy = build_bureau(
            ENERGY,
            ServiceSettings(service="energy", database_url=energy_db, kafka_bootstrap=broker.bootstrap),
        )
        environment = build_bureau(
            ENVIRONMENT,
            ServiceSettings(
                service="environment", database_url=environment_db, kafka_bootstrap=broker.bootstrap
            ),
        )
        coordinator = build_coordinator(
            CoordinatorSettings(
                service="coordinator",
                database_url=coordinator_db,
                kafka_bootstrap=broker.bootstrap,
                bureau_urls={},
                clock_date=CLOCK,
                consumer_group=f"chaos8-{tmp_path.name}",
            )
        )
        async with serving(energy) as e, serving(environment) as env, serving(coordinator) as c:
            writer = PRINCIPALS["energy_writer"]

            # --- bureau: findings ---
            for name, headers in PRINCIPALS.items():
                expected = 201 if name == "energy_writer" else 401 if name in UNAUTHENTICATED else 403
                r = await e.post("/api/v1/findings", json=finding_body("energy", 1), headers=headers or {})
                matrix.check("energy", "POST /findings", name, expected, r)

            async def new_case(n: int) -> str:
                r = await e.post("/api/v1/findings", json=finding_body("energy", n), headers=writer)
                assert r.status_code == 201, r.text
                matrix.successful_writes["energy"] += 1
                return str(r.json()["finding_id"])

            # --- bureau: every case action, on a case brought to where the action is allowed ---
            assert set(PATHS) == {a.value for a in Action}
            for n, (action, path) in enumerate(PATHS.items()):
                case_id = await new_case(n + 2)
                for step in path:
                    r = await e.post(
                        f"/api/v1/cases/{case_id}/{step}", json=body_for(step, next(DAY)), headers=writer
                    )
                    assert r.status_code == 201, (action, step, r.text)
                    matrix.successful_writes["energy"] += 1
                day = next(DAY)
                for name, headers in PRINCIPALS.items():
                    if name == "energy_writer":
                        continue  # last, once everyone else was refused
                    expected = 401 if name in UNAUTHENTICATED else 403
                    r = await e.post(
                        f"/api/v1/cases/{case_id}/{action}", json=body_for(action, day), headers=headers or {}
                    )
                    matrix.check("energy", f"POST /cases/{{id}}/{action}", name, expected, r)
                r = await e.post(
                    f"/api/v1/cases/{case_id}/{action}", json=body_for(action, day), headers=writer
                )
                matrix.check("energy", f"POST /cases/{{id}}/{action}", "energy_writer", 201, r)
                # Object level: the environment bureau's own token, on its own service, cannot reach this case.
                r = await env.post(
                    f"/api/v1/cases/{case_id}/{action}",
                    json=body_for(action, day),
                    headers=PRINCIPALS["environment_writer"],
                )
                matrix.check(
                    "environment", f"POST /cases/{{energy case}}/{action}", "environment_writer", 404, r
                )

            # --- coordinator: events of a red enterprise, so that measures exist ---
            # An enterprise of its own: one whose case above was closed (关闭) has no open case left to punish.
            red = finding_body("energy", 900, ENTERPRISES[-1:])
            r = await e.post("/api/v1/findings", json={**red, "severity": "serious"}, headers=writer)
            red_case = r.json()["finding_id"]
            await e.post(
                f"/api/v1/cases/{red_case}/rectification_ordered",
                json={"occurred_on": "2020-09-10"},
                headers=writer,
            )
            matrix.successful_writes["energy"] += 2
            feed = (await e.get("/api/v1/events?after=0&limit=1000", headers=PRINCIPALS["reader"])).json()[
                "events"
            ]
            state = coordinator.state.coordinator
            await store_batch(
                state.runtime.sessions, [EventEnvelope.from_json(doc) for doc in feed], store_events
            )
            while await state.projector.run_pending():
                pass
            uscc = red["uscc"]
            dossier = (await c.get(f"/api/v1/enterprises/{uscc}", headers=PRINCIPALS["office_viewer"])).json()
            measures = {m["target_department_zh"]: m["key"] for m in dossier["measures"]}
            land_key = measures["区规划自然资源局"]

            admin_only = {"office_admin": 1}
            cases: list[tuple[str, str, Any, dict[str, int], int]] = [
                # endpoint, url, body, who may (and the success status), success status
                (
                    "PUT /enterprises/{code}/affiliates",
                    f"/api/v1/enterprises/{uscc}/affiliates",
                    {"affiliates": []},
                    admin_only,
                    200,
                ),
                ("PUT /clock", "/api/v1/clock", {"today": CLOCK.isoformat()}, admin_only, 200),
                (
                    "POST /policy/plan-years/check",
                    "/api/v1/policy/plan-years/check",
                    {"year": 2021},
                    admin_only,
                    200,
                ),
                ("POST /policy/plan-years", "/api/v1/policy/plan-years", SAMPLE_PLAN, admin_only, 201),
                ("POST /policy/local-rules", "/api/v1/policy/local-rules", SAMPLE_RULE, admin_only, 201),
                (
                    "POST /policy/energy-limits",
                    "/api/v1/policy/energy-limits",
                    SAMPLE_LIMITS,
                    admin_only,
                    201,
                ),
                ("POST /policy/hazard-items", "/api/v1/policy/hazard-items", SAMPLE_ITEMS, admin_only, 201),
                (
                    "POST /policy/catalogue-items",
                    "/api/v1/policy/catalogue-items",
                    SAMPLE_CATALOGUE_ITEMS,
                    admin_only,
                    201,
                ),
                ("POST /lists/{code}/publications", "/api/v1/lists/red/publications", {}, admin_only, 201),
                (
                    "POST /supervision-actions",
                    "/api/v1/supervision-actions",
                    {
                        "task_number": 2,
                        "department_zh": "区生态环境局",
                        "kind": "circulated_notice",
                        "taken_on": "2021-09-01",
                        "reason_zh": "进展缓慢",
                    },
                    admin_only,
                    201,
                ),
                (
                    "POST /measures/{key}/feedback",
                    f"/api/v1/measures/{land_key}/feedback",
                    {"outcome": "executed", "executed_on": "2021-09-01", "reference": "涪规资〔2021〕1号"},
                    {
                        "office_admin": 1,
                        "department_land": 1,
                    },  # the bank and power company: another department's
                    201,
                ),
            ]
            for endpoint, url, payload, allowed, success in cases:
                method = c.put if endpoint.startswith("PUT") else c.post
                for name, headers in PRINCIPALS.items():
                    expected = success if name in allowed else 401 if name in UNAUTHENTICATED else 403
                    r = await method(url, json=payload, headers=headers or {})
                    matrix.check("coordinator", endpoint, name, expected, r)

            # Publishing a draft: one draft, everyone else first, the admin last.
            draft = await c.post(
                "/api/v1/lists/yellow/publications", json={}, headers=PRINCIPALS["office_admin"]
            )
            matrix.successful_writes["coordinator"] += 1
            publish = f"/api/v1/publications/{draft.json()['id']}/publish"
            for name, headers in PRINCIPALS.items():
                if name != "office_admin":
                    r = await c.post(publish, headers=headers or {})
                    matrix.check(
                        "coordinator",
                        "POST /publications/{id}/publish",
                        name,
                        401 if name in UNAUTHENTICATED else 403,
                        r,
                    )
            matrix.check(
                "coordinator",
                "POST /publications/{id}/publish",
                "office_admin",
                200,
                await c.post(publish, headers=PRINCIPALS["office_admin"]),
            )

            # A plan year as the filled-in XLSX template (the file itself is the body).
            sheet = filled_template(
                template_bytes(), {**SAMPLE_PLAN, "year": 2018, "issued_on": "2018-03-01"}
            )
            for name, headers in PRINCIPALS.items():
                expected = 201 if name == "office_admin" else 401 if name in UNAUTHENTICATED else 403
                r = await c.post(
                    "/api/v1/policy/plan-years/xlsx", content=sheet, headers={**(headers or {}), **XLSX_BODY}
                )
                matrix.check("coordinator", "POST /policy/plan-years/xlsx", name, expected, r)

            # Each edition kind as its filled-in XLSX template.
            for path, sample in (
                ("/policy/energy-limits", SAMPLE_LIMITS),
                ("/policy/hazard-items", SAMPLE_ITEMS),
                ("/policy/catalogue-items", SAMPLE_CATALOGUE_ITEMS),
            ):
                blank = await c.get(f"/api/v1{path}/template.xlsx", headers=PRINCIPALS["office_admin"])
                sheet = filled_edition(blank.content, sample)
                for name, headers in PRINCIPALS.items():
                    expected = 201 if name == "office_admin" else 401 if name in UNAUTHENTICATED else 403
                    r = await c.post(
                        f"/api/v1{path}/xlsx", content=sheet, headers={**(headers or {}), **XLSX_BODY}
                    )
                    matrix.check("coordinator", f"POST {path}/xlsx", name, expected, r)

            # Approving or withdrawing a policy change: a draft each, everyone else first, the admin last.
            for decision in ("approve", "withdraw"):
                drafted = await c.post(
                    "/api/v1/policy/plan-years",
                    json={**SAMPLE_PLAN, "year": 2019, "issued_on": "2019-03-01"},
                    headers=PRINCIPALS["office_admin"],
                )
                matrix.successful_writes["coordinator"] += 1
                url = f"/api/v1/policy/changes/{drafted.json()['change_id']}/{decision}"
                for name, headers in [*((n, h) for n, h in PRINCIPALS.items() if n != "office_admin")]:
                    expected = 401 if name in UNAUTHENTICATED else 403
                    matrix.check(
                        "coordinator",
                        f"POST /policy/changes/{{id}}/{decision}",
                        name,
                        expected,
                        await c.post(url, headers=headers or {}),
                    )
                matrix.check(
                    "coordinator",
                    f"POST /policy/changes/{{id}}/{decision}",
                    "office_admin",
                    200,
                    await c.post(url, headers=PRINCIPALS["office_admin"]),
                )

            # Annex-task reports: departments and bureaus for their own unit, the office for anyone.
            report_body = {
                "period": "2020",  # the year of the 实施方案 loaded (2020)
                "kind": "enforcement",
                "submitted_on": "2021-09-01",
                "summary_zh": "已开展执法检查",
            }
            own_unit = {
                "office_admin": "区经济信息委",
                "department_land": "区规划自然资源局",
                "energy_writer": "区经济信息委",
            }
            for name, headers in PRINCIPALS.items():
                reporters = {
                    "office_admin",
                    *(p for p in PRINCIPALS if p.endswith("_writer") or p.startswith("department_")),
                }
                expected = 201 if name in reporters else 401 if name in UNAUTHENTICATED else 403
                body = {
                    **report_body,
                    **({"department_zh": own_unit["office_admin"]} if name == "office_admin" else {}),
                }
                r = await c.post("/api/v1/annex-tasks/6/reports", json=body, headers=headers or {})
                matrix.check("coordinator", "POST /annex-tasks/{n}/reports", name, expected, r)
            for name, unit in (
                ("department_land", "区财政局"),
                ("energy_writer", "区生态环境局"),
            ):  # another unit's report
                r = await c.post(
                    "/api/v1/annex-tasks/6/reports",
                    json={**report_body, "department_zh": unit},
                    headers=PRINCIPALS[name],
                )
                matrix.check("coordinator", "POST /annex-tasks/{n}/reports (another unit)", name, 403, r)

            covered = {endpoint for _, endpoint, *_ in matrix.cells}
            routes = {"energy": write_routes(energy), "coordinator": write_routes(coordinator)}
            audit = {"energy": await audit_rows(energy), "coordinator": await audit_rows(coordinator)}
            tokens = {"energy": await stored_tokens(energy), "coordinator": await stored_tokens(coordinator)}
            refused = {
                "energy": await audit_is_append_only(energy),
                "coordinator": await audit_is_append_only(coordinator),
            }
            audit_after = {
                "energy": len(await audit_rows(energy)),
                "coordinator": len(await audit_rows(coordinator)),
            }
            all_routes = [r for app in (energy, environment, coordinator) for r in api_routes(app)]

    # Every API write route is in the matrix.
    for method, path in routes["energy"]:
        action = path.rsplit("/", 1)[1]
        assert (
            f"{method} /{path.split('/', 3)[3]}" in covered or f"{method} /cases/{{id}}/{action}" in covered
        ), (method, path)
    for method, path in routes["coordinator"]:
        label = f"{method} {path.removeprefix('/api/v1').replace('{list_code}', '{code}').replace('{publication_id}', '{id}').replace('{number}', '{n}').replace('{change_id}', '{id}')}"
        assert label in covered, (label, sorted(covered))
    # No route edits or deletes the audit log.
    assert len(routes["energy"]) == 1 + len(PATHS) and len(routes["coordinator"]) == 19, routes
    assert not [
        r.path for r in all_routes if "audit" in (r.path or "") and set(r.methods or ()) - {"GET", "HEAD"}
    ]
    assert not [r.path for r in all_routes if set(r.methods or ()) & {"PATCH", "DELETE"}]
    # Tokens: only peppered hashes are stored.
    plaintexts = {*DEMO_TOKENS, "demo-coordinator-feed", EXPIRED}
    for service, rows in tokens.items():
        values = {
            str(getattr(row, col))
            for row in rows
            for col in ("token_hash", "actor", "role", "bureau", "department")
        }
        assert not values & plaintexts, service
        assert {row.token_hash for row in rows} >= {hash_token(t, DEV_TOKEN_PEPPER) for t in DEMO_TOKENS}
        assert all(len(row.token_hash) == 64 for row in rows)
    # Every successful write is audited, with actor, time, action and before/after.
    for service, rows in audit.items():
        assert len(rows) == matrix.successful_writes[service], (
            service,
            len(rows),
            matrix.successful_writes[service],
        )
        assert all(
            r.actor and r.at and r.action and (r.before is not None or r.after is not None) for r in rows
        )
    updates = [r for r in audit["energy"] if r.action.startswith("case.")]
    assert updates and all(r.before and r.after and r.before != r.after for r in updates)
    assert refused == {"energy": ["UPDATE", "DELETE"], "coordinator": ["UPDATE", "DELETE"]}
    assert audit_after == {s: len(rows) for s, rows in audit.items()}

    by_status = Counter(got for *_, got in matrix.cells)
    report(
        8,
        backend,
        cells=len(matrix.cells),
        endpoints=len(covered),
        principals=len(PRINCIPALS),
        wrong=len(matrix.wrong),
        answered_2xx=sum(n for s, n in by_status.items() if s < 300),
        answered_401=by_status[401],
        answered_403=by_status[403],
        audited_writes=sum(len(rows) for rows in audit.values()),
        audit_tampering_refused=sum(len(v) for v in refused.values()),
    )
    assert not matrix.wrong, "\n".join(map(str, matrix.wrong[:20]))
