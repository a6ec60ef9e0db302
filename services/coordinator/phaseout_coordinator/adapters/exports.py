"""One writer for every table the office downloads: CSV (UTF-8 with BOM, so Excel reads Chinese) and XLSX.

A table is described once (Chinese title, columns with Chinese headers, kinds and widths); rows are plain
mappings, read from an (async) iterator so a list of any length is written page by page. XLSX cells of
kind ``date`` are real Excel dates and numbers are numbers; each sheet starts with a title row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import quote

from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Row = Mapping[str, Any]
Kind = Literal["text", "date", "number", "integer"]
BOM = "\ufeff"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# OpenAPI ``responses`` of a download route: what it really sends.
EXPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "CSV（UTF-8，带 BOM）或 XLSX 文件 (the file)",
        "content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}},
    }
}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Column:
    key: str
    header_zh: str
    kind: Kind = "text"
    width: float = 14


@dataclass(frozen=True)
class Table:
    title_zh: str  # first row of the sheet, e.g. the list's Chinese title
    subtitle_zh: str  # e.g. "截至 2021-06-30"
    columns: Sequence[Column]
    sheet_zh: str = "数据"


# ---- values -----------------------------------------------------------------------------------------------


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_number(value: Any) -> float | int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _typed(column: Column, value: Any) -> Any:
    if column.kind == "date":
        return as_date(value)
    if column.kind in ("number", "integer"):
        return as_number(value)
    return value


# A text cell that begins with one of these is read as a formula by spreadsheet programs, in CSV and XLSX alike:
# an enterprise name such as "=HYPERLINK(…)" would become a live formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def inert(text: str) -> str:
    """CSV: a formula-like text gets a leading apostrophe, which spreadsheet programs read as "text"."""
    return "'" + text if formula_like(text) else text


def _text(column: Column, value: Any) -> str:
    typed = _typed(column, value)
    if typed is None:
        return ""
    if isinstance(typed, date):
        return typed.isoformat()
    return inert(typed) if isinstance(typed, str) else str(typed)


# ---- CSV ---------------------------------------------------------------------------------------------------


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(list(values))
    return buffer.getvalue()


async def csv_chunks(table: Table, rows: AsyncIterable[Row]) -> AsyncIterator[bytes]:
    """BOM and Chinese headers first, then one chunk per row (streamed as the rows are read)."""
    yield (BOM + _csv_line(c.header_zh for c in table.columns)).encode()
    async for row in rows:
        yield _csv_line(_text(c, row.get(c.key)) for c in table.columns).encode()


# ---- XLSX --------------------------------------------------------------------------------------------------


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    clean = _SHEET_FORBIDDEN.sub("", name).strip("'")[:31] or "数据"
    taken = set(taken)
    candidate, n = clean, 2
    while candidate in taken:
        suffix = f"({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    return candidate


def _xml_safe(value: Any) -> Any:
    """XLSX is XML: control characters (which a query parameter or an event's text may carry) cannot be
    stored and would fail the whole download; they are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _xlsx_cell(ws: WriteOnlyWorksheet, value: Any) -> Cell:
    """Text is stored as text, never as a formula (openpyxl reads "=…" as one); formula-like text also gets
    Excel's quote prefix, so editing the cell keeps it text."""
    cell = WriteOnlyCell(ws, value=_xml_safe(value))
    if isinstance(value, str):
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    return cell


class XlsxBook:
    """A write-only workbook (rows go to disk as they come: memory stays flat for long lists)."""

    def __init__(self) -> None:
        self._book = Workbook(write_only=True)
        self._bold = Font(bold=True)
        self._title = Font(bold=True, size=14)

    def sheet(self, table: Table) -> XlsxSheet:
        ws = self._book.create_sheet(sheet_name(table.sheet_zh, self._book.sheetnames))
        for i, column in enumerate(table.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        ws.freeze_panes = "A4"
        sheet = XlsxSheet(ws, table)
        sheet.append_cells([self._cell(ws, table.title_zh, self._title)])
        sheet.append_cells([self._cell(ws, table.subtitle_zh)])
        sheet.append_cells([self._cell(ws, c.header_zh, self._bold) for c in table.columns])
        return sheet

    @staticmethod
    def _cell(ws: WriteOnlyWorksheet, value: Any, font: Font | None = None) -> Cell:
        cell = _xlsx_cell(ws, value)
        if font is not None:
            cell.font = font
        return cell

    def to_bytes(self) -> bytes:
        if not self._book.sheetnames:
            self._book.create_sheet("数据")
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


class XlsxSheet:
    def __init__(self, ws: WriteOnlyWorksheet, table: Table) -> None:
        self._ws = ws
        self._columns = table.columns
        self._wrap = Alignment(wrap_text=True, vertical="top")

    def append_cells(self, cells: list[Cell]) -> None:
        self._ws.append(cells)

    def append(self, row: Row) -> None:
        self._ws.append([self._cell(c, row.get(c.key)) for c in self._columns])

    def _cell(self, column: Column, value: Any) -> Cell:
        typed = _typed(column, value)
        if isinstance(typed, list | dict):
            typed = str(typed)
        cell = _xlsx_cell(self._ws, typed)
        if column.kind == "date":
            cell.number_format = "yyyy-mm-dd"
        elif column.kind == "integer":
            cell.number_format = "0"
        elif column.width >= 30:
            cell.alignment = self._wrap
        return cell


async def xlsx_bytes(sheets: Sequence[tuple[Table, AsyncIterable[Row] | Iterable[Row]]]) -> bytes:
    book = XlsxBook()
    for table, rows in sheets:
        sheet = book.sheet(table)
        if isinstance(rows, AsyncIterable):
            async for row in rows:
                sheet.append(row)
        else:
            for row in rows:
                sheet.append(row)
    return book.to_bytes()


async def iterate(rows: Iterable[Row]) -> AsyncIterator[Row]:
    for row in rows:
        yield row


# ---- HTTP --------------------------------------------------------------------------------------------------


def content_disposition(filename_zh: str, fallback: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII fallback and the Chinese name as ``filename*=UTF-8''…``."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename_zh, safe='')}"


async def export_response(
    table: Table,
    rows: AsyncIterable[Row],
    fmt: ExportFormat,
    *,
    filename_zh: str,
    fallback: str,
) -> Response:
    """The download: CSV is streamed; XLSX is written sheet by sheet and sent when complete."""
    name = f"{filename_zh}.{fmt.value}"
    headers = {"Content-Disposition": content_disposition(name, f"{fallback}.{fmt.value}")}
    if fmt is ExportFormat.CSV:
        return StreamingResponse(csv_chunks(table, rows), media_type=CSV_MEDIA_TYPE, headers=headers)
    return xlsx_response(await xlsx_bytes([(table, rows)]), name, f"{fallback}.xlsx")


def xlsx_response(content: bytes, filename: str, fallback: str) -> Response:
    headers = {"Content-Disposition": content_disposition(filename, fallback)}
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers=headers)
