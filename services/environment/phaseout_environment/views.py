"""The environment bureau's emitter lists (超标排放企业名单 / 超标排放严重的企业名单), read from its findings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query

from phaseout_bureau.adapters.orm import FindingRow
from phaseout_bureau.views import ReaderDep
from phaseout_environment.checks import EMITTER_CLASS_ZH
from phaseout_kit.registry import unit
from phaseout_kit.web import RuntimeDep
from phaseout_policy.office import LayeredBook

ListedClass = Literal["over_standard", "seriously_over_standard"]
_RANK = {"none": 0, "over_standard": 1, "seriously_over_standard": 2}


def emitter_lists(rows: list[FindingRow]) -> dict[str, dict[str, Any]]:
    """Enterprises by USCC with their most serious emitter class over the given findings."""
    listed: dict[str, dict[str, Any]] = {}
    for row in rows:
        cls = row.derived.get("emitter_class", "none")
        if cls == "none":
            continue
        entry = listed.setdefault(
            row.uscc,
            {"uscc": row.uscc, "enterprise_name": row.enterprise_name, "emitter_class": cls, "findings": []},
        )
        if _RANK[cls] > _RANK[entry["emitter_class"]]:
            entry["emitter_class"] = cls
        entry["findings"].append(
            {
                "finding_id": row.id,
                "finding_type": row.finding_type,
                "found_on": row.found_on.isoformat(),
                "emitter_class": cls,
                "ratio_over_limit": row.derived.get("ratio_over_limit"),
                "reasons_zh": row.derived.get("emitter_class_reasons_zh", []),
            }
        )
    return listed


def emitters_router(policy: LayeredBook) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["环保 environment"])

    @router.get(
        "/emitters",
        summary="超标排放企业名单 / 超标排放严重的企业名单 (over-standard emitters of a year)",
        description="每家企业按其当年认定中最严重的一项归类，两份名单互不重复；"
        f"“超标排放严重”的判定为本地操作规则（置信度低，待{unit('ecology_environment').name_zh}确认），见返回的 rule。",
    )
    async def emitters(
        runtime: RuntimeDep,
        _p: ReaderDep,
        emitter_class: Annotated[ListedClass, Query(alias="class", description="名单")],
        year: Annotated[int, Query(ge=2000, le=2100, description="认定年度")],
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            rows = (
                await session.scalars(
                    sa.select(FindingRow)
                    .where(FindingRow.found_on.between(date(year, 1, 1), date(year, 12, 31)))
                    .order_by(FindingRow.uscc, FindingRow.found_on)
                )
            ).all()
        listed = [e for e in emitter_lists(list(rows)).values() if e["emitter_class"] == emitter_class]
        rule = policy.current.emitter_class_rule(date(year, 12, 31))
        return {
            "class": emitter_class,
            "title_zh": EMITTER_CLASS_ZH[emitter_class],
            "year": year,
            "rule": None
            if rule is None
            else {"text_zh": rule.text_zh, "status": rule.status, "confidence": rule.confidence},
            "enterprises": listed,
        }

    return router
