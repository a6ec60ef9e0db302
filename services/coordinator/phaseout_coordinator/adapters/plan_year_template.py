"""The XLSX template the office fills in to load a year's 实施方案, and reading a filled-in one back into the
plan document (the JSON shape of ``phaseout_policy.office.PlanYearDocument``). An upload is hostile until
checked: size-capped by the caller, XML parsed through defusedxml (openpyxl uses it when installed), only
the cells the template defines are read, and a file that is not the template is refused in Chinese."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import defusedxml  # noqa: F401  (openpyxl parses the workbook's XML through it when it is installed)
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from phaseout_kit.registry import DIMENSION_ZH

PLAN_SHEET, TASK_SHEET, PERIOD_SHEET, HELP_SHEET = "方案", "附件任务", "整改期限", "填写说明"
PLAN_FIELDS = (
    ("year", "方案年度"),
    ("document", "文号"),
    ("title_zh", "方案名称"),
    ("issued_on", "印发日期"),
)
TASK_COLUMNS = (
    ("number", "序号"),
    ("title_zh", "任务名称"),
    ("dimension", "所属领域"),
    ("lead_units_zh", "牵头单位"),
    ("cooperating_units_zh", "配合单位"),
    ("document_content_zh", "文件内容"),
    ("planned_work_zh", "工作任务"),
    ("contact_zh", "联系科室及电话"),
)
PERIOD_COLUMNS = (
    ("dimension", "领域"),
    ("months", "整改期限（月）"),
    ("valid_from", "适用日期"),
    ("clause", "方案条款"),
    ("text_zh", "条款原文"),
)
SECTIONS = {"tasks": (TASK_SHEET, TASK_COLUMNS), "rectification": (PERIOD_SHEET, PERIOD_COLUMNS)}
GENERAL_ZH = "综合"
DIMENSION_OF_ZH = {**{zh: code for code, zh in DIMENSION_ZH.items()}, GENERAL_ZH: "general"}
UNIT_SEPARATOR = "、"
MAX_TASK_ROWS = 99  # 任务序号 1–99 (domain.policy_changes.TaskRow)
MAX_UNPACKED_BYTES = 20_000_000  # a template filled in by hand unpacks to well under 1 MB; refuse zip bombs
HELP = (
    "在「方案」表填写方案年度、文号、方案名称、印发日期（日期格式 YYYY-MM-DD）。",
    "在「附件任务」表每行填写一项任务；序号为整数，同一方案内不重复。",
    f"所属领域填写：{'、'.join(DIMENSION_OF_ZH)}（空白 = 不属于某一领域）。",
    f"牵头单位、配合单位填写单位名录中的名称，多个单位以“{UNIT_SEPARATOR}”分隔，如：区经济信息委{UNIT_SEPARATOR}区发展改革委。",
    "方案改定某一领域的整改期限时，在「整改期限」表每行填写一个领域（期限为整数月；适用日期空白 = 印发日期，此日及以后下达的整改通知适用）。",
    "上传后先逐行检查，有错误时列出所在行与字段；无误则保存为待审批变更并预览，审批后生效。",
)


class NotTheTemplate(ValueError):
    """The upload is not a filled-in template (not an XLSX file, or its sheets are missing)."""


def template_bytes() -> bytes:
    """The empty template with one example row (the office overwrites it)."""
    book = Workbook()
    plan = book.active
    assert plan is not None
    plan.title = PLAN_SHEET
    bold = Font(bold=True)
    for row, (_, label) in enumerate(PLAN_FIELDS, start=1):
        plan.cell(row=row, column=1, value=label).font = bold
    plan.column_dimensions["A"].width, plan.column_dimensions["B"].width = 12, 70
    tasks = book.create_sheet(TASK_SHEET)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for column, (_, label) in enumerate(TASK_COLUMNS, start=1):
        cell = tasks.cell(row=1, column=column, value=label)
        cell.font, cell.fill = bold, header_fill
        cell.alignment = Alignment(horizontal="center")
    for letter, width in zip("ABCDEFGH", (6, 16, 10, 24, 30, 40, 50, 20), strict=True):
        tasks.column_dimensions[letter].width = width
    tasks.freeze_panes = "A2"
    choices = DataValidation(type="list", formula1=f'"{",".join(DIMENSION_OF_ZH)}"', allow_blank=True)
    tasks.add_data_validation(choices)
    choices.add(f"C2:C{MAX_TASK_ROWS + 1}")
    periods = book.create_sheet(PERIOD_SHEET)
    for column, (_, label) in enumerate(PERIOD_COLUMNS, start=1):
        cell = periods.cell(row=1, column=column, value=label)
        cell.font, cell.fill = bold, header_fill
    for letter, width in zip("ABCDE", (10, 14, 14, 12, 80), strict=True):
        periods.column_dimensions[letter].width = width
    bureau_dimensions = DataValidation(type="list", formula1=f'"{",".join(DIMENSION_ZH.values())}"')
    periods.add_data_validation(bureau_dimensions)
    bureau_dimensions.add("A2:A6")
    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 110
    for row, text in enumerate(HELP, start=1):
        help_sheet.cell(row=row, column=1, value=text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _units(value: Any) -> list[str]:
    text = cell_text(value) or ""
    return [
        u.strip()
        for u in text.replace("，", UNIT_SEPARATOR).replace(",", UNIT_SEPARATOR).split(UNIT_SEPARATOR)
        if u.strip()
    ]


def open_upload(content: bytes) -> Any:
    """The workbook of an uploaded template, read-only; a file that is not XLSX or unpacks too large is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise NotTheTemplate("不是有效的 XLSX 文件，请使用下载的模板填写") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise NotTheTemplate("文件解压后过大，请使用下载的模板填写")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise NotTheTemplate("不是有效的 XLSX 文件，请使用下载的模板填写") from exc
    return book


def header_fields(sheet: Any, fields: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The document's own fields from a sheet of label (column A) and value (column B) rows."""
    labels = {label: field for field, label in fields}
    document: dict[str, Any] = {}
    for label, value, *_ in sheet.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        field = labels.get(cell_text(label) or "")
        if field and cell_text(value) is not None:
            document[field] = cell_text(value)
    return document


def read_plan_year(content: bytes) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The plan document in a filled-in template, and the sheet row of each task and period (errors by row)."""
    book = open_upload(content)
    try:
        missing = [name for name in (PLAN_SHEET, TASK_SHEET) if name not in book.sheetnames]
        if missing:
            raise NotTheTemplate(f"文件中没有「{'」「'.join(missing)}」表，请使用下载的模板填写")
        document = header_fields(book[PLAN_SHEET], PLAN_FIELDS)
        rows: dict[str, list[int]] = {}
        for section, (sheet_name, columns) in SECTIONS.items():
            if sheet_name not in book.sheetnames:  # 整改期限 is optional (templates before it had none)
                document[section], rows[section] = [], []
                continue
            document[section], rows[section] = section_rows(book[sheet_name], sheet_name, columns)
        return document, rows
    finally:
        book.close()


def section_rows(
    sheet: Any, sheet_name: str, columns: tuple[tuple[str, str], ...]
) -> tuple[list[dict[str, Any]], list[int]]:
    items, rows = [], []
    for row_number, values in enumerate(
        sheet.iter_rows(min_row=2, max_row=MAX_TASK_ROWS + 2, max_col=len(columns), values_only=True),
        start=2,
    ):
        if all(cell_text(v) is None for v in values):
            continue
        item: dict[str, Any] = {}
        for (field, _), value in zip(columns, values, strict=False):
            if field.endswith("units_zh"):
                item[field] = _units(value)
            elif field == "dimension":
                zh = cell_text(value)
                item[field] = DIMENSION_OF_ZH.get(zh, zh) if zh else None
            elif cell_text(value) is not None:
                item[field] = cell_text(value)
        items.append(item)
        rows.append(row_number)
    if len(items) > MAX_TASK_ROWS:
        raise NotTheTemplate(f"「{sheet_name}」表最多{MAX_TASK_ROWS}行")
    return items, rows


def sheet_errors(errors: list[dict[str, Any]], rows: dict[str, list[int]]) -> list[dict[str, Any]]:
    """The check's errors as the office sees the template: sheet, sheet row and column title."""
    labels = {
        **dict(PLAN_FIELDS),
        **dict(TASK_COLUMNS),
        **dict(PERIOD_COLUMNS),
        "tasks": f"「{TASK_SHEET}」表（至少一行）",
    }
    located = []
    for e in errors:
        field = labels.get(e["field"].split(".")[0], e["field"])
        if e["section"] in SECTIONS and e["row"]:
            sheet_name = SECTIONS[e["section"]][0]
            row = rows[e["section"]][e["row"] - 1]
            message = f"「{sheet_name}」表第{row}行 {field}：{e['problem_zh']}"
            located.append({**e, "row": row, "message_zh": message})
        else:
            located.append({**e, "message_zh": f"「{PLAN_SHEET}」表 {field}：{e['problem_zh']}"})
    return located
