"""The checks a list must pass before it is published (domain.invariants), one by one."""

from __future__ import annotations

from datetime import date
from typing import Any

from phaseout_coordinator.domain.invariants import Entry, entry_problems

USCC = "91500102MA5U7RGE16"
CITED = (("涪经信发〔2020〕85号", "四、(二)"),)


def entry(code: str, start: date, end: date | None = None, dim: str = "energy", **details: Any) -> Entry:
    return Entry(USCC, code, dim, f"{dim}-1", start, end, CITED, 1, details)


DAY = date(2021, 3, 1)


def test_a_clean_list_has_no_problem() -> None:
    assert entry_problems([entry("yellow", date(2021, 1, 1))], [], DAY) == []


def test_both_cards_of_one_dimension_on_one_day() -> None:
    both = [entry("yellow", date(2021, 1, 1)), entry("red", date(2021, 2, 1), reason="overdue")]
    assert entry_problems(both, [], DAY) == [f"{USCC}：能耗在{DAY}同时在黄牌和红牌名单上"]
    other_dimension = [entry("yellow", date(2021, 1, 1)), entry("red", date(2021, 2, 1), dim="safety")]
    assert entry_problems(other_dimension, [], DAY) == []
    a_closure_record = [entry("yellow", date(2021, 1, 1)), entry("red", date(2021, 2, 1), reason="closed")]
    assert entry_problems(a_closure_record, [], DAY) == []


def test_yellow_after_the_enterprise_closed() -> None:
    closed = entry("annual_exit", date(2021, 2, 1), way="closed", ends_enterprise=True)
    assert entry_problems([entry("yellow", date(2021, 1, 1))], [closed], DAY) == [
        f"{USCC}：企业已于2021-02-01依法关闭，仍在黄牌名单上"
    ]
    line_only = entry("annual_exit", date(2021, 2, 1), way="line_shut", ends_enterprise=False)
    assert entry_problems([entry("yellow", date(2021, 1, 1))], [line_only], DAY) == []


def test_an_entry_must_cite_a_clause_and_an_event_and_an_exit_its_way() -> None:
    bare = Entry(USCC, "red", "energy", "energy-1", date(2021, 1, 1), None, (("文件", None),), 0, {})
    wayless = entry("annual_exit", date(2021, 1, 1))
    assert entry_problems([bare, wayless], [], DAY) == sorted(
        [
            f"{USCC}：能耗条目未注明所依据的文件和条款",
            f"{USCC}：能耗条目没有所依据的事件",
            f"{USCC}：退出条目未记录退出方式",
        ]
    )
