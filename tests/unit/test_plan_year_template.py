"""The plan-year XLSX template read back (pure): what a clerk types becomes the plan document, and a file that
is not the template, too long or a zip bomb is refused in Chinese before any cell is trusted."""

from __future__ import annotations

import io
import zipfile

import pytest

from phaseout_coordinator.adapters.plan_year_template import (
    MAX_TASK_ROWS,
    NotTheTemplate,
    read_plan_year,
    sheet_errors,
    template_bytes,
)
from phaseout_policy import load_policy
from phaseout_policy.office import PlanYearDocument, check_plan_year
from tests.policy_samples import PLAN, PLAN_WITH_PERIOD, filled_template


def test_a_filled_in_template_reads_back_as_the_plan_document() -> None:
    raw, rows = read_plan_year(filled_template(template_bytes(), PLAN))
    assert PlanYearDocument.model_validate(raw) == PlanYearDocument.model_validate(PLAN)
    assert rows == {"tasks": [2, 3], "rectification": []}  # the sheet rows, for errors by row


def test_the_periods_a_plan_sets_are_read_from_their_sheet_and_errors_name_it() -> None:
    raw, rows = read_plan_year(filled_template(template_bytes(), PLAN_WITH_PERIOD))
    assert PlanYearDocument.model_validate(raw) == PlanYearDocument.model_validate(PLAN_WITH_PERIOD)
    wrong = {**PLAN_WITH_PERIOD, "rectification": [{**PLAN_WITH_PERIOD["rectification"][0], "months": 48}]}
    raw, rows = read_plan_year(filled_template(template_bytes(), wrong))
    checked = check_plan_year(raw, load_policy(), load_policy())
    assert [e["message_zh"] for e in sheet_errors(checked.errors, rows)] == [
        "「整改期限」表第2行 整改期限（月）：数值过大"
    ]


def test_more_tasks_than_the_plan_numbers_are_refused() -> None:
    task = PLAN["tasks"][0]
    many = {**PLAN, "tasks": [{**task, "number": n} for n in range(1, MAX_TASK_ROWS + 2)]}
    with pytest.raises(NotTheTemplate, match="「附件任务」表最多99行"):
        read_plan_year(filled_template(template_bytes(), many))


@pytest.mark.parametrize(
    "content",
    [b"year,document\n2021,x\n", b"PK\x03\x04 not really a zip"],
    ids=["csv", "broken zip"],
)
def test_what_is_not_an_xlsx_file_is_refused(content: bytes) -> None:
    with pytest.raises(NotTheTemplate, match="不是有效的 XLSX 文件"):
        read_plan_year(content)


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_unread() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<a>" + b"x" * 25_000_000 + b"</a>")
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(NotTheTemplate, match="解压后过大"):
        read_plan_year(bomb.getvalue())


def test_a_workbook_without_the_template_sheets_is_refused() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(NotTheTemplate, match="「方案」「附件任务」"):
        read_plan_year(out.getvalue())
