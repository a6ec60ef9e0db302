"""The service layers' refusals carry no HTTP status; the kit answers each kind with one status, in the shape
``problem()`` answers (so the API's error bodies do not depend on which layer refused)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from phaseout_kit import web
from phaseout_kit.refusals import Conflict, FieldErrors, Invalid, NotFound, NotPermitted, Refused


def _app(refusal: Refused) -> FastAPI:
    app = FastAPI()
    app.add_exception_handler(Refused, web._refused)

    @app.get("/refuse")
    async def refuse() -> None:
        raise refusal

    @app.get("/problem")
    async def answer_with_problem() -> None:
        raise web.problem(
            web.refusal_status(refusal), refusal.detail, **({"field": refusal.field} if refusal.field else {})
        )

    return app


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (NotFound("措施不存在", "no such measure"), 404),
        (NotPermitted("该措施不是发给本部门的", "measure addressed to another department"), 403),
        (Invalid("不予执行须说明理由", "reason is required when refusing", "reason"), 422),
        (Conflict("该名单当前状态为“已发布”，不能再次发布", "already published"), 409),
        (Refused("无法处理", "cannot be done"), 422),
    ],
)
async def test_each_refusal_kind_answers_its_status_like_problem(refusal: Refused, status: int) -> None:
    transport = httpx.ASGITransport(app=_app(refusal))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        refused, expected = await client.get("/refuse"), await client.get("/problem")
    assert refused.status_code == status == expected.status_code
    assert refused.json() == expected.json()
    body = refused.json()["detail"]
    assert (body["field"] == refusal.field) if refusal.field else body == f"{refusal.zh} ({refusal.en})"


async def test_a_refusal_carries_its_extra_facts() -> None:
    transport = httpx.ASGITransport(
        app=_app(Conflict("不能再次发布", "already published", state="published"))
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/refuse")
    assert answer.status_code == 409
    assert answer.json() == {"detail": {"detail": "不能再次发布 (already published)", "state": "published"}}


async def test_field_errors_answer_in_fastapis_own_shape() -> None:
    errors = [{"loc": ["body", "deadline"], "msg": "整改期限应晚于通知日期", "rule": None}]
    transport = httpx.ASGITransport(app=_app(FieldErrors(errors)))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/refuse")
    assert answer.status_code == 422 and answer.json() == {"detail": errors}
