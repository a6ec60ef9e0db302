"""Measures and enterprises as table rows, for downloads and the annual report."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.adapters.exports import Column, Table
from phaseout_coordinator.adapters.orm import (
    EnterpriseRow,
    MeasureFeedback,
    MeasureRow,
)
from phaseout_coordinator.domain.model import DIMENSIONS, STATUS_ZH, Status
from phaseout_coordinator.service_layer import queries
from phaseout_coordinator.service_layer.measure_queries import measure_fields
from phaseout_coordinator.service_layer.publications import (
    industry_zh,
)
from phaseout_coordinator.service_layer.reports.labels import EXECUTION_ZH
from phaseout_kit.registry import DIMENSION_ZH

# ---- measures as rows (download, annual report) -------------------------------------------------------------


@dataclass(frozen=True)
class MeasureFilter:
    unit: str | None = (
        None  # registry code of the executing unit; "" matches none (see measures.unit_in_scope)
    )
    execution: str | None = None  # pending | executed | refused
    imposed_from: date | None = None
    imposed_to: date | None = None


async def measure_rows(session: AsyncSession, f: MeasureFilter) -> list[dict[str, Any]]:
    """Measures with their enterprise and latest feedback, in two statements (no query per measure)."""
    query = sa.select(MeasureRow, EnterpriseRow.name).join(
        EnterpriseRow, EnterpriseRow.uscc == MeasureRow.uscc, isouter=True
    )
    if f.unit is not None:
        query = query.where(MeasureRow.target_unit == f.unit)
    if f.imposed_from is not None:
        query = query.where(MeasureRow.start_on >= f.imposed_from)
    if f.imposed_to is not None:
        query = query.where(MeasureRow.start_on <= f.imposed_to)
    order = (MeasureRow.target_unit, MeasureRow.start_on, MeasureRow.key)
    measures = (await session.execute(query.order_by(*order))).all()
    latest = await _latest_feedback(session, [m.key for m, _name in measures])
    rows = [_measure_row(m, name, latest.get(m.key)) for m, name in measures]
    return [r for r in rows if f.execution is None or r["execution_status"] == f.execution]


async def _latest_feedback(session: AsyncSession, keys: Iterable[str]) -> dict[str, MeasureFeedback]:
    keys = list(keys)
    latest: dict[str, MeasureFeedback] = {}
    for start in range(0, len(keys), 500):
        rows = await session.scalars(
            sa.select(MeasureFeedback)
            .where(MeasureFeedback.measure_key.in_(keys[start : start + 500]))
            .order_by(MeasureFeedback.id)
        )
        latest |= {r.measure_key: r for r in rows}
    return latest


def _measure_row(m: MeasureRow, name: str | None, feedback: MeasureFeedback | None) -> dict[str, Any]:
    status = feedback.outcome if feedback else "pending"
    return {
        **measure_fields(m),
        "name": name,
        "execution_status": status,
        "execution_status_zh": EXECUTION_ZH.get(status, status),
        "executed_on": feedback.executed_on.isoformat() if feedback else None,
        "reference": feedback.reference if feedback else None,
        "refusal_reason": feedback.reason if feedback else None,
    }


MEASURE_COLUMNS = (
    Column("target_department_zh", "执行部门", width=24),
    Column("title_zh", "措施", width=30),
    Column("uscc", "统一社会信用代码", width=22),
    Column("name", "企业名称", width=32),
    Column("via_affiliate_of", "因关联企业（代码）", width=22),
    Column("imposed_on", "实施日期", "date", 12),
    Column("lifted_on", "解除日期", "date", 12),
    Column("earliest_lift_on", "最早可解除日期", "date", 14),
    Column("execution_status_zh", "执行情况", width=10),
    Column("executed_on", "执行（答复）日期", "date", 14),
    Column("reference", "文号或凭证", width=20),
    Column("refusal_reason", "不予执行理由", width=30),
)


def measure_table(subtitle_zh: str) -> Table:
    return Table("联合惩戒措施及执行情况", subtitle_zh, MEASURE_COLUMNS, "惩戒措施")


# ---- enterprises as rows (download) -------------------------------------------------------------------------


ENTERPRISE_COLUMNS = (
    Column("uscc", "统一社会信用代码", width=22),
    Column("name", "企业名称", width=36),
    Column("town", "乡镇（街道）", width=14),
    Column("industrial_park", "工业园区", width=18),
    Column("industry_zh", "行业", width=12),
    Column("status_zh", "总体状态", width=10),
    *(Column(f"dimension_{d}", f"{DIMENSION_ZH[d]}状态", width=10) for d in DIMENSIONS),
    Column("first_found_on", "首次认定日期", "date", 14),
    Column("finding_count", "认定次数", "integer", 10),
)


def enterprise_table(subtitle_zh: str) -> Table:
    return Table("企业检索结果", subtitle_zh, ENTERPRISE_COLUMNS, "企业")


def _enterprise_row(item: dict[str, Any]) -> dict[str, Any]:
    dimensions = item.get("dimensions") or {}
    return {
        **item,
        "industry_zh": industry_zh(item["industry"]),
        **{
            f"dimension_{d}": STATUS_ZH[Status(dimensions[d])] if d in dimensions else None
            for d in DIMENSIONS
        },
    }


async def enterprise_rows(
    sessions: async_sessionmaker[AsyncSession], f: queries.EnterpriseFilter, page: int = 500
) -> AsyncIterator[dict[str, Any]]:
    offset = 0
    while True:
        async with sessions() as session:
            _total, items = await queries.search(session, f, offset=offset, limit=page)
        for item in items:
            yield _enterprise_row(item)
        if len(items) < page:
            return
        offset += page
