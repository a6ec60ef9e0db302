"""The office's work API on both databases: downloads, publication, public disclosure, statistics, annex
tasks, the annual report and the AsyncAPI document. Projection rows are seeded directly (no engine needed)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

import httpx
import openpyxl
import sqlalchemy as sa
from fastapi import FastAPI

from phaseout_bureau.contracts import payload_models
from phaseout_coordinator.adapters.orm import (
    CaseStatusRow,
    EnterpriseRow,
    EnterpriseStatus,
    ListEntryRow,
    MeasureFeedback,
    MeasureRow,
)
from phaseout_coordinator.adapters.orm_sessions import DashboardSession
from phaseout_coordinator.app import build_app
from phaseout_coordinator.dashboard.access import COOKIE
from phaseout_coordinator.domain.model import DECISION_KINDS
from phaseout_kit.audit import AuditEntry
from phaseout_kit.auth import ApiToken, Role, add_token
from phaseout_kit.events.broker import EmbeddedBroker
from phaseout_kit.registry import BUREAUS
from phaseout_kit.settings import DEV_TOKEN_PEPPER, CoordinatorSettings
from phaseout_kit.uscc import make_code
from phaseout_policy import load_policy
from tests.apps import auth, running, sign_in
from tests.conftest import wait_until

TODAY = date(2021, 6, 30)
ADMIN, VIEWER, READER = auth("demo-office-admin"), auth("demo-office-viewer"), auth("demo-reader")
ALU, BRICK, CEMENT, STEEL = (make_code(f"91500102MA5U7R{s}") for s in ("GE1", "HF2", "JK3", "LM4"))
SECRET_EVENT = "ev-internal-0001"
EXIT_TITLE = next(d.title_zh for d in load_policy().lists() if d.code == "annual_exit")


@asynccontextmanager
async def office(
    database_url: str, broker: EmbeddedBroker
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    settings = CoordinatorSettings(
        service="coordinator",
        database_url=database_url,
        kafka_bootstrap=broker.bootstrap,
        bureau_urls={},
        clock_date=TODAY,
    )
    app = build_app(settings)
    async with running(app) as client:
        yield client, app


def _explain(summary: str) -> dict[str, Any]:
    return {
        "summary_zh": summary,
        "basis": [{"rule_id": "r", "document": "涪经信发〔2020〕85号", "clause": "二、(一)", "text_zh": "…"}],
        "event_ids": [SECRET_EVENT],
    }


def _enterprise(
    uscc: str, name: str, town: str, industry: str, status: str, dims: dict[str, str]
) -> list[Any]:
    dimensions = {d: "compliant" for d in BUREAUS} | dims
    return [
        EnterpriseRow(
            uscc=uscc,
            name=name,
            town=town,
            industrial_park=None,
            industry=industry,
            first_found_on=date(2020, 6, 20),
            finding_count=1,
            lines=[],
            updated_at=datetime.now(UTC),
        ),
        EnterpriseStatus(
            uscc=uscc,
            status=status,
            dimensions=dimensions,
            assessment={},
            next_change_on=None,
            as_of=TODAY,
            evaluated_at=datetime.now(UTC),
        ),
    ]


def _entry(uscc: str, code: str, dim: str, start: date, end: date | None, **details: Any) -> ListEntryRow:
    return ListEntryRow(
        uscc=uscc,
        list_code=code,
        dimension=dim,
        case_id=f"case-{uscc[-4:]}-{code}",
        start_on=start,
        end_on=end,
        explanation=_explain(f"{code} 原因"),
        details=details,
    )


def _measure(key: str, uscc: str, title: str, unit: str, start: date) -> MeasureRow:
    return MeasureRow(
        key=key,
        source_uscc=uscc,
        uscc=uscc,
        via_affiliate_of=None,
        measure_code=key,
        title_zh=title,
        target_unit=unit,
        start_on=start,
        end_on=None,
        earliest_lift_on=None,
        explanation=_explain("未按期完成退出"),
    )


def _case(uscc: str, bureau: str, deadline: date) -> CaseStatusRow:
    return CaseStatusRow(
        case_id=f"case-{uscc[-4:]}",
        uscc=uscc,
        bureau=bureau,
        finding_type="t",
        state="rectifying",
        status="yellow",
        found_on=date(2020, 6, 1),
        deadline=deadline,
        open=True,
    )


EXIT_DETAILS = {
    "year": 2020,
    "exited_on": "2020-11-20",
    "line": "2号立窑生产线",
    "equipment": "立窑",
    "capacity": {"value": "20.000", "unit": "万吨/年"},
    "way": "closed",
    "way_zh": "关闭",
}


async def seed(app: FastAPI) -> None:
    """ALU red (energy), BRICK yellow (environment), CEMENT exited in 2020, STEEL compliant."""
    rows: list[Any] = [
        *_enterprise(
            ALU,
            "重庆市涪陵区示范铝业有限公司",
            "白涛街道",
            "electrolytic_aluminium",
            "red",
            {"energy": "red"},
        ),
        *_enterprise(
            BRICK, "涪陵区示范砖厂", "李渡街道", "sintered_bricks", "yellow", {"environment": "yellow"}
        ),
        *_enterprise(
            CEMENT, "涪陵区示范水泥有限公司", "白涛街道", "cement", "exited", {"technology": "exited"}
        ),
        *_enterprise(STEEL, "涪陵区示范钢铁有限公司", "义和街道", "steel", "compliant", {}),
        _entry(ALU, "yellow", "energy", date(2020, 7, 1), date(2021, 4, 1)),
        _entry(ALU, "red", "energy", date(2021, 4, 1), None),
        _entry(BRICK, "yellow", "environment", date(2021, 3, 1), None),
        _entry(CEMENT, "yellow", "technology", date(2020, 6, 20), date(2020, 11, 20)),
        _entry(CEMENT, "annual_exit", "technology", date(2020, 11, 20), None, **EXIT_DETAILS),
        _entry(CEMENT, "red", "technology", date(2020, 11, 20), date(2021, 1, 1), reason="closed"),
        _measure("m-credit", ALU, "信用信息公示", "development_reform", date(2021, 4, 1)),
        _measure("m-land", ALU, "限制新增供地", "planning_natural_resources", date(2021, 4, 1)),
        _measure("m-land-2020", CEMENT, "限制新增供地", "planning_natural_resources", date(2020, 11, 20)),
        MeasureFeedback(
            measure_key="m-land",
            outcome="executed",
            reason=None,
            reference="涪规资函〔2021〕3号",
            executed_on=date(2021, 4, 10),
            reported_at=datetime.now(UTC),
            reported_by="demo:land",
            department="planning_natural_resources",
        ),
        _case(ALU, "energy", date(2021, 6, 1)),
        _case(BRICK, "environment", date(2021, 7, 15)),
    ]
    async with app.state.coordinator.runtime.unit_of_work() as session:
        session.add_all(rows)


def xlsx(response: httpx.Response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def sheet_rows(book: openpyxl.Workbook, name: str | None = None) -> list[dict[str, Any]]:
    """Data rows under the header (row 3) as dicts keyed by the Chinese headers."""
    ws = book[name] if name else book.worksheets[0]
    headers = [c.value for c in ws[3]]
    return [dict(zip(headers, row, strict=True)) for row in ws.iter_rows(min_row=4, values_only=True)]


# ---- downloads ----------------------------------------------------------------------------------------------


async def test_list_csv_has_a_bom_chinese_headers_and_a_chinese_filename(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with office(database_url, broker) as (client, app):
        await seed(app)
        r = await client.get("/api/v1/lists/yellow/export?format=csv", headers=VIEWER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["统一社会信用代码", "企业名称", "乡镇（街道）"]
    assert "列入日期" in lines[0] and "列入原因" in lines[0]
    assert len(lines) == 2 and lines[1].startswith(BRICK) and "2021-03-01" in lines[1]
    disposition = r.headers["content-disposition"]
    assert f"filename*=UTF-8''{quote('黄牌名单_2021-06-30.csv')}" in disposition
    assert 'filename="phaseout-yellow-2021-06-30.csv"' in disposition


async def test_measures_are_scoped_by_unit_code_whatever_spelling_is_asked(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with office(database_url, broker) as (client, app):
        await seed(app)
        async with app.state.coordinator.runtime.unit_of_work() as session:
            await add_token(
                session,
                "dept-without-unit",
                DEV_TOKEN_PEPPER,
                actor="t",
                role=Role.DEPARTMENT,
                department=None,
            )

        async def keys(department: str | None = None, token: str = "demo-office-viewer") -> set[str]:
            params = {"department": department} if department else {}
            r = await client.get("/api/v1/measures", params=params, headers=auth(token))
            assert r.status_code == 200, r.text
            return {m["key"] for m in r.json()["items"]}

        by_code = await keys("planning_natural_resources")
        by_name = await keys("区规划自然资源局")
        by_plan_spelling = await keys("区规划自然资源")  # the annex table's spelling of the same unit
        own = await keys(token="demo-department-land")
        asks_for_another = await keys("development_reform", token="demo-department-land")
        no_unit = await keys(token="dept-without-unit")
        unknown = await client.get("/api/v1/measures?department=区不存在局", headers=VIEWER)
        export = await client.get("/api/v1/measures/export?format=csv&department=区不存在局", headers=VIEWER)
        land = (await client.get("/api/v1/measures", headers=auth("demo-department-land"))).json()["items"]
    assert by_code == by_name == by_plan_spelling == own == asks_for_another == {"m-land", "m-land-2020"}
    assert no_unit == set(), "a department account that names no unit sees no measure"
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "department"
    assert export.status_code == 422
    assert {(m["target_unit"], m["target_department_zh"]) for m in land} == {
        ("planning_natural_resources", "区规划自然资源局")
    }


async def test_exit_list_xlsx_has_title_row_real_dates_and_capacity(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with office(database_url, broker) as (client, app):
        await seed(app)
        book = xlsx(
            await client.get("/api/v1/lists/annual_exit/export?format=xlsx&year=2020", headers=READER)
        )
        measures = xlsx(await client.get("/api/v1/measures/export?format=xlsx", headers=VIEWER))
        enterprises = await client.get("/api/v1/enterprises/export?format=csv&town=白涛街道", headers=VIEWER)
    ws = book.worksheets[0]
    assert ws["A1"].value == EXIT_TITLE and ws["A2"].value == "2020年度"
    assert ws.column_dimensions["B"].width >= 30
    [row] = sheet_rows(book)
    assert row["统一社会信用代码"] == CEMENT and row["生产线"] == "2号立窑生产线" and row["设备"] == "立窑"
    assert row["退出产能"] == 20 and row["产能单位"] == "万吨/年" and row["退出方式"] == "关闭"
    assert isinstance(row["退出日期"], datetime) and row["退出日期"].date() == date(2020, 11, 20)
    assert ws.cell(row=4, column=list(row).index("退出日期") + 1).is_date
    measure_rows = sheet_rows(measures)
    assert {m["措施"] for m in measure_rows} == {"信用信息公示", "限制新增供地"} and len(measure_rows) == 3
    assert all(isinstance(m["实施日期"], datetime) for m in measure_rows)
    assert {m["执行情况"] for m in measure_rows} == {"已执行", "待反馈"}
    assert enterprises.status_code == 200, enterprises.text
    lines = enterprises.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("统一社会信用代码,企业名称") and sorted(x[:18] for x in lines[1:]) == sorted(
        [ALU, CEMENT]
    )


async def test_export_pages_through_every_row(database_url: str, broker: EmbeddedBroker) -> None:
    async with office(database_url, broker) as (client, app):
        async with app.state.coordinator.runtime.unit_of_work() as session:
            for i in range(1234):
                uscc = make_code(f"91500102MA{i:07d}")
                session.add_all(_enterprise(uscc, f"企业{i}", "白涛街道", "chemicals", "yellow", {}))
                session.add(_entry(uscc, "over_standard", "environment", date(2021, 1, 1), None))
        r = await client.get("/api/v1/lists/over_standard/export?format=csv", headers=VIEWER)
    lines = r.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 1234 and len({line[:18] for line in lines[1:]}) == 1234


# ---- publication and public disclosure ----------------------------------------------------------------------


async def test_a_draft_is_public_only_after_publishing_once(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with office(database_url, broker) as (client, app):
        await seed(app)
        draft = await client.post(
            "/api/v1/lists/yellow/publications", json={"as_of": "2021-06-30"}, headers=ADMIN
        )
        assert draft.status_code == 201, draft.text
        pid = draft.json()["id"]
        hidden = [
            await client.get("/api/v1/public/lists"),
            await client.get(f"/api/v1/public/publications/{pid}"),
            await client.get(f"/api/v1/public/publications/{pid}/export?format=csv"),
        ]
        published = await client.post(f"/api/v1/publications/{pid}/publish", headers=ADMIN)
        again = await client.post(f"/api/v1/publications/{pid}/publish", headers=ADMIN)
        office_list = (await client.get("/api/v1/publications", headers=VIEWER)).json()
        public_list = (await client.get("/api/v1/public/lists")).json()
        public = await client.get(f"/api/v1/public/publications/{pid}")
        download = xlsx(await client.get(f"/api/v1/public/publications/{pid}/export?format=xlsx"))
    assert draft.json()["state"] == "draft" and [e["uscc"] for e in draft.json()["entries"]] == [BRICK]
    assert hidden[0].json()["total"] == 0 and hidden[1].status_code == 404 and hidden[2].status_code == 404
    assert published.status_code == 200 and published.json()["published_by"] == "demo:office-admin"
    assert again.status_code == 409 and again.json()["detail"]["state"] == "published"
    assert "已发布" in again.json()["detail"]["detail"]
    assert office_list["items"][0]["state"] == "published"
    [item] = public_list["items"]
    assert item["title_zh"].startswith("“黄牌”名单") and item["as_of"] == "2021-06-30"
    assert item["legal_basis"]["document"] == "涪经信发〔2020〕85号" and item["published_on"]
    assert public.status_code == 200 and public.json()["entries"][0]["reason_zh"] == "yellow 原因"
    assert_nothing_internal(public.text + str(public_list))
    [row] = sheet_rows(download)
    assert row["统一社会信用代码"] == BRICK and isinstance(row["列入日期"], datetime)


def assert_nothing_internal(text: str) -> None:
    for internal in (
        SECRET_EVENT,
        "event_ids",
        "explanation",
        "case_id",
        "case-",
        "demo:",
        "inspector",
        "evidence",
    ):
        assert internal not in text, internal


async def test_exit_list_publication_freezes_line_and_capacity(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with office(database_url, broker) as (client, app):
        await seed(app)
        draft = (
            await client.post("/api/v1/lists/annual_exit/publications", json={"year": 2020}, headers=ADMIN)
        ).json()
        await client.post(f"/api/v1/publications/{draft['id']}/publish", headers=ADMIN)
        public = (await client.get(f"/api/v1/public/publications/{draft['id']}")).json()
    assert public["title_zh"].endswith("（2020年度）") and public["as_of"] == "2020-12-31"
    [entry] = public["entries"]
    assert entry["line"] == "2号立窑生产线" and entry["equipment"] == "立窑" and entry["way_zh"] == "关闭"
    assert float(entry["capacity"]) == 20 and entry["capacity_unit"] == "万吨/年"
    assert entry["exited_on"] == "2020-11-20"
    assert_nothing_internal(str(public))


# ---- statistics -------------------------------------------------------------------------------------------


async def test_statistics_count_the_seeded_rows(database_url: str, broker: EmbeddedBroker) -> None:
    async with office(database_url, broker) as (client, app):
        await seed(app)
        stats = (await client.get("/api/v1/stats", headers=VIEWER)).json()
        last_year = (await client.get("/api/v1/stats?as_of=2020-12-31", headers=VIEWER)).json()
    assert {s["status"]: s["count"] for s in stats["by_status"]} == {
        "compliant": 1,
        "yellow": 1,
        "red": 1,
        "exited": 1,
    }
    assert {s["status_zh"] for s in stats["by_status"]} == {"合规", "黄牌", "红牌", "已退出"}
    by_dim = {d["dimension"]: d["counts"] for d in stats["by_dimension"]}
    assert by_dim["energy"] == {"compliant": 3, "yellow": 0, "red": 1, "exited": 0}
    assert by_dim["environment"]["yellow"] == 1 and by_dim["technology"]["exited"] == 1
    towns = {t["town"]: t for t in stats["by_town"]}
    assert (
        towns["白涛街道"]["total"] == 2 and towns["白涛街道"]["red"] == 1 and towns["白涛街道"]["exited"] == 1
    )
    assert {i["industry_zh"] for i in stats["by_industry"]} >= {"电解铝", "水泥"}
    on_lists = {x["list_code"]: x["count"] for x in stats["lists"]}
    assert on_lists.items() >= {"yellow": 1, "red": 1, "annual_exit": 1}.items()
    months = {m["month"]: m for m in stats["trend"]["months"]}
    assert list(months) == [f"2021-0{m}" for m in range(1, 7)]
    assert (months["2021-01"]["yellow"], months["2021-01"]["red"]) == (1, 0)
    assert (months["2021-03"]["yellow"], months["2021-04"]["yellow"], months["2021-04"]["red"]) == (2, 1, 1)
    assert stats["cases"] == {"due_within_days": 30, "due": 1, "overdue": 1}
    assert stats["measures"]["in_force"] == 3 and stats["measures"]["awaiting_feedback"] == 2
    past = {m["month"]: m for m in last_year["trend"]["months"]}
    assert past["2020-11"]["exits"] == 1 and past["2020-12"]["red"] == 1 and past["2020-10"]["yellow"] == 2
    assert sum(m["exits"] for m in past.values()) == 1


# ---- annex tasks, supervision and the annual report ---------------------------------------------------------


async def test_annex_tasks_overdue_summaries_and_supervision(
    database_url: str, broker: EmbeddedBroker
) -> None:
    report = {"period": "2020", "kind": "annual_summary", "summary_zh": "全年完成节能监察12家。"}
    async with office(database_url, broker) as (client, _app):
        on_time = await client.post(
            "/api/v1/annex-tasks/1/reports",
            json={**report, "submitted_on": "2020-12-20", "department_zh": "区经济信息委"},
            headers=ADMIN,
        )
        late = await client.post(
            "/api/v1/annex-tasks/2/reports",
            json={**report, "submitted_on": "2021-01-05"},
            headers=auth("demo-environment-writer"),
        )
        not_member = await client.post(
            "/api/v1/annex-tasks/2/reports",
            json={**report, "submitted_on": "2020-12-01"},
            headers=auth("demo-energy-writer"),
        )
        power = await client.post(
            "/api/v1/annex-tasks/6/reports",
            json={
                "period": "2020-Q4",
                "kind": "enforcement",
                "submitted_on": "2020-12-01",
                "summary_zh": "断电3户",
            },
            headers=auth("demo-department-power"),
        )
        action = await client.post(
            "/api/v1/supervision-actions",
            json={
                "task_number": 3,
                "department_zh": "区市场监管局",
                "kind": "summons_interview",
                "taken_on": "2021-06-01",
                "reason_zh": "2020年度总结逾期未报",
            },
            headers=ADMIN,
        )
        overdue = (await client.get("/api/v1/annex-tasks/overdue?year=2020", headers=VIEWER)).json()
        not_yet = (await client.get("/api/v1/annex-tasks/overdue?year=2021", headers=VIEWER)).json()
        tasks = (await client.get("/api/v1/annex-tasks?year=2020", headers=VIEWER)).json()["tasks"]
    assert [r.status_code for r in (on_time, late, power, action)] == [201, 201, 201, 201], late.text
    assert late.json()["department_zh"] == "区生态环境局" and late.json()["on_time"] is False
    assert power.json()["department_zh"] == "电力公司（供电部门）"  # the account's unit, by its registry name
    assert not_member.status_code == 422 and not_member.json()["detail"]["field"] == "department_zh"
    leads = [
        (t.number, d)
        for t in load_policy().annex_tasks(2020)
        for d in t.lead_departments_zh
        if "相关部门" not in d
    ]
    listed = {(o["task_number"], o["department_zh"]): o for o in overdue["items"]}
    assert overdue["due"] == "2020-12-31" and set(listed) == set(leads) - {(1, "区经济信息委")}
    assert (
        listed[(2, "区生态环境局")]["submitted_on"] == "2021-01-05"
        and listed[(2, "区生态环境局")]["days_overdue"] == 5
    )
    assert listed[(3, "区市场监管局")]["submitted_on"] is None and not_yet["items"] == []
    assert len(tasks) == 16
    task3 = tasks[2]
    assert task3["lead_departments_zh"] == ["区市场监管局"] and task3["annual_summary"][
        "overdue_departments_zh"
    ] == ["区市场监管局"]
    assert [(a["kind_zh"], a["department_zh"]) for a in task3["supervision_actions"]] == [
        ("约谈", "区市场监管局")
    ]
    assert [r["department_zh"] for r in tasks[0]["reports"]] == ["区经济信息委"]
    assert tasks[0]["cooperating_departments_zh"] == ["区发展改革委"]


async def test_a_year_without_a_loaded_plan_says_so_and_borrows_no_tasks(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """Each year's 实施方案 is policy data: 2020's is loaded, 2021's is not — no 2020 task stands in for 2021."""
    async with office(database_url, broker) as (client, _app):
        loaded = (await client.get("/api/v1/annex-tasks?year=2020", headers=VIEWER)).json()
        missing = (await client.get("/api/v1/annex-tasks?year=2021", headers=VIEWER)).json()
        overdue = (await client.get("/api/v1/annex-tasks/overdue?year=2021", headers=VIEWER)).json()
        refused = await client.post(
            "/api/v1/annex-tasks/1/reports",
            json={"period": "2021", "kind": "plan", "submitted_on": "2021-03-01", "summary_zh": "方案"},
            headers=auth("demo-energy-writer"),
        )
    assert loaded["plan"]["document"] == "涪经信发〔2020〕85号" and loaded["note_zh"] is None
    assert len(loaded["tasks"]) == 16
    assert (
        missing["plan"] is None and missing["tasks"] == [] and "2021年度实施方案未载入" in missing["note_zh"]
    )
    assert overdue["items"] == [] and overdue["plan"] is None
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "period"


async def test_a_report_counts_for_its_unit_whichever_spelling_names_it(
    database_url: str, broker: EmbeddedBroker
) -> None:
    report = {"period": "2020", "kind": "annual_summary", "summary_zh": "全年检查工贸企业40家。"}
    async with office(database_url, broker) as (client, _app):
        # task 4 names its lead as 区应急局; the registry's name is 区应急管理局, its code emergency_management
        by_name = await client.post(
            "/api/v1/annex-tasks/4/reports",
            json={**report, "submitted_on": "2020-12-10", "department_zh": "区应急管理局"},
            headers=ADMIN,
        )
        by_bureau = await client.post(
            "/api/v1/annex-tasks/13/reports",
            json={**report, "submitted_on": "2020-12-11"},
            headers=auth("demo-safety-writer"),
        )
        unnamed = await client.post(
            "/api/v1/annex-tasks/6/reports",
            json={**report, "submitted_on": "2020-12-12", "department_zh": "区城市管理局"},
            headers=ADMIN,
        )
        overdue = (await client.get("/api/v1/annex-tasks/overdue?year=2020", headers=VIEWER)).json()
    assert [r.status_code for r in (by_name, by_bureau, unnamed)] == [201, 201, 201], by_name.text
    assert {(r.json()["department"], r.json()["department_zh"]) for r in (by_name, by_bureau)} == {
        ("emergency_management", "区应急管理局")
    }
    assert (unnamed.json()["department"], unnamed.json()["department_zh"]) == ("区城市管理局", "区城市管理局")
    late = {(o["task_number"], o["department"]) for o in overdue["items"]}
    assert (4, "emergency_management") not in late and (13, "emergency_management") not in late
    assert (14, "emergency_management") in late  # no summary on task 14: still due


async def test_annual_report_lists_the_exit_with_capacity(database_url: str, broker: EmbeddedBroker) -> None:
    async with office(database_url, broker) as (client, app):
        await seed(app)
        async with (
            app.state.coordinator.runtime.unit_of_work() as session
        ):  # a second bureau's exit of one line
            session.add(_entry(CEMENT, "annual_exit", "quality", date(2020, 11, 25), None, **EXIT_DETAILS))
        await client.post(
            "/api/v1/annex-tasks/13/reports",
            json={
                "period": "2020",
                "kind": "annual_summary",
                "submitted_on": "2020-12-28",
                "summary_zh": "执法总结",
            },
            headers=auth("demo-quality-writer"),
        )
        report = (await client.get("/api/v1/annual-report?year=2020", headers=VIEWER)).json()
        book = xlsx(await client.get("/api/v1/annual-report?year=2020&format=xlsx", headers=VIEWER))
        annex_overdue = (await client.get("/api/v1/annex-tasks/overdue?year=2020", headers=VIEWER)).json()
    assert report["due"] == "2021-01-10" and report["lists_as_of"] == "2020-12-31"
    # One line's capacity counts once although two bureaus' exits list it (it once summed to 40).
    assert report["summary"]["exits"] == 2 and report["summary"]["exited_enterprises"] == 1
    assert report["summary"]["exited_capacity"] == [{"unit": "万吨/年", "total": 20.0}]
    # The overdue annual summaries count member units as the annex page does, and the task pairs behind them.
    units = {o["department"] for o in annex_overdue["items"]}
    assert report["summary"]["summaries_overdue_units"] == len(units) < len(annex_overdue["items"])
    overview = {r["项目"]: r["内容"] for r in sheet_rows(book, "概况")}
    assert overview["年度总结逾期"] == f"{len(units)}个单位（{len(annex_overdue['items'])}项牵头任务）"
    exit_row = next(r for r in report["exits"] if r["name"] == "涪陵区示范水泥有限公司")
    assert exit_row["name"] == "涪陵区示范水泥有限公司" and exit_row["line"] == "2号立窑生产线"
    assert (
        float(exit_row["capacity"]) == 20
        and exit_row["capacity_unit"] == "万吨/年"
        and exit_row["way_zh"] == "关闭"
    )
    assert [r["uscc"] for r in report["yellow_list"]] == [ALU] and [
        r["uscc"] for r in report["red_list"]
    ] == [CEMENT]
    [dept] = report["measures_by_department"]
    assert dept["department_zh"] == "区规划自然资源局" and dept["pending"] == 1
    assert [r["department_zh"] for r in report["member_unit_reports"]] == ["区市场监管局"]
    assert book.sheetnames == ["概况", "年度退出", "黄牌名单", "红牌名单", "惩戒措施", "成员单位报送"]
    exit_xlsx = sheet_rows(book, "年度退出")[0]
    assert exit_xlsx["退出产能"] == 20 and isinstance(exit_xlsx["退出日期"], datetime)
    assert isinstance(sheet_rows(book, "成员单位报送")[0]["报送日期"], datetime)


# ---- AsyncAPI -------------------------------------------------------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


async def test_asyncapi_describes_every_topic_and_payload(database_url: str, broker: EmbeddedBroker) -> None:
    async with office(database_url, broker) as (client, _app):
        doc = (await client.get("/api/v1/asyncapi.json")).json()
    assert doc["asyncapi"].startswith("3.0")
    addresses = {c["address"] for c in doc["channels"].values()}
    assert addresses == {
        *(f"phaseout.{b}.events" for b in BUREAUS),
        "phaseout.coordinator.decisions",
        "phaseout.deadletter",
    }
    messages = doc["components"]["messages"]
    for bureau in BUREAUS:
        channel = doc["channels"][f"{bureau}Events"]
        for event_type, model in payload_models(bureau).items():
            [message] = [
                _resolve(doc, m["$ref"])
                for m in channel["messages"].values()
                if _resolve(doc, m["$ref"])["headers"]["properties"]["ce_type"]["const"] == event_type
            ]
            assert _resolve(doc, message["payload"]["$ref"])["title"] == model.__name__
            headers = message["headers"]["properties"]
            assert {
                "ce_id",
                "ce_source",
                "ce_type",
                "ce_subject",
                "ce_time",
                "ce_sequence",
                "content-type",
            } <= set(headers)
            assert message["bindings"]["kafka"]["key"]["pattern"].startswith("^[0-9A-HJ-NPQRTUWXY]{2}")
    decisions = [m for m in messages.values() if m["name"].startswith("coordinator.decision.")]
    assert {m["name"].rsplit(".", 1)[1] for m in decisions} == set(DECISION_KINDS)
    change = doc["components"]["schemas"]["DecisionChange"]
    assert {"kind", "uscc", "code", "effective_on", "explanation"} <= set(change["properties"])
    recorded = {m["name"]: m for m in messages.values() if m["name"].endswith(".finding.recorded")}
    energy = recorded["energy.finding.recorded"]["x-derived-results"]
    limit = _resolve(doc, energy["energy_limit_exceeded"]["$ref"])
    assert {"ratio_over_limit", "over_limit", "category"} <= set(limit["required"])
    environment = _resolve(doc, recorded["environment.finding.recorded"]["x-derived-results"]["*"]["$ref"])
    assert "emitter_class" in environment["required"]
    quality = recorded["quality.finding.recorded"]["x-derived-results"]
    assert set(quality) == {"spot_check_failed", "licence_action"}  # types without a check derive nothing
    for ref in _refs(doc):
        _resolve(doc, ref)  # every reference resolves inside the document


# ---- roles ----------------------------------------------------------------------------------------------------


async def test_every_write_needs_its_role(database_url: str, broker: EmbeddedBroker) -> None:
    report = {"period": "2020", "kind": "plan", "submitted_on": "2020-08-01", "summary_zh": "方案"}
    supervision = {
        "task_number": 1,
        "department_zh": "区经济信息委",
        "kind": "circulated_notice",
        "taken_on": "2021-01-15",
        "reason_zh": "进展缓慢",
    }
    writes = {
        "draft": ("/api/v1/lists/yellow/publications", {}),
        "publish": ("/api/v1/publications/1/publish", None),
        "report": ("/api/v1/annex-tasks/1/reports", report),
        "supervision": ("/api/v1/supervision-actions", supervision),
    }
    tokens = (
        "",
        "forged",
        "demo-office-viewer",
        "demo-reader",
        "demo-department-power",
        "demo-energy-writer",
    )
    async with office(database_url, broker) as (client, _app):
        statuses = {
            name: [
                (await client.post(path, json=body, headers=auth(t) if t else {})).status_code for t in tokens
            ]
            for name, (path, body) in writes.items()
        }
    assert statuses == {
        "draft": [401, 401, 403, 403, 403, 403],
        "publish": [401, 401, 403, 403, 403, 403],
        "report": [401, 401, 403, 403, 422, 201],  # the power company is no department of task 1
        "supervision": [401, 401, 403, 403, 403, 403],
    }


async def test_a_list_with_an_entry_the_invariants_reject_cannot_be_published(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """Publishing is a legal act: a list on which an enterprise holds both cards of one dimension, or an entry
    that cites no clause, is refused with the reasons; the draft stays a draft."""
    async with office(database_url, broker) as (client, app):
        await seed(app)
        async with app.state.coordinator.runtime.unit_of_work() as session:
            session.add(_entry(BRICK, "red", "environment", date(2021, 5, 1), None, reason="overdue"))
            uncited = _entry(STEEL, "red", "quality", date(2021, 6, 1), None, reason="overdue")
            uncited.explanation = {**uncited.explanation, "basis": [{"document": "涪经信发〔2020〕85号"}]}
            session.add(uncited)
        draft = (
            await client.post("/api/v1/lists/red/publications", json={"as_of": "2021-08-01"}, headers=ADMIN)
        ).json()
        refused = await client.post(f"/api/v1/publications/{draft['id']}/publish", headers=ADMIN)
        after = (await client.get(f"/api/v1/publications/{draft['id']}", headers=VIEWER)).json()
        await sign_in(client, "demo-office-admin")
        page = await client.get("/dashboard/lists/red")
        fine = (
            await client.post(
                "/api/v1/lists/yellow/publications", json={"as_of": "2020-08-01"}, headers=ADMIN
            )
        ).json()
        published = await client.post(f"/api/v1/publications/{fine['id']}/publish", headers=ADMIN)
    assert refused.status_code == 409, refused.text
    problems = refused.json()["detail"]["problems"]
    assert any(BRICK in p and "同时在黄牌和红牌名单上" in p for p in problems)
    assert any(STEEL in p and "未注明所依据的文件和条款" in p for p in problems)
    assert after["state"] == "draft"
    assert "不能发布" in page.text and "同时在黄牌和红牌名单上" in page.text
    assert published.status_code == 200


async def test_the_overview_counts_equal_the_lists_they_summarise(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """Each figure of /stats (the overview's cards and list table) is the size of the list it links to."""
    async with office(database_url, broker) as (client, app):
        await seed(app)
        stats = (await client.get("/api/v1/stats", headers=VIEWER)).json()
        day = stats["as_of"]
        overdue = (await client.get("/api/v1/cases/overdue", headers=VIEWER)).json()
        due = (await client.get("/api/v1/cases/due?within_days=30", headers=VIEWER)).json()
        lists = {
            code: (await client.get(f"/api/v1/lists/{code}?as_of={day}&limit=500", headers=VIEWER)).json()
            for code in (x["list_code"] for x in stats["lists"])
        }
        measures = (await client.get("/api/v1/measures?limit=500", headers=VIEWER)).json()
    assert stats["cases"]["overdue"] == overdue["total"] and stats["cases"]["due"] == due["total"]
    for item in stats["lists"]:
        assert item["count"] == len({i["uscc"] for i in lists[item["list_code"]]["items"]}), item
    in_force = [
        m
        for m in measures["items"]
        if m["imposed_on"] <= day and (m["lifted_on"] is None or day < m["lifted_on"])
    ]
    assert stats["measures"]["in_force"] == len(in_force)
    assert stats["measures"]["awaiting_feedback"] == sum(not m["feedback"] for m in in_force)


async def test_the_office_sees_the_policy_data_and_each_instruments_editions(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with office(database_url, broker) as (client, _app):
        doc = (await client.get("/api/v1/policy", headers=VIEWER)).json()
        anonymous = await client.get("/api/v1/policy")
    assert anonymous.status_code == 401
    assert doc["policy_version"] == load_policy().version and doc["plan_in_force"] == 2020
    chains = {c["instrument_zh"]: c["editions"] for c in doc["chains"]}
    hazards = {e["document"]: e for e in chains["工贸企业重大事故隐患判定标准"]}
    assert hazards["安监总管四〔2017〕129号"]["valid_to"] == "2023-05-14"
    assert (
        hazards["应急管理部令第10号"]["valid_from"] == "2023-05-15"
        and hazards["应急管理部令第10号"]["items_on_file"] == 28
    )
    coke = chains["GB 21342 单位产品能源消耗限额"]
    assert [(e["document"], e["values_on_file"]) for e in coke] == [
        ("GB 21342-2013", False),
        ("GB 21342-2025", True),
    ]
    catalogue = [(e["document"], e["items_on_file"]) for e in chains["产业结构调整指导目录（淘汰类）"]]
    assert catalogue == [("国家发展和改革委员会令第29号", 19), ("国家发展改革委令第7号", 0)]
    credit = [e["document"] for e in chains["信用修复（失信信息公示期限）"]]
    assert credit == ["发改办财金〔2019〕527号", "国家发展改革委令第58号", "国家发展改革委令第36号"]
    assert {f["file"] for f in doc["files"]} >= {"energy_limits.json", "safety_major_hazards_2023.json"}


async def test_a_plan_year_to_load_is_checked_row_by_row_in_chinese(
    database_url: str, broker: EmbeddedBroker
) -> None:
    good = {
        "year": 2021,
        "document": "涪经信发〔2021〕30号",
        "title_zh": "涪陵区2021年利用综合标准依法依规推动落后产能退出工作实施方案",
        "issued_on": "2021-05-20",
        "tasks": [
            {
                "number": 1,
                "title_zh": "能耗方面",
                "dimension": "energy",
                "lead_units_zh": ["区经济信息委"],
                "cooperating_units_zh": ["区发展改革委"],
                "planned_work_zh": "依法依规开展工业节能专项监察。",
            }
        ],
    }
    bad = {
        **good,
        "issued_on": "2019-12-01",
        "tasks": [
            {**good["tasks"][0], "lead_units_zh": ["区能源局"]},
            {**good["tasks"][0], "title_zh": "", "dimension": "power"},
        ],
    }
    async with office(database_url, broker) as (client, app):
        passed = (await client.post("/api/v1/policy/plan-years/check", json=good, headers=ADMIN)).json()
        failed = (await client.post("/api/v1/policy/plan-years/check", json=bad, headers=ADMIN)).json()
        duplicate = {**good, "tasks": [good["tasks"][0], good["tasks"][0]]}
        twice = (await client.post("/api/v1/policy/plan-years/check", json=duplicate, headers=ADMIN)).json()
        viewer = await client.post("/api/v1/policy/plan-years/check", json=good, headers=VIEWER)
        async with app.state.runtime.sessions() as session:
            audited = list(
                await session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "plan_year"))
            )
    assert passed == {
        "valid": True,
        "errors": [],
        "summary": {"year": 2021, "document": "涪经信发〔2021〕30号", "tasks": 1, "replaces": None},
    }
    assert failed["valid"] is False
    messages = [e["message_zh"] for e in failed["errors"]]
    assert messages == ["第2行 title_zh：不能为空", "第2行 dimension：取值无效"], messages
    assert [e["message_zh"] for e in twice["errors"]] == ["第2行 number：任务序号1重复"]
    assert viewer.status_code == 403
    assert [a.action for a in audited] == ["policy.plan_year.check"] * 3


# ---- formula injection -------------------------------------------------------------------------------------

FORMULA_NAMES = ('=HYPERLINK("http://evil.example/x","点击查看")', "+1+1", "-2+3", "@SUM(1,2)", "\tTAB")
HOSTILE = [make_code(f"91500102MA5U9F{n}") for n in ("AA1", "AB2", "AC3", "AD4", "AE5")]


def _sheet_xml(content: bytes) -> str:
    """Every worksheet's XML of an XLSX file (a live formula is an <f> element there)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))


async def test_no_export_carries_a_live_formula(database_url: str, broker: EmbeddedBroker) -> None:
    """Enterprise names that spreadsheet programs would read as formulas (=, +, -, @, tab) reach every export as
    text: CSV cells get a leading apostrophe; XLSX cells are text with Excel's quote prefix and the name
    unchanged — the office lists, the measures, the annual report and the public publication alike."""
    rows: list[Any] = []
    for uscc, name in zip(HOSTILE, FORMULA_NAMES, strict=True):
        rows += _enterprise(uscc, name, "李渡街道", "sintered_bricks", "yellow", {"environment": "yellow"})
        rows += [
            _entry(uscc, "yellow", "environment", date(2021, 3, 1), None),
            _entry(uscc, "annual_exit", "technology", date(2020, 11, 20), None, **EXIT_DETAILS),
            _measure(f"m-{uscc}", uscc, "信用信息公示", "development_reform", date(2021, 4, 1)),
        ]
    async with office(database_url, broker) as (client, app):
        async with app.state.coordinator.runtime.unit_of_work() as session:
            session.add_all(rows)
        draft = await client.post(
            "/api/v1/lists/yellow/publications", json={"as_of": "2021-06-30"}, headers=ADMIN
        )
        pid = draft.json()["id"]
        await client.post(f"/api/v1/publications/{pid}/publish", headers=ADMIN)
        csvs = {
            url: await client.get(url, headers=VIEWER)
            for url in (
                "/api/v1/lists/yellow/export?format=csv",
                "/api/v1/measures/export?format=csv",
                "/api/v1/enterprises/export?format=csv",
                f"/api/v1/public/publications/{pid}/export?format=csv",
            )
        }
        sheets = {
            url: await client.get(url, headers=VIEWER)
            for url in (
                "/api/v1/lists/yellow/export?format=xlsx",
                "/api/v1/lists/annual_exit/export?format=xlsx&year=2020",
                "/api/v1/measures/export?format=xlsx",
                "/api/v1/annual-report?year=2020&format=xlsx",
                f"/api/v1/public/publications/{pid}/export?format=xlsx",
            )
        }
    checked = 0
    for url, r in csvs.items():
        assert r.status_code == 200, (url, r.text)
        cells = [c for line in csv.reader(io.StringIO(r.content.decode("utf-8-sig"))) for c in line]
        for name in FORMULA_NAMES:
            assert "'" + name in cells and name not in cells, (url, name)
            checked += 1
    for url, r in sheets.items():
        assert r.status_code == 200, (url, r.text)
        assert "<f>" not in _sheet_xml(r.content), url
        book = openpyxl.load_workbook(io.BytesIO(r.content))
        named = [
            c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value in FORMULA_NAMES
        ]
        assert {c.value for c in named} == set(FORMULA_NAMES), url
        assert all(c.data_type == "s" and c.quotePrefix for c in named), url
        checked += len(named)
    assert checked >= 4 * len(FORMULA_NAMES) + 5 * len(FORMULA_NAMES)


# ---- hostile input on the dashboard and the API ------------------------------------------------------------


async def test_hostile_dates_forms_and_stored_text_are_answered_not_crashed(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """A date far outside the platform's range is a 422 naming the parameter (not a 500); a login form that is
    not UTF-8 is a 400 and one posted from another site a 403 that signs nobody in; stored text such as
    ``<!--`` cannot change how the overview's chart data parses; the measures page shows no text taken from
    its link, and a refused answer is shown on the page it answers."""
    async with office(database_url, broker) as (client, app):
        await seed(app)
        async with app.state.coordinator.runtime.unit_of_work() as session:
            session.add_all(
                _enterprise(
                    HOSTILE[0],
                    "涪陵区脚本测试厂",
                    "<!--<script>街道",
                    "cement",
                    "yellow",
                    {"energy": "yellow"},
                )
            )
        dates = {
            url: await client.get(url, headers=VIEWER)
            for url in (
                "/api/v1/stats?as_of=9999-12-31",
                "/api/v1/stats?as_of=0001-01-01",
                "/api/v1/lists/red?as_of=9999-12-31",
                "/api/v1/lists/red/export?format=csv&as_of=9999-12-31",
            )
        }
        in_range = await client.get("/api/v1/stats?as_of=2100-12-31", headers=VIEWER)
        unreadable = await client.post(
            "/dashboard/login",
            content=b"token=\xff\xfe",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        cross_site = await client.post(
            "/dashboard/login", data={"token": "demo-office-admin"}, headers={"origin": "http://evil.example"}
        )
        signed_in_elsewhere = COOKIE in cross_site.cookies
        same_site = await client.post(
            "/dashboard/login",
            data={"token": "demo-office-admin"},
            headers={"origin": str(client.base_url).rstrip("/")},
        )
        overview = await client.get("/dashboard/")
        spoofed = await client.get("/dashboard/measures?notice=refused&why=请拨打12345补缴罚款")
        await sign_in(client, "demo-department-land")
        page = await client.get("/dashboard/measures")
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert csrf is not None
        refused = await client.post(
            "/dashboard/measures/m-land-2020/feedback",
            data={"csrf": csrf.group(1), "outcome": "not_executed", "reason": ""},
        )
    for url, r in dates.items():
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "as_of"], (url, r.text)
    assert in_range.status_code == 200
    assert unreadable.status_code == 400 and "UTF-8" in unreadable.text
    assert cross_site.status_code == 403 and not signed_in_elsewhere
    assert same_site.status_code == 303
    block = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', overview.text, re.S)
    assert block is not None and "<" not in block.group(1)
    assert "<!--<script>街道" in json.dumps(json.loads(block.group(1)), ensure_ascii=False)
    assert "请拨打12345" not in spoofed.text  # (only percent-encoded in the page's own links)
    assert refused.status_code == 422 and "未能保存：" in refused.text


async def test_a_bureau_reads_only_its_own_dimensions_entries_of_a_list(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """On 2021-03-15 the 黄牌 list holds ALU (energy) and BRICK (environment). A bureau's token gets its own
    dimension's entries only — in the list API and its download, as on the dashboard — the office gets both."""
    async with office(database_url, broker) as (client, app):
        await seed(app)
        listed = {
            token: (await client.get("/api/v1/lists/yellow?as_of=2021-03-15", headers=auth(token))).json()
            for token in ("demo-energy-writer", "demo-environment-writer", "demo-office-viewer")
        }
        exported = await client.get(
            "/api/v1/lists/yellow/export?format=csv&as_of=2021-03-15", headers=auth("demo-energy-writer")
        )
    seen = {
        token: sorted((i["uscc"], e["dimension"]) for i in body["items"] for e in i["entries"])
        for token, body in listed.items()
    }
    assert seen == {
        "demo-energy-writer": [(ALU, "energy")],
        "demo-environment-writer": [(BRICK, "environment")],
        "demo-office-viewer": sorted([(ALU, "energy"), (BRICK, "environment")]),
    }
    assert listed["demo-energy-writer"]["total"] == 1
    rows = exported.content.decode("utf-8-sig").splitlines()[1:]
    assert [r[:18] for r in rows] == [ALU]


async def test_the_feed_token_reads_the_feeds_and_nothing_else(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """The token services read each other's event feeds with is no office reader: the coordinator's decision
    feed and the approved policy changes answer it; lists, enterprises, statistics and measures do not, and
    it signs no one in to the dashboard."""
    feed = auth("demo-coordinator-feed")
    async with office(database_url, broker) as (client, app):
        await seed(app)
        answers = {
            url: (await client.get(url, headers=feed)).status_code
            for url in (
                "/api/v1/decisions?after=0",
                "/api/v1/policy/changes/approved",
                "/api/v1/lists/red",
                "/api/v1/enterprises",
                f"/api/v1/enterprises/{ALU}",
                "/api/v1/stats",
                "/api/v1/measures",
                "/api/v1/dead-letters",
            )
        }
        login = await client.post("/dashboard/login", data={"token": "demo-coordinator-feed"})
    assert answers == {
        url: 200 if url.startswith(("/api/v1/decisions", "/api/v1/policy/changes/approved")) else 403
        for url in answers
    }
    assert login.status_code == 401 and COOKIE not in login.cookies


async def test_a_dashboard_session_is_an_opaque_id_ended_by_logout_and_by_revoking_the_token(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """The cookie holds an opaque session id, never the bearer token, and the server keeps only its hash;
    logging out ends the session (the old cookie no longer signs in), and so does revoking the token."""
    runtime_token = "临时查阅令牌-" + "x" * 32
    async with office(database_url, broker) as (client, app):
        runtime = app.state.coordinator.runtime
        csrf = await sign_in(client, "demo-office-viewer")
        session_id = client.cookies.get(COOKIE)
        async with runtime.sessions() as session:
            stored = list(await session.scalars(sa.select(DashboardSession.session_hash)))
        signed_in = await client.get("/dashboard/")
        logout = await client.post("/dashboard/logout", data={"csrf": csrf})
        after_logout = await client.get("/dashboard/", headers={"cookie": f"{COOKIE}={session_id}"})
        async with runtime.unit_of_work() as session:
            await add_token(
                session,
                runtime_token,
                runtime.settings.token_pepper,
                actor="临时账号",
                role=Role.OFFICE_VIEWER,
            )
        await sign_in(client, runtime_token)
        before_revoking = await client.get("/dashboard/")
        async with runtime.unit_of_work() as session:
            await session.execute(sa.delete(ApiToken).where(ApiToken.actor == "临时账号"))

        async def signed_out() -> bool:  # services forget a revoked token within their 10 s cache
            return (await client.get("/dashboard/")).status_code == 303

        await wait_until(signed_out, timeout_s=15, interval_s=0.5, message="the revoked token's session ends")
    assert session_id and "demo-office-viewer" not in session_id and len(session_id) >= 40
    assert stored and session_id not in stored
    assert signed_in.status_code == 200 and logout.status_code == 303
    assert after_logout.status_code == 303 and "/dashboard/login" in after_logout.headers["location"]
    assert before_revoking.status_code == 200


async def test_measures_are_filtered_by_their_latest_feedback_and_paged_in_the_database(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """Three measures: m-land executed (its latest feedback), m-credit and m-land-2020 pending. The status
    filter and the pages come from the database: totals count the filtered measures, pages follow the order
    of imposition, and each item carries its whole feedback."""
    async with office(database_url, broker) as (client, app):
        await seed(app)

        async def page(query: str) -> dict[str, Any]:
            r = await client.get(f"/api/v1/measures?{query}", headers=VIEWER)
            assert r.status_code == 200, r.text
            result: dict[str, Any] = r.json()
            return result

        pending = [await page(f"execution=pending&limit=1&offset={n}") for n in (0, 1, 2)]
        executed = await page("execution=executed")
        everything = await page("limit=2")
    assert [p["total"] for p in pending] == [2, 2, 2]
    assert [[m["key"] for m in p["items"]] for p in pending] == [["m-land-2020"], ["m-credit"], []]
    assert executed["total"] == 1 and [m["key"] for m in executed["items"]] == ["m-land"]
    assert executed["items"][0]["feedback"][0]["reference"] == "涪规资函〔2021〕3号"
    assert everything["total"] == 3 and len(everything["items"]) == 2
