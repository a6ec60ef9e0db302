"""XLSX templates for the editions the office loads item by item — limit values of an energy standard, item
texts of 应急管理部令第10号, 淘汰类 items of the 2024 catalogue — and reading a filled-in one back into the
JSON document of its kind (``phaseout_policy.office``). One sheet 版本 holds the document's own fields, one
sheet 条目 a row per item; an upload is handled as hostile as the plan-year template's (same reader)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from phaseout_coordinator.adapters.plan_year_template import (
    NotTheTemplate,
    header_fields,
    open_upload,
    section_rows,
)

HEADER_SHEET, ROWS_SHEET, HELP_SHEET = "版本", "条目", "填写说明"
COMMON_HELP = (
    "在「版本」表B列填写本次录入的出处；在「条目」表每行填写一项（第1行为列名，不要改动）。",
    "只录入参考数据尚未收录的内容；上传后逐行检查，有错误时列出所在行与列；无误则保存为待审批变更并预览，审批后生效。",
)


@dataclass(frozen=True)
class EditionForm:
    """What the template of one kind of change asks for: the document's fields and one row per item."""

    kind: str
    name_zh: str
    header: tuple[tuple[str, str], ...]  # (field, label) on the 版本 sheet
    section: str  # the document's list of rows
    columns: tuple[tuple[str, str], ...]  # (field, column title) on the 条目 sheet
    help_zh: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name_zh}模板.xlsx"


FORMS: dict[str, EditionForm] = {
    form.kind: form
    for form in (
        EditionForm(
            "energy_limits",
            "能耗限额标准限定值",
            (("edition", "标准版本"), ("source", "数值出处")),
            "limits",
            (
                ("key", "指标代码"),
                ("unit", "单位"),
                ("existing_enterprise_limit", "限定值（现有企业）"),
                ("grade1", "1级"),
                ("grade2", "2级"),
                ("clause", "标准条款"),
            ),
            (
                "标准版本填写版本链中参考数据未收录限定值的版本，如 GB 21256-2013；出处写明标准文本及页码。",
                "指标代码为政策数据中的指标代码（如 sintering_process），单位须与该指标一致；1级、2级可空。",
            ),
        ),
        EditionForm(
            "hazard_items",
            "重大事故隐患判定条目原文",
            (("source", "原文出处"),),
            "items",
            (("code", "条目代码"), ("text_zh", "条目原文")),
            ("条目代码按应急管理部令第10号的条、项填写，如 L10-A4-6（第四条（六））；条目原文照录。",),
        ),
        EditionForm(
            "catalogue_items",
            "产业结构调整指导目录（2024年本）淘汰类条目",
            (("source", "原文出处"),),
            "items",
            (
                ("code", "条目代码"),
                ("industry_zh", "行业"),
                ("clause", "目录位置"),
                ("item_zh", "条目原文"),
                ("deadline", "淘汰期限"),
            ),
            (
                "条目代码以 cat2024_ 开头，如 cat2024_steel_05；目录位置如 淘汰类 一、落后生产工艺装备（一）钢铁 5。",
                "条目原文照录国家发展改革委令第7号；条目所附淘汰期限照录（无则空白）。",
            ),
        ),
    )
}


def edition_template(form: EditionForm) -> bytes:
    book = Workbook()
    header = book.active
    assert header is not None
    header.title = HEADER_SHEET
    bold = Font(bold=True)
    for row, (_, label) in enumerate(form.header, start=1):
        header.cell(row=row, column=1, value=label).font = bold
    header.column_dimensions["A"].width, header.column_dimensions["B"].width = 14, 70
    rows = book.create_sheet(ROWS_SHEET)
    fill = PatternFill("solid", fgColor="DDE6F0")
    for column, (_, title) in enumerate(form.columns, start=1):
        cell = rows.cell(row=1, column=column, value=title)
        cell.font, cell.fill = bold, fill
        rows.column_dimensions[cell.column_letter].width = 60 if "原文" in title else 18
    rows.freeze_panes = "A2"
    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 110
    for row, text in enumerate((*form.help_zh, *COMMON_HELP), start=1):
        help_sheet.cell(row=row, column=1, value=text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_edition(form: EditionForm, content: bytes) -> tuple[dict[str, Any], list[int]]:
    """The document in a filled-in template, and the sheet row of each item (errors by row)."""
    book = open_upload(content)
    try:
        missing = [name for name in (HEADER_SHEET, ROWS_SHEET) if name not in book.sheetnames]
        if missing:
            raise NotTheTemplate(f"文件中没有「{'」「'.join(missing)}」表，请使用下载的{form.file_name}填写")
        document = header_fields(book[HEADER_SHEET], form.header)
        document[form.section], rows = section_rows(book[ROWS_SHEET], ROWS_SHEET, form.columns)
        return document, rows
    finally:
        book.close()


def edition_sheet_errors(
    form: EditionForm, errors: list[dict[str, Any]], rows: list[int]
) -> list[dict[str, Any]]:
    """The check's errors as the office sees the template: sheet, sheet row and column title."""
    titles = {**dict(form.header), **dict(form.columns), form.section: f"「{ROWS_SHEET}」表（至少一行）"}
    located = []
    for e in errors:
        title = titles.get(e["field"].split(".")[0], e["field"])
        if e["section"] == form.section and e["row"] and e["row"] <= len(rows):
            row = rows[e["row"] - 1]
            located.append(
                {**e, "row": row, "message_zh": f"「{ROWS_SHEET}」表第{row}行 {title}：{e['problem_zh']}"}
            )
        else:
            located.append({**e, "message_zh": f"「{HEADER_SHEET}」表 {title}：{e['problem_zh']}"})
    return located
