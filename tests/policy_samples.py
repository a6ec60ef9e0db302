"""Sample policy data for the tests of the office's changes: a plan year, an operating-rule edition (both
test samples, marked so in their texts), and the XLSX template filled in as an office clerk would."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl

from phaseout_kit.registry import DIMENSION_ZH

FIXTURES = Path(__file__).parent / "fixtures"
PLAN: dict[str, Any] = json.loads((FIXTURES / "plan_year_2021.json").read_text("utf-8"))
EXIT_IN_3_MONTHS: dict[str, Any] = json.loads((FIXTURES / "local_rule_exit_deadline.json").read_text("utf-8"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Limit values of an edition the data lacks: a test value, not the standard's (never in the product's data).
SINTERING_2013: dict[str, Any] = {
    "edition": "GB 21256-2013",
    "source": "测试样例：非标准原文数值，仅供测试",
    "limits": [
        {"key": "sintering_process", "unit": "kgce/t", "existing_enterprise_limit": 56, "clause": "4.1 表1"}
    ],
}
# A 淘汰类 item of the 2024 catalogue the data lacks: a test text, not the catalogue's (never in the product's data).
CATALOGUE_2024_STEEL: dict[str, Any] = {
    "source": "测试样例：非原文，仅供测试",
    "items": [
        {
            "code": "cat2024_steel_01",
            "industry_zh": "钢铁",
            "clause": "淘汰类 一、落后生产工艺装备（测试样例）",
            "item_zh": "测试样例条目：某类钢铁冶炼设备（非原文）。",
        }
    ],
}
# An item text of 令第10号 the data lacks: a test text, not the order's (never in the product's data).
HAZARD_L10_A4_6: dict[str, Any] = {
    "source": "测试样例：非原文，仅供测试",
    "items": [{"code": "L10-A4-6", "text_zh": "测试样例条目：冶金企业某项重大事故隐患情形（非原文）。"}],
}
PLAN_WITH_PERIOD: dict[str, Any] = {
    **PLAN,
    "rectification": [
        {
            "dimension": "energy",
            "months": 3,
            "clause": "二、(一)",
            "text_zh": "对达不到强制性能耗限额标准要求的产能，应在3个月内完成整改（测试样例：缩短整改期限）。",
        }
    ],
}


def filled_template(template: bytes, plan: dict[str, Any]) -> bytes:
    """The template as an office clerk fills it in: units joined by 、, dimensions in Chinese."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    for row, field in enumerate(("year", "document", "title_zh", "issued_on"), start=1):
        book["方案"].cell(row=row, column=2, value=plan[field])
    sheet = book["附件任务"]
    for row, task in enumerate(plan["tasks"], start=2):
        values = (
            task["number"],
            task["title_zh"],
            DIMENSION_ZH.get(task.get("dimension") or "", "综合"),
            "、".join(task["lead_units_zh"]),
            "、".join(task.get("cooperating_units_zh", [])),
            task.get("document_content_zh", ""),
            task["planned_work_zh"],
            task.get("contact_zh", ""),
        )
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=value)
    periods = book["整改期限"]
    for row, period in enumerate(plan.get("rectification", []), start=2):
        values = (
            DIMENSION_ZH[period["dimension"]],
            period["months"],
            period.get("valid_from"),
            period["clause"],
            period["text_zh"],
        )
        for column, value in enumerate(values, start=1):
            periods.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Column titles of the edition templates as an office clerk reads them (a title may name a field of one kind).
EDITION_TITLES = {
    "标准版本": ("edition",),
    "数值出处": ("source",),
    "原文出处": ("source",),
    "指标代码": ("key",),
    "单位": ("unit",),
    "限定值（现有企业）": ("existing_enterprise_limit",),
    "1级": ("grade1",),
    "2级": ("grade2",),
    "标准条款": ("clause",),
    "条目代码": ("code",),
    "行业": ("industry_zh",),
    "目录位置": ("clause",),
    "条目原文": ("text_zh", "item_zh"),
    "淘汰期限": ("deadline",),
}


def filled_edition(template: bytes, document: dict[str, Any]) -> bytes:
    """An edition template (版本, 条目) filled in from ``document`` by the titles the template shows."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    header = book["版本"]
    for row in range(1, header.max_row + 1):
        fields = EDITION_TITLES[str(header.cell(row=row, column=1).value)]
        header.cell(row=row, column=2, value=next(document[f] for f in fields if f in document))
    rows = book["条目"]
    items = document.get("items") or document["limits"]
    titles = [str(c.value) for c in rows[1]]
    for row, item in enumerate(items, start=2):
        for column, title in enumerate(titles, start=1):
            value = next((item[f] for f in EDITION_TITLES[title] if f in item), None)
            rows.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
