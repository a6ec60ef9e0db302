"""The policy data API: the datasets and instrument chains in force, and the office administrator's loading of
a year's 实施方案 — check, submit (draft with preview), approve, withdraw (no ``from __future__``: FastAPI
reads the annotations)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response

from phaseout_coordinator.adapters.edition_templates import FORMS, edition_template
from phaseout_coordinator.adapters.exports import EXPORT_CONTENT, XLSX_MEDIA_TYPE, xlsx_response
from phaseout_coordinator.adapters.plan_year_template import template_bytes
from phaseout_coordinator.entrypoints.api import (
    AdminDep,
    CoordinatorDep,
    FeedReaderDep,
    PolicyDep,
    ReaderDep,
)
from phaseout_coordinator.service_layer import policy_import
from phaseout_coordinator.service_layer.policy_data import overview
from phaseout_coordinator.service_layer.policy_store import approved_changes
from phaseout_kit.web import MAX_ROW_ID, RuntimeDep, errors

ChangeId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="政策数据变更编号")]
PlanYearBody = Annotated[
    dict[str, Any], Body(description="年度实施方案（JSON，字段见 README「年度实施方案」）")
]


# Each kind of change the office submits as JSON: its path, what the API says it is, and the body's fields.
SUBMITTED = (
    (
        "/policy/plan-years",
        "plan_year",
        "提交年度实施方案：保存为待审批变更，并预览其对各企业决定的影响 (submit a plan year: draft and preview)",
        "年度实施方案（JSON，字段见 README「年度实施方案」）",
    ),
    (
        "/policy/local-rules",
        "local_rule",
        "提交平台运行规则的确认或改定（如退出期限）：保存为待审批变更并预览影响 (submit an operating rule edition)",
        "运行规则版本：key、months、valid_from、document、clause、text_zh",
    ),
    (
        "/policy/energy-limits",
        "energy_limits",
        "提交能耗限额标准某一版本的限定值（参考数据未收录的版本）：保存为待审批变更 (submit limit values of an edition)",
        "edition（如 GB 21256-2013）、source、limits：key、unit、existing_enterprise_limit、clause",
    ),
    (
        "/policy/hazard-items",
        "hazard_items",
        "提交应急管理部令第10号条目原文（参考数据未收录的条目）：保存为待审批变更 (submit item texts of order No. 10)",
        "source、items：code（如 L10-A4-6）、text_zh",
    ),
    (
        "/policy/catalogue-items",
        "catalogue_items",
        "提交产业结构调整指导目录（2024年本）淘汰类条目（参考数据未收录）：保存为待审批变更 (submit items of the 2024 catalogue)",
        "source、items：code（cat2024_ 开头）、industry_zh、clause、item_zh、deadline",
    ),
)


def _submit_route(router: APIRouter, path: str, kind: str, summary: str, fields_zh: str) -> None:
    async def submit(
        coordinator: CoordinatorDep,
        runtime: RuntimeDep,
        principal: AdminDep,
        body: Annotated[dict[str, Any], Body(description=fields_zh)],
    ) -> dict[str, Any]:
        async with runtime.unit_of_work() as session:
            return await policy_import.submit_change(
                session, principal, kind, body, coordinator.policy_store, coordinator.clock.today()
            )

    submit.__name__ = f"submit_{kind}"
    router.add_api_route(
        path, submit, methods=["POST"], status_code=201, summary=summary, responses=errors(422)
    )
    form = FORMS.get(kind)
    if form is not None:
        _sheet_routes(router, path, kind)


XLSX_BODY = {
    "requestBody": {"content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
}


def _sheet_routes(router: APIRouter, path: str, kind: str) -> None:
    """The XLSX template of an edition kind and its upload, next to the JSON route."""
    form = FORMS[kind]

    async def template(_p: AdminDep) -> Response:
        return xlsx_response(edition_template(form), form.file_name, f"phaseout-{kind}-template.xlsx")

    async def submit_sheet(
        request: Request, coordinator: CoordinatorDep, runtime: RuntimeDep, principal: AdminDep
    ) -> dict[str, Any]:
        content = await request.body()  # size-capped by the kit's body limit
        async with runtime.unit_of_work() as session:
            return await policy_import.submit_edition_sheet(
                session, principal, kind, content, coordinator.policy_store, coordinator.clock.today()
            )

    template.__name__, submit_sheet.__name__ = f"{kind}_template", f"submit_{kind}_sheet"
    router.add_api_route(
        f"{path}/template.xlsx",
        template,
        methods=["GET"],
        summary=f"{form.name_zh} XLSX 模板（版本、条目、填写说明）(the {kind} template)",
        responses=EXPORT_CONTENT,
    )
    router.add_api_route(
        f"{path}/xlsx",
        submit_sheet,
        methods=["POST"],
        status_code=201,
        summary=f"以填好的 XLSX 模板提交{form.name_zh}（请求体为文件本身；错误按表、行、列列出）(submit {kind} as XLSX)",
        responses=errors(422),
        openapi_extra=XLSX_BODY,
    )


def policy_routes(router: APIRouter) -> None:
    for path, kind, summary, fields_zh in SUBMITTED:
        _submit_route(router, path, kind, summary, fields_zh)

    @router.get(
        "/policy",
        summary="政策数据：各数据文件、各法规标准的版本链（施行日期、替代关系、收录情况）(policy data and editions)",
    )
    async def policy_data(policy: PolicyDep, coordinator: CoordinatorDep, _p: ReaderDep) -> dict[str, Any]:
        return overview(policy, coordinator.clock.today())

    @router.post(
        "/policy/plan-years/check",
        summary="检查拟载入的年度实施方案（逐行列出错误；不保存）(check a plan year before loading it)",
    )
    async def check_plan_year(
        coordinator: CoordinatorDep, runtime: RuntimeDep, principal: AdminDep, body: PlanYearBody
    ) -> dict[str, Any]:
        async with runtime.unit_of_work() as session:
            await coordinator.policy_store.refresh(session)
            return policy_import.audited_check(
                session, principal, body, coordinator.policy_store, coordinator.clock.today()
            )

    @router.get(
        "/policy/plan-years/template.xlsx",
        summary="年度实施方案 XLSX 模板（方案、附件任务、整改期限、填写说明）(the plan-year template)",
        responses=EXPORT_CONTENT,
    )
    async def plan_year_template(_p: AdminDep) -> Response:
        return xlsx_response(template_bytes(), "年度实施方案模板.xlsx", "phaseout-plan-year-template.xlsx")

    @router.post(
        "/policy/plan-years/xlsx",
        status_code=201,
        summary="以填好的 XLSX 模板提交年度实施方案（请求体为文件本身；错误按表、行、列列出）(submit a plan year as XLSX)",
        responses=errors(422),
        openapi_extra=XLSX_BODY,
    )
    async def submit_plan_year_sheet(
        request: Request, coordinator: CoordinatorDep, runtime: RuntimeDep, principal: AdminDep
    ) -> dict[str, Any]:
        content = await request.body()  # size-capped by the kit's body limit
        async with runtime.unit_of_work() as session:
            return await policy_import.submit_plan_year_sheet(
                session, principal, content, coordinator.policy_store, coordinator.clock.today()
            )

    @router.get("/policy/changes", summary="政策数据变更（待审批、已生效、已撤回）(policy changes)")
    async def list_changes(runtime: RuntimeDep, _p: ReaderDep) -> list[dict[str, Any]]:
        async with runtime.sessions() as session:
            return await policy_import.list_changes(session)

    @router.get(
        "/policy/changes/approved",
        summary="已批准生效的政策数据变更，按审批顺序（各委办局据此叠加到随产品发布的政策数据）(approved changes, in order)",
    )
    async def approved(runtime: RuntimeDep, _p: FeedReaderDep) -> list[dict[str, Any]]:
        async with runtime.sessions() as session:
            return await approved_changes(session)

    @router.get(
        "/policy/changes/{change_id}",
        summary="一项政策数据变更及其影响预览 (a policy change and its preview)",
        responses=errors(404),
    )
    async def get_change(
        change_id: ChangeId,
        runtime: RuntimeDep,
        _p: ReaderDep,
        offset: Annotated[int, Query(ge=0, le=10_000_000, description="预览中企业的起始位置")] = 0,
        limit: Annotated[
            int, Query(ge=1, le=1000, description="预览中企业的条数")
        ] = policy_import.PREVIEW_PAGE,
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            return await policy_import.get_change(session, change_id, offset, limit)

    @router.post(
        "/policy/changes/{change_id}/approve",
        summary="审批生效：形成新的政策数据版本，受影响企业按新版本重新判定 (approve: a new policy version)",
        responses=errors(404, 409, 422),
    )
    async def approve_change(
        change_id: ChangeId, coordinator: CoordinatorDep, principal: AdminDep
    ) -> dict[str, Any]:
        return await coordinator.approve_policy_change(principal, change_id)

    @router.post(
        "/policy/changes/{change_id}/withdraw",
        summary="撤回待审批的变更 (withdraw a draft)",
        responses=errors(404, 409),
    )
    async def withdraw_change(
        change_id: ChangeId, runtime: RuntimeDep, principal: AdminDep
    ) -> dict[str, Any]:
        async with runtime.unit_of_work() as session:
            return await policy_import.withdraw_change(session, principal, change_id)
