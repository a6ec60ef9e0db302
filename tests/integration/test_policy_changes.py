"""The office loads a year's 实施方案 through the API on both databases (issue 13): row errors, a draft with the
preview of its effect computed by the engine on the stored events, approval into a new policy version; the
decision events published after approval are exactly the preview's, carry the new version, and only the
enterprises the preview names are judged again. The approved plan survives a restart."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from phaseout_bureau.app import build_app as build_bureau
from phaseout_bureau.domain.findings import BureauSpec
from phaseout_coordinator.adapters.orm import EnterpriseStatus
from phaseout_coordinator.service_layer.policy_import import previewed
from phaseout_demo.samples import sample_finding
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_environment.domain import SPEC as ENVIRONMENT
from phaseout_kit.audit import AuditEntry
from phaseout_kit.events.broker import EmbeddedBroker
from phaseout_kit.settings import ServiceSettings
from phaseout_kit.uscc import make_code
from phaseout_policy import load_policy
from phaseout_policy.office import PlanYearDocument
from phaseout_safety.domain import SPEC as SAFETY
from phaseout_technology.domain import SPEC as TECHNOLOGY
from tests.apps import auth, bureau_client, running, sign_in
from tests.conftest import wait_until
from tests.integration.test_bureau_api import finding
from tests.integration.test_coordinator import bureau_events, projected
from tests.policy_samples import (
    CATALOGUE_2024_STEEL,
    EXIT_IN_3_MONTHS,
    HAZARD_L10_A4_6,
    PLAN,
    PLAN_WITH_PERIOD,
    SINTERING_2013,
    XLSX,
    filled_edition,
    filled_template,
)

ADMIN, VIEWER, READER = auth("demo-office-admin"), auth("demo-office-viewer"), auth("demo-coordinator-feed")
WRITER, SAFETY_WRITER = auth("demo-energy-writer"), auth("demo-safety-writer")
TECHNOLOGY_WRITER = auth("demo-technology-writer")
XLSX_CONTENT = {"Content-Type": XLSX}
RED, YELLOW, LATER = (make_code(f"91500102MA5U8P{s}") for s in ("AA1", "BB2", "CC3"))


async def energy_story(client: httpx.AsyncClient) -> None:
    """Orders of 2020-07-10 (red from 2021-01-11, its exit due within the operating rule's months of that),
    2021-04-01 and 2021-08-01 (still within their deadlines on 2021-09-30)."""
    for n, (uscc, ordered) in enumerate(((RED, "2020-07-10"), (YELLOW, "2021-04-01"), (LATER, "2021-08-01"))):
        body = finding(uscc=uscc, enterprise_name=f"重庆市涪陵区规则测试{n}有限公司", found_on=ordered)
        created = await client.post("/api/v1/findings", json=body, headers=WRITER)
        assert created.status_code == 201, created.text
        case_id = created.json()["finding_id"]
        step = await client.post(
            f"/api/v1/cases/{case_id}/rectification_ordered", json={"occurred_on": ordered}, headers=WRITER
        )
        assert step.status_code == 201, step.text


async def assessments(app: Any) -> dict[str, dict[str, Any]]:
    async with app.state.runtime.sessions() as session:
        rows = await session.execute(sa.select(EnterpriseStatus.uscc, EnterpriseStatus.assessment))
        return {uscc: assessment for uscc, assessment in rows}


async def test_an_operating_rule_edition_is_previewed_then_approved_and_decides_exactly_as_previewed(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    baseline = load_policy().version
    async with bureau_client(ENERGY, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", broker.bootstrap) as bureau:
        await energy_story(bureau)
        events = await bureau_events(bureau)
    async with projected(events, database_url, broker, tmp_path) as (app, client):
        before = await assessments(app)
        unknown = await client.post(
            "/api/v1/policy/local-rules", json={**EXIT_IN_3_MONTHS, "key": "status_order"}, headers=ADMIN
        )
        malformed = await client.post(
            "/api/v1/policy/local-rules", json={**EXIT_IN_3_MONTHS, "months": 0}, headers=ADMIN
        )
        not_admin = await client.post("/api/v1/policy/local-rules", json=EXIT_IN_3_MONTHS, headers=VIEWER)
        submitted = await client.post("/api/v1/policy/local-rules", json=EXIT_IN_3_MONTHS, headers=ADMIN)
        assert submitted.status_code == 201, submitted.text
        draft = submitted.json()
        unchanged_meanwhile = await assessments(app)  # a draft decides nothing
        head = (await client.get("/api/v1/decisions", headers=VIEWER)).json()["last_sequence"]

        approved = await client.post(f"/api/v1/policy/changes/{draft['change_id']}/approve", headers=ADMIN)
        assert approved.status_code == 200, approved.text
        twice = await client.post(f"/api/v1/policy/changes/{draft['change_id']}/approve", headers=ADMIN)
        preview = approved.json()["preview"]
        expected = [c for e in preview["enterprises"] for c in e["changes"]]
        url = f"/api/v1/policy/changes/{draft['change_id']}"
        pages = [
            (await client.get(f"{url}?offset={n}&limit=1", headers=VIEWER)).json()["preview"] for n in (0, 1)
        ]

        async def published() -> list[dict[str, Any]] | None:
            feed = (await client.get(f"/api/v1/decisions?after={head}", headers=VIEWER)).json()["events"]
            return [e["data"] for e in feed] if len(feed) >= len(expected) else None

        decided = await wait_until(published, timeout_s=30, message="the decisions of the approved rule")
        after = await assessments(app)
        policy = (await client.get("/api/v1/policy", headers=VIEWER)).json()
        async with app.state.runtime.sessions() as session:
            audited = [
                a.action
                for a in await session.scalars(
                    sa.select(AuditEntry)
                    .where(AuditEntry.object_type == "policy_change")
                    .order_by(AuditEntry.id)
                )
            ]

    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "key"]
    assert "没有以月计期限的运行规则 status_order" in unknown.json()["detail"][0]["msg"]
    assert malformed.status_code == 422
    assert [e["msg"] for e in malformed.json()["detail"]] == ["文件 months：数值过小"]
    assert not_admin.status_code == 403
    version = f"{baseline}+office.{draft['change_id']}"
    assert draft["status"] == "draft" and draft["preview"]["policy_version"] == version
    assert draft["summary"]["replaces"]["months"] == 6
    assert unchanged_meanwhile == before
    # The preview names the one enterprise whose exit falls due earlier under the confirmed rule …
    assert [e["uscc"] for e in draft["preview"]["enterprises"]] == [RED]
    assert draft["preview"]["evaluated"] == 3
    assert {c["kind"] for c in expected} >= {"measure_imposed"}
    # red from 2021-01-11: 3 months end on 2021-04-11, "未按期完成" from the day after (6 months: 2021-07-12)
    assert min(c["effective_on"] for c in expected) == "2021-04-12"
    # … the approval computes it again on what is stored (nothing new) and finds the same …
    assert preview == draft["preview"]
    assert [len(p["enterprises"]) for p in pages] == [1, 0] and pages[0]["enterprises"] == preview[
        "enterprises"
    ]
    assert twice.status_code == 409
    # … and the decision events published after approval are exactly the previewed changes, new version.
    assert [previewed(d) for d in decided] == expected
    assert {d["policy_version"] for d in decided} == {version}
    assert after[RED]["policy_version"] == version
    for unaffected in (YELLOW, LATER):  # not judged again: their decisions stand as made
        assert after[unaffected] == before[unaffected]
    assert policy["policy_version"] == version
    assert audited == ["policy.change.submit", "policy.change.approve"]


async def test_a_plan_year_loads_its_tasks_and_moves_no_enterprise(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    async with projected([], database_url, broker, tmp_path) as (_app, client):
        faulty = {**PLAN, "tasks": [{**PLAN["tasks"][0], "lead_units_zh": ["区能源局"]}]}
        refused = await client.post("/api/v1/policy/plan-years", json=faulty, headers=ADMIN)
        shipped = await client.post(
            "/api/v1/policy/plan-years", json={**PLAN, "year": 2020, "issued_on": "2020-06-15"}, headers=ADMIN
        )
        future = await client.post(
            "/api/v1/policy/plan-years", json={**PLAN, "issued_on": "2021-12-01"}, headers=ADMIN
        )
        draft = (await client.post("/api/v1/policy/plan-years", json=PLAN, headers=ADMIN)).json()
        meanwhile = (await client.get("/api/v1/annex-tasks?year=2021", headers=VIEWER)).json()
        await client.post(f"/api/v1/policy/changes/{draft['change_id']}/approve", headers=ADMIN)
        plans = (await client.get("/api/v1/annex-tasks?year=2021", headers=VIEWER)).json()
    assert refused.status_code == 422
    assert [e["msg"] for e in refused.json()["detail"]] == ["第1行 lead_units_zh：单位名录中没有：区能源局"]
    assert refused.json()["detail"][0]["loc"] == ["body", "tasks", 1, "lead_units_zh"]
    assert shipped.status_code == 422 and "随产品发布" in shipped.json()["detail"][0]["msg"]
    assert [e["msg"] for e in future.json()["detail"]] == ["文件 issued_on：印发日期晚于今天（2021-09-30）"]
    assert draft["preview"]["affected"] == 0 and draft["preview"]["evaluated"] == 0
    assert meanwhile["plan"] is None and meanwhile["tasks"] == []
    assert plans["plan"]["document"] == PLAN["document"]
    assert [t["number"] for t in plans["tasks"]] == [1, 2] and plans["note_zh"] is None


async def test_an_approved_plan_year_is_in_force_after_a_restart(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    async with projected([], database_url, broker, tmp_path) as (_app, client):
        change = (await client.post("/api/v1/policy/plan-years", json=PLAN, headers=ADMIN)).json()
        await client.post(f"/api/v1/policy/changes/{change['change_id']}/approve", headers=ADMIN)
        withdrawn_draft = (
            await client.post(
                "/api/v1/policy/plan-years",
                json={**PLAN, "year": 2019, "issued_on": "2019-03-01"},
                headers=ADMIN,
            )
        ).json()
        withdrawn = await client.post(
            f"/api/v1/policy/changes/{withdrawn_draft['change_id']}/withdraw", headers=ADMIN
        )
    async with projected([], database_url, broker, tmp_path) as (_app, client):
        policy = (await client.get("/api/v1/policy", headers=VIEWER)).json()
        plan_2021 = (await client.get("/api/v1/annex-tasks?year=2021", headers=VIEWER)).json()
        plan_2019 = (await client.get("/api/v1/annex-tasks?year=2019", headers=VIEWER)).json()
        changes = (await client.get("/api/v1/policy/changes", headers=VIEWER)).json()
    assert withdrawn.status_code == 200
    assert policy["policy_version"].endswith(f"+office.{change['change_id']}")
    assert plan_2021["plan"]["document"] == PLAN["document"] and len(plan_2021["tasks"]) == 2
    assert plan_2019["plan"] is None and "未载入" in plan_2019["note_zh"]
    assert [(c["key"], c["status"]) for c in changes] == [("2019", "withdrawn"), ("2021", "approved")]


async def test_a_plan_year_is_loaded_from_the_xlsx_template_with_errors_by_sheet_row(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    xlsx = {"Content-Type": XLSX}
    async with projected([], database_url, broker, tmp_path) as (_app, client):
        template = await client.get("/api/v1/policy/plan-years/template.xlsx", headers=ADMIN)
        faulty_plan = {
            **PLAN,
            "tasks": [PLAN["tasks"][0], {**PLAN["tasks"][1], "title_zh": "", "lead_units_zh": ["区能源局"]}],
        }
        faulty = await client.post(
            "/api/v1/policy/plan-years/xlsx",
            content=filled_template(template.content, faulty_plan),
            headers={**ADMIN, **xlsx},
        )
        unknown_unit = await client.post(
            "/api/v1/policy/plan-years/xlsx",
            content=filled_template(
                template.content,
                {**PLAN, "tasks": [PLAN["tasks"][0], {**PLAN["tasks"][1], "lead_units_zh": ["区能源局"]}]},
            ),
            headers={**ADMIN, **xlsx},
        )
        not_xlsx = await client.post(
            "/api/v1/policy/plan-years/xlsx", content=b"year,2021\n", headers={**ADMIN, **xlsx}
        )
        viewer = await client.post(
            "/api/v1/policy/plan-years/xlsx", content=template.content, headers={**VIEWER, **xlsx}
        )
        good = await client.post(
            "/api/v1/policy/plan-years/xlsx",
            content=filled_template(template.content, PLAN),
            headers={**ADMIN, **xlsx},
        )
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert faulty.status_code == 422
    # the shape first (the unit names are checked once the shape is right)
    assert [e["msg"] for e in faulty.json()["detail"]] == ["「附件任务」表第3行 任务名称：缺少必填项"]
    assert [e["msg"] for e in unknown_unit.json()["detail"]] == [
        "「附件任务」表第3行 牵头单位：单位名录中没有：区能源局"
    ]
    assert not_xlsx.status_code == 422 and not_xlsx.json()["detail"]["field"] == "file"
    assert viewer.status_code == 403
    assert good.status_code == 201, good.text
    assert good.json()["submitted"] == PlanYearDocument.model_validate(PLAN).model_dump(mode="json")


async def test_the_policy_pages_let_only_the_administrator_load_and_approve(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """Who may do what on the dashboard's policy pages: viewers read, only the administrator uploads and
    decides, and only with the form's CSRF token."""
    async with projected([], database_url, broker, tmp_path) as (_app, client):
        template = (await client.get("/api/v1/policy/plan-years/template.xlsx", headers=ADMIN)).content
        upload = {"file": ("plan.xlsx", filled_template(template, PLAN), XLSX)}

        viewer_csrf = await sign_in(client, "demo-office-viewer")
        viewer_page = await client.get("/dashboard/policy")
        viewer_upload = await client.post(
            "/dashboard/policy/plan-years", files=upload, data={"csrf": viewer_csrf}
        )
        await sign_in(client, "demo-department-land")
        department_page = await client.get("/dashboard/policy")
        admin_csrf = await sign_in(client, "demo-office-admin")
        forged = await client.post("/dashboard/policy/plan-years", files=upload, data={"csrf": "forged"})
        submitted = await client.post("/dashboard/policy/plan-years", files=upload, data={"csrf": admin_csrf})
        change_url = submitted.headers.get("location", "").split("?")[0]
        no_token_approval = await client.post(f"{change_url}/approve", data={"csrf": "forged"})
        viewer_csrf = await sign_in(client, "demo-office-viewer")
        viewer_approval = await client.post(f"{change_url}/approve", data={"csrf": viewer_csrf})
        admin_csrf = await sign_in(client, "demo-office-admin")
        approved = await client.post(f"{change_url}/approve", data={"csrf": admin_csrf})
        again = await client.post(f"{change_url}/approve", data={"csrf": admin_csrf})
        rule_form = {"csrf": admin_csrf, **{k: str(v) for k, v in EXIT_IN_3_MONTHS.items()}}
        bad_rule = await client.post("/dashboard/policy/local-rules", data={**rule_form, "months": "0"})
        rule = await client.post("/dashboard/policy/local-rules", data=rule_form)
        viewer_csrf = await sign_in(client, "demo-office-viewer")
        viewer_rule = await client.post(
            "/dashboard/policy/local-rules", data={**rule_form, "csrf": viewer_csrf}
        )
        changes = (await client.get("/api/v1/policy/changes", headers=VIEWER)).json()
    assert viewer_page.status_code == 200 and "上传并检查" not in viewer_page.text
    assert (
        "exit_deadline" in viewer_page.text and "低（待确认）" in viewer_page.text
    )  # the rules it may confirm
    assert bad_rule.status_code == 422 and "期限（月）：数值过小" in bad_rule.text
    assert rule.status_code == 303 and rule.headers["location"].endswith("?notice=submitted")
    assert viewer_rule.status_code == 403
    assert viewer_upload.status_code == 403
    assert department_page.status_code == 403
    assert forged.status_code == 403 and "安全校验未通过" in forged.text
    assert submitted.status_code == 303 and change_url.startswith("/dashboard/policy/changes/")
    assert no_token_approval.status_code == 403 and viewer_approval.status_code == 403
    assert approved.status_code == 303 and approved.headers["location"].endswith("?notice=approved")
    assert again.status_code == 409 and "已批准生效" in again.text
    assert [(c["key"], c["status"], c["submitted_by"]) for c in changes] == [
        ("exit_deadline", "draft", "demo:office-admin"),
        ("2021", "approved", "demo:office-admin"),
    ]


async def test_the_office_uploads_an_edition_on_the_policy_page(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """The policy page offers each edition kind's template and takes it back filled in: row errors shown in
    the editions section, a kind that is not one refused, a correct file a draft; only the administrator, and
    only with the form's CSRF token."""
    async with projected([], database_url, broker, tmp_path) as (_app, client):
        admin_csrf = await sign_in(client, "demo-office-admin")
        page = await client.get("/dashboard/policy")
        template = await client.get("/dashboard/policy/catalogue_items/template.xlsx")
        no_such_template = await client.get("/dashboard/policy/plan_years/template.xlsx")
        item = CATALOGUE_2024_STEEL["items"][0]
        faulty = {**CATALOGUE_2024_STEEL, "items": [item, {**item, "code": "cat2011_steel_01"}]}

        def upload(document: dict[str, Any]) -> dict[str, Any]:
            return {"file": ("条目.xlsx", filled_edition(template.content, document), XLSX)}

        form = {"csrf": admin_csrf, "kind": "catalogue_items"}
        with_errors = await client.post("/dashboard/policy/editions", files=upload(faulty), data=form)
        wrong_kind = await client.post(
            "/dashboard/policy/editions",
            files=upload(CATALOGUE_2024_STEEL),
            data={**form, "kind": "plan_year"},
        )
        forged = await client.post(
            "/dashboard/policy/editions", files=upload(CATALOGUE_2024_STEEL), data={**form, "csrf": "forged"}
        )
        submitted = await client.post(
            "/dashboard/policy/editions", files=upload(CATALOGUE_2024_STEEL), data=form
        )
        viewer_csrf = await sign_in(client, "demo-office-viewer")
        viewer = await client.post(
            "/dashboard/policy/editions",
            files=upload(CATALOGUE_2024_STEEL),
            data={**form, "csrf": viewer_csrf},
        )
        changes = (await client.get("/api/v1/policy/changes", headers=VIEWER)).json()
    assert page.status_code == 200 and "/dashboard/policy/hazard_items/template.xlsx" in page.text
    assert template.status_code == 200 and template.headers["content-type"].startswith(XLSX)
    assert no_such_template.status_code == 404
    assert with_errors.status_code == 422 and "「条目」表第3行 条目代码：" in with_errors.text
    assert wrong_kind.status_code == 422 and "请选择录入的数据类别" in wrong_kind.text
    assert forged.status_code == 403 and viewer.status_code == 403
    assert submitted.status_code == 303 and submitted.headers["location"].endswith("?notice=submitted")
    assert [(c["kind"], c["status"]) for c in changes] == [("catalogue_items", "draft")]


async def test_a_bureau_orders_with_the_period_of_a_plan_the_office_approved(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """The period a year's plan sets reaches the bureaus: each reads the approved changes from the coordinator,
    keeps them in its own database (a restart with the coordinator away still has them) and computes the
    deadline of an order with the period in force on its date; a change it cannot read changes nothing."""
    async with projected([], database_url, broker, tmp_path) as (_app, coordinator):
        draft = await coordinator.post("/api/v1/policy/plan-years", json=PLAN_WITH_PERIOD, headers=ADMIN)
        assert draft.status_code == 201, draft.text
        preview = draft.json()["preview"]
        await sign_in(coordinator, "demo-office-viewer")
        page = await coordinator.get(f"/dashboard/policy/changes/{draft.json()['change_id']}")
        await coordinator.post(f"/api/v1/policy/changes/{draft.json()['change_id']}/approve", headers=ADMIN)

        async def from_coordinator() -> Any:
            return (await coordinator.get("/api/v1/policy/changes/approved", headers=READER)).json()

        bureau_db = f"sqlite+aiosqlite:///{tmp_path / 'energy.db'}"
        settings = ServiceSettings(
            service="energy",
            database_url=bureau_db,
            kafka_bootstrap=broker.bootstrap,
            policy_sync_interval_s=0.05,
        )
        bureau_app = build_bureau(ENERGY, settings, fetch_policy=from_coordinator)
        async with running(bureau_app) as bureau:
            await wait_until(
                lambda: bureau_app.state.policy.current.version.endswith(
                    f"+office.{draft.json()['change_id']}"
                ),
                timeout_s=10,
                message="the bureau has the approved plan",
            )
            after_plan = await order(bureau, RED, "2021-04-01")
            before_plan = await order(bureau, YELLOW, "2021-02-20")

    async def coordinator_away() -> Any:
        raise httpx.ConnectError("coordinator away")

    async def hostile() -> Any:
        return [{"change_id": 99, "kind": "anything", "document": {}}]

    restarted = build_bureau(ENERGY, settings, fetch_policy=coordinator_away)
    async with running(restarted) as bureau:
        after_restart = await order(bureau, LATER, "2021-04-01")
        version_after_restart = restarted.state.policy.current.version
    lied_to = build_bureau(ENERGY, settings, fetch_policy=hostile)
    async with running(lied_to) as bureau:
        with pytest.raises(ValueError, match="unknown policy change kind"):
            await lied_to.state.policy.sync()
        still = lied_to.state.policy.current.version
    assert preview["affected"] == 0  # orders already given keep their deadlines
    assert page.status_code == 200 and "方案改定的整改期限" in page.text and "2021-03-01" in page.text
    assert after_plan == "2021-07-01"  # 3 months from 2021-04-01
    assert before_plan == "2021-08-20"  # 6 months: the order predates the plan
    assert after_restart == "2021-07-01" and version_after_restart.endswith("+office.1")
    assert still == version_after_restart


@asynccontextmanager
async def bureau_with_office_changes(
    spec: BureauSpec, coordinator: httpx.AsyncClient | None, broker: EmbeddedBroker, database: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """A bureau that has read every approved change from ``coordinator`` (None: a bureau without one)."""

    async def from_coordinator() -> Any:
        assert coordinator is not None
        return (await coordinator.get("/api/v1/policy/changes/approved", headers=READER)).json()

    settings = ServiceSettings(
        service=spec.name,
        database_url=f"sqlite+aiosqlite:///{database}",
        kafka_bootstrap=broker.bootstrap,
        policy_sync_interval_s=0.05,
    )
    app = build_bureau(spec, settings, fetch_policy=from_coordinator if coordinator else None)
    async with running(app) as bureau:
        if coordinator is not None:
            approved = await from_coordinator()
            await wait_until(
                lambda: app.state.policy.current.version.endswith(f"+office.{approved[-1]['change_id']}"),
                timeout_s=10,
                message="the bureau has read the approved changes",
            )
        yield bureau


async def order(bureau: httpx.AsyncClient, uscc: str, on: str) -> str:
    """An energy finding and its rectification order on ``on``; the deadline the bureau sets."""
    body = finding(uscc=uscc, enterprise_name="重庆市涪陵区期限测试有限公司", found_on=on)
    created = await bureau.post("/api/v1/findings", json=body, headers=WRITER)
    assert created.status_code == 201, created.text
    ordered = await bureau.post(
        f"/api/v1/cases/{created.json()['finding_id']}/rectification_ordered",
        json={"occurred_on": on},
        headers=WRITER,
    )
    assert ordered.status_code == 201, ordered.text
    return str(ordered.json()["deadline"])


async def test_a_plan_period_is_previewed_on_the_cases_of_its_dimension_and_moves_no_given_order(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """A plan that sets the 环保 period is judged on every enterprise with an 环保 case (the engine takes the
    period in force only for an order recorded without a deadline); orders the bureau gave keep their
    deadline, so nothing moves, and the energy enterprise is not even evaluated."""
    env_writer = auth("demo-environment-writer")
    async with bureau_client(
        ENVIRONMENT, f"sqlite+aiosqlite:///{tmp_path / 'e.db'}", broker.bootstrap
    ) as bureau:
        for uscc, on in ((RED, "2021-04-01"), (YELLOW, "2021-02-10")):
            body = sample_finding(
                "environment",
                uscc=uscc,
                enterprise_name="重庆市涪陵区环保期限测试有限公司",
                found_on=date.fromisoformat(on),
            )
            created = await bureau.post("/api/v1/findings", json=body, headers=env_writer)
            assert created.status_code == 201, created.text
            ordered = await bureau.post(
                f"/api/v1/cases/{created.json()['finding_id']}/rectification_ordered",
                json={"occurred_on": on, "deadline": "2021-06-30"},
                headers=env_writer,
            )
            assert ordered.status_code == 201, ordered.text
        events = await bureau_events(bureau)
    async with bureau_client(ENERGY, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", broker.bootstrap) as bureau:
        await order(bureau, LATER, "2021-04-01")
        events += await bureau_events(bureau)
    plan = {**PLAN, "rectification": [{**PLAN_WITH_PERIOD["rectification"][0], "dimension": "environment"}]}
    async with projected(events, database_url, broker, tmp_path) as (_app, client):
        draft = (await client.post("/api/v1/policy/plan-years", json=plan, headers=ADMIN)).json()
    assert draft["preview"]["dimensions"] == ["environment"]
    assert draft["preview"]["evaluated"] == 2 and draft["preview"]["affected"] == 0


async def test_limit_values_of_an_edition_the_data_lacks_are_loaded_and_the_bureau_judges_by_them(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """GB 21256-2013 (in force 2014-10-01 to 2026-06-30) is in the edition chain without its values: a
    sintering finding of 2020 needs the inspector to supply the limit. Once the office loads the values read
    from the standard, the bureau judges such a finding against them (verified); a wrong edition, indicator or
    unit is refused naming the row."""
    sintering = finding(
        uscc=RED,
        enterprise_name="重庆市涪陵区烧结测试有限公司",
        industry="steel",
        found_on="2020-09-01",
        details={
            "product": "sintering_process",
            "measured_value": 60,
            "measured_unit": "kgce/t",
            "programme": "city_directed",
        },
    )
    async with projected([], database_url, broker, tmp_path) as (_app, coordinator):
        refused = {
            name: await coordinator.post("/api/v1/policy/energy-limits", json=body, headers=ADMIN)
            for name, body in {
                "edition": {**SINTERING_2013, "edition": "GB 21256-2099"},
                "key": {
                    **SINTERING_2013,
                    "limits": [{**SINTERING_2013["limits"][0], "key": "cement_clinker"}],
                },
                "unit": {**SINTERING_2013, "limits": [{**SINTERING_2013["limits"][0], "unit": "kWh/t"}]},
            }.items()
        }
        draft = await coordinator.post("/api/v1/policy/energy-limits", json=SINTERING_2013, headers=ADMIN)
        assert draft.status_code == 201, draft.text
        await coordinator.post(f"/api/v1/policy/changes/{draft.json()['change_id']}/approve", headers=ADMIN)

        async with bureau_with_office_changes(
            ENERGY, coordinator, broker, tmp_path / "informed.db"
        ) as bureau:
            judged = await bureau.post("/api/v1/findings", json=sintering, headers=WRITER)
    async with bureau_with_office_changes(ENERGY, None, broker, tmp_path / "uninformed.db") as bureau:
        without = await bureau.post("/api/v1/findings", json=sintering, headers=WRITER)
    messages = {name: [e["msg"] for e in r.json()["detail"]] for name, r in refused.items()}
    assert all(r.status_code == 422 for r in refused.values()), messages
    assert "版本链中没有 GB 21256-2099" in messages["edition"][0]
    assert messages["key"][0].startswith("第1行 key：GB 21256-2013 不含指标 cement_clinker")
    assert messages["unit"] == ["第1行 unit：sintering_process 的单位应为 kgce/t"]
    assert draft.json()["preview"]["affected"] == 0 and draft.json()["summary"]["limits"] == 1
    assert without.status_code == 422 and without.json()["detail"][0]["loc"][-1] == "limit_value"
    assert judged.status_code == 201, judged.text
    derived = judged.json()["derived"]
    assert (derived["standard"], derived["limit"], derived.get("basis_verified", True)) == (
        "GB 21256-2013",
        56,
        True,
    )


async def test_item_texts_of_order_10_are_loaded_and_the_safety_bureau_verifies_findings_by_them(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """L10-A4-6 is an item of 令第10号 whose text the data lacks: a finding citing it is accepted but marked
    未经参考数据核对. Once the office loads the text, the bureau judges such a finding against it (verified);
    an item beyond the article's count, an article without items or a text on file is refused."""
    hazard = {
        "uscc": YELLOW,
        "enterprise_name": "重庆市涪陵区隐患测试有限公司",
        "town": "李渡街道",
        "industry": "steel",
        "finding_type": "major_hazard",
        "found_on": "2026-03-02",
        "legal_basis": "应急管理部令第10号 第四条",
        "inspector": "吴刚",
        "details": {"hazard_code": "L10-A4-6", "description": "现场检查发现的情形"},
    }
    async with projected([], database_url, broker, tmp_path) as (_app, coordinator):
        refused = {
            code: await coordinator.post(
                "/api/v1/policy/hazard-items",
                json={**HAZARD_L10_A4_6, "items": [{**HAZARD_L10_A4_6["items"][0], "code": code}]},
                headers=ADMIN,
            )
            for code in ("L10-A4-9", "L10-A14-1", "L10-A3-1")
        }
        draft = await coordinator.post("/api/v1/policy/hazard-items", json=HAZARD_L10_A4_6, headers=ADMIN)
        assert draft.status_code == 201, draft.text
        await coordinator.post(f"/api/v1/policy/changes/{draft.json()['change_id']}/approve", headers=ADMIN)

        async with bureau_with_office_changes(
            SAFETY, coordinator, broker, tmp_path / "informed.db"
        ) as bureau:
            verified = await bureau.post("/api/v1/findings", json=hazard, headers=SAFETY_WRITER)
    async with bureau_with_office_changes(SAFETY, None, broker, tmp_path / "uninformed.db") as bureau:
        unverified = await bureau.post("/api/v1/findings", json=hazard, headers=SAFETY_WRITER)
    messages = {code: [e["msg"] for e in r.json()["detail"]] for code, r in refused.items()}
    assert messages == {
        "L10-A4-9": ["第1行 code：第四条只有8项"],
        "L10-A14-1": ["第1行 code：令第10号第14条不列条目"],
        "L10-A3-1": ["第1行 code：L10-A3-1 的原文已收录，不在此改动"],
    }
    assert unverified.status_code == 201 and unverified.json()["derived"]["basis_verified"] is False
    assert verified.status_code == 201, verified.text
    derived = verified.json()["derived"]
    assert derived.get("basis_verified", True) is True
    assert derived["item_text_zh"] == HAZARD_L10_A4_6["items"][0]["text_zh"]


async def test_items_of_the_2024_catalogue_are_loaded_and_the_technology_bureau_verifies_findings_by_them(
    database_url: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """The 2024年本's 淘汰类 item texts are not on file: a finding citing an item code of it is refused (the
    bureau asks for the item text). Once the office loads the item, the bureau judges such a finding against it
    (verified); a code already on file, a code twice or a code not of the 2024 edition is refused."""
    finding = {
        "uscc": YELLOW,
        "enterprise_name": "重庆市涪陵区目录测试有限公司",
        "town": "李渡街道",
        "industry": "steel",
        "finding_type": "eliminated_equipment",
        "found_on": "2026-03-02",
        "legal_basis": "产业结构调整指导目录（2024年本）淘汰类",
        "inspector": "黄勇",
        "details": {"catalogue": "2024", "item_code": "cat2024_steel_01", "equipment": "测试设备"},
    }
    item = CATALOGUE_2024_STEEL["items"][0]
    async with projected([], database_url, broker, tmp_path) as (_app, coordinator):
        refused = {
            name: await coordinator.post("/api/v1/policy/catalogue-items", json=body, headers=ADMIN)
            for name, body in {
                "on file": {
                    **CATALOGUE_2024_STEEL,
                    "items": [{**item, "code": "cat2024_x"}, {**item, "code": "cat2024_x"}],
                },
                "edition": {**CATALOGUE_2024_STEEL, "items": [{**item, "code": "cat2011_steel_01"}]},
            }.items()
        }
        draft = await coordinator.post(
            "/api/v1/policy/catalogue-items", json=CATALOGUE_2024_STEEL, headers=ADMIN
        )
        assert draft.status_code == 201, draft.text
        await coordinator.post(f"/api/v1/policy/changes/{draft.json()['change_id']}/approve", headers=ADMIN)

        async with bureau_with_office_changes(
            TECHNOLOGY, coordinator, broker, tmp_path / "informed.db"
        ) as bureau:
            verified = await bureau.post("/api/v1/findings", json=finding, headers=TECHNOLOGY_WRITER)
            earlier = await bureau.post(
                "/api/v1/findings", json={**finding, "found_on": "2024-01-31"}, headers=TECHNOLOGY_WRITER
            )
    async with bureau_with_office_changes(TECHNOLOGY, None, broker, tmp_path / "uninformed.db") as bureau:
        unknown = await bureau.post("/api/v1/findings", json=finding, headers=TECHNOLOGY_WRITER)
    messages = {name: r.json()["detail"] for name, r in refused.items()}
    assert all(r.status_code == 422 for r in refused.values()), messages
    assert messages["on file"][0]["msg"] == "第2行 code：条目 cat2024_x 重复"
    assert messages["edition"][0]["loc"][-1] == "code"
    assert draft.json()["preview"]["affected"] == 0
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "item_text"
    assert verified.status_code == 201, verified.text
    derived = verified.json()["derived"]
    assert (derived["catalogue"], derived["basis_verified"], derived["item_text_zh"]) == (
        "catalogue_2024",
        True,
        item["item_zh"],
    )
    assert earlier.status_code == 422  # the 2019年本 was in force: the 2024 item does not apply
    assert earlier.json()["detail"][0]["loc"][-1] == "item_code"


@pytest.mark.parametrize(
    ("path", "document", "titles"),
    [
        ("/api/v1/policy/energy-limits", SINTERING_2013, ("标准版本", "指标代码", "限定值（现有企业）")),
        ("/api/v1/policy/hazard-items", HAZARD_L10_A4_6, ("原文出处", "条目代码", "条目原文")),
        ("/api/v1/policy/catalogue-items", CATALOGUE_2024_STEEL, ("原文出处", "目录位置", "淘汰期限")),
    ],
)
async def test_an_edition_is_loaded_from_its_xlsx_template_with_row_errors_by_sheet_row(
    path: str,
    document: dict[str, Any],
    titles: tuple[str, ...],
    database_url: str,
    broker: EmbeddedBroker,
    tmp_path: Path,
) -> None:
    """Each edition kind has its XLSX template next to its JSON route: the template names its columns in
    Chinese; a faulty file is refused with the sheet row and column title of each error; a file that is not
    the template is refused; a correct one becomes a draft equal to the JSON document's."""
    rows = document.get("items") or document["limits"]
    faulty_rows = [rows[0], {**rows[0], "code": "bad code"} if "code" in rows[0] else {**rows[0], "unit": ""}]
    faulty = {**document, ("items" if "items" in document else "limits"): faulty_rows}
    async with projected([], database_url, broker, tmp_path) as (_app, coordinator):
        template = await coordinator.get(f"{path}/template.xlsx", headers=ADMIN)
        refused = await coordinator.post(
            f"{path}/xlsx",
            content=filled_edition(template.content, faulty),
            headers={**ADMIN, **XLSX_CONTENT},
        )
        plan_sheet = await coordinator.get("/api/v1/policy/plan-years/template.xlsx", headers=ADMIN)
        not_template = await coordinator.post(
            f"{path}/xlsx",
            content=filled_template(plan_sheet.content, PLAN),
            headers={**ADMIN, **XLSX_CONTENT},
        )
        draft = await coordinator.post(
            f"{path}/xlsx",
            content=filled_edition(template.content, document),
            headers={**ADMIN, **XLSX_CONTENT},
        )
        by_json = await coordinator.post(path, json=document, headers=ADMIN)
    assert template.status_code == 200 and template.headers["content-type"].startswith(XLSX)
    shown = load_workbook(io.BytesIO(template.content))
    assert all(
        t in [c.value for c in shown["条目"][1]] + [c.value for c in shown["版本"]["A"]] for t in titles
    )
    assert refused.status_code == 422, refused.text
    assert next(e["msg"] for e in refused.json()["detail"]).startswith("「条目」表第3行 ")
    assert (
        not_template.status_code == 422
        and "没有「版本」「条目」表" in not_template.json()["detail"]["detail"]
    )
    assert draft.status_code == 201, draft.text
    assert draft.json()["summary"] == by_json.json()["summary"]
