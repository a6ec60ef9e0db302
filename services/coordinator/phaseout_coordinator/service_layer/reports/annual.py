"""The annual report to the city office: the year's exits, lists, measures and member units' reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.adapters.exports import Column, Table
from phaseout_coordinator.adapters.orm_reports import AnnexTaskReport
from phaseout_coordinator.service_layer.publications import (
    EXIT_LIST,
    list_rows,
    list_scope,
    list_table,
)
from phaseout_coordinator.service_layer.reports.annex import (
    due_date,
    overdue_summaries,
    period_of,
    plan_note_zh,
    plan_view,
    report_view,
    reporting_deadline,
)
from phaseout_coordinator.service_layer.reports.labels import EXECUTION_ZH
from phaseout_coordinator.service_layer.reports.tables import MeasureFilter, measure_rows, measure_table
from phaseout_policy import PolicyBook

# ---- the annual report --------------------------------------------------------------------------------------


def capacity_totals(exits: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exited capacity by unit, each production line once: when two bureaus' cases concern one line, both
    exits are listed, but the line's capacity left production once."""
    totals: dict[str, float] = defaultdict(float)
    counted: set[tuple[Any, ...]] = set()
    for n, row in enumerate(exits):
        if row.get("capacity") in (None, "") or not row.get("capacity_unit"):
            continue
        line = (row["uscc"], row["line"]) if row.get("line") else ("unnamed line", n)  # each counts
        if line not in counted:
            counted.add(line)
            totals[row["capacity_unit"]] += float(row["capacity"])
    return [{"unit": unit, "total": round(total, 3)} for unit, total in sorted(totals.items())]


def _by_department(measures: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in measures:
        groups[m["target_department_zh"]].append(m)
    return [
        {
            "department_zh": dept,
            "total": len(items),
            **{status: sum(m["execution_status"] == status for m in items) for status in EXECUTION_ZH},
            "measures": items,
        }
        for dept, items in sorted(groups.items())
    ]


async def annual_report(
    sessions: async_sessionmaker[AsyncSession], policy: PolicyBook, *, year: int, today: date
) -> dict[str, Any]:
    year_end = date(year, 12, 31)
    exits = [r async for r in list_rows(sessions, list_scope(EXIT_LIST, None, year, today), internal=False)]
    on_lists = {
        code: [r async for r in list_rows(sessions, list_scope(code, year_end, None, today), internal=False)]
        for code in ("yellow", "red")
    }
    async with sessions() as session:
        measures = await measure_rows(
            session, MeasureFilter(imposed_from=date(year, 1, 1), imposed_to=year_end)
        )
        reports = (
            await session.scalars(
                sa.select(AnnexTaskReport)
                .where(period_of(year))
                .order_by(
                    AnnexTaskReport.department, AnnexTaskReport.task_number, AnnexTaskReport.submitted_on
                )
            )
        ).all()
        overdue = await overdue_summaries(session, policy, year=year, today=today)
    city = reporting_deadline(policy, "plan_year_plus_1")
    return {
        "year": year,
        "title_zh": f"涪陵区{year}年度落后产能退出工作情况",
        "reporter_zh": city.reporter_zh,
        "recipient_zh": city.recipient_zh,
        "due": due_date(city, year).isoformat(),
        "basis": {"document": city.document, "clause": city.clause, "text_zh": city.text_zh},
        "generated_on": today.isoformat(),
        "plan": plan_view(policy, year),
        "plan_note_zh": plan_note_zh(policy, year),
        "summary": {
            "exits": len(exits),
            "exited_enterprises": len({r["uscc"] for r in exits}),
            "exited_capacity": capacity_totals(exits),
            "yellow": len({r["uscc"] for r in on_lists["yellow"]}),
            "red": len({r["uscc"] for r in on_lists["red"]}),
            "measures": len(measures),
            # as the annex page counts them: member units, and the (task, unit) pairs behind them
            "summaries_overdue_units": len({o["department"] for o in overdue}),
            "summaries_overdue_tasks": len(overdue),
        },
        "exits": exits,
        "yellow_list": on_lists["yellow"],
        "red_list": on_lists["red"],
        "lists_as_of": year_end.isoformat(),
        "measures_by_department": _by_department(measures),
        "member_unit_reports": [report_view(policy, r) for r in reports],
        "summaries_overdue": overdue,
    }


REPORT_COLUMNS = (
    Column("department_zh", "报送单位", width=20),
    Column("task_number", "任务序号", "integer", 10),
    Column("task_title_zh", "任务", width=16),
    Column("kind_zh", "类别", width=10),
    Column("period", "期间", width=10),
    Column("submitted_on", "报送日期", "date", 12),
    Column("summary_zh", "内容摘要", width=60),
)


def _overview_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    s = report["summary"]
    capacity = "；".join(f"{c['total']:g} {c['unit']}" for c in s["exited_capacity"]) or "无"
    pairs = [
        ("报送单位", report["reporter_zh"]),
        ("报送对象", report["recipient_zh"]),
        ("报送期限", report["due"]),
        ("依据", f"{report['basis']['document']} {report['basis']['clause']}"),
        ("年度退出（条）", s["exits"]),
        ("退出企业（家）", s["exited_enterprises"]),
        ("退出产能", capacity),
        (f"黄牌名单（截至{report['lists_as_of']}，家）", s["yellow"]),
        (f"红牌名单（截至{report['lists_as_of']}，家）", s["red"]),
        ("年内实施惩戒措施（项）", s["measures"]),
        (
            "年度总结逾期",
            f"{s['summaries_overdue_units']}个单位（{s['summaries_overdue_tasks']}项牵头任务）"
            if s["summaries_overdue_tasks"]
            else "无",
        ),
    ]
    return [{"item": k, "value": v} for k, v in pairs]


def annual_report_sheets(
    policy: PolicyBook, report: dict[str, Any]
) -> list[tuple[Table, list[dict[str, Any]]]]:
    year, today = report["year"], date.fromisoformat(report["generated_on"])
    titles = {t.number: t.title_zh for t in policy.annex_tasks(year)}
    overview = Table(
        report["title_zh"],
        f"生成日期 {report['generated_on']}",
        (Column("item", "项目", width=30), Column("value", "内容", width=60)),
        "概况",
    )
    reports = [{**r, "task_title_zh": titles.get(r["task_number"])} for r in report["member_unit_reports"]]
    measures = [m for d in report["measures_by_department"] for m in d["measures"]]
    return [
        (overview, _overview_rows(report)),
        (
            list_table(policy, list_scope(EXIT_LIST, None, year, today), internal=False, sheet_zh="年度退出"),
            report["exits"],
        ),
        (
            list_table(policy, list_scope("yellow", date(year, 12, 31), None, today), internal=False),
            report["yellow_list"],
        ),
        (
            list_table(policy, list_scope("red", date(year, 12, 31), None, today), internal=False),
            report["red_list"],
        ),
        (measure_table(f"{year}年度实施"), measures),
        (Table("成员单位报送情况", f"{year}年度", REPORT_COLUMNS, "成员单位报送"), reports),
    ]
