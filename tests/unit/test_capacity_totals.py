"""One production line's capacity counts once per year in any total (issue 12): when several bureaus' cases
concern one line and each records its exit, the exit list shows each exit, but the annual report's exited
capacity counts the line once in the year it left production."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from phaseout_bureau.domain.cases import Case, CaseState
from phaseout_coordinator.domain.model import DIMENSIONS
from phaseout_coordinator.service_layer.publications import exit_fields
from phaseout_coordinator.service_layer.reports.annual import capacity_totals
from tests.unit.test_engine import A, D, Facts, entries

LINE_WAYS = ("line_shut", "equipment_removed")  # the enterprise stays: its other lines carry on
UNITS = ("万吨/年", "万重量箱/年")


@st.composite
def lines_and_exits(draw: st.DrawFn) -> tuple[Facts, dict[str, dict[str, Any]], dict[int, set[str]]]:
    """Up to three lines; up to five cases of any bureau, each on one line, some of them exiting it (closure
    executed as a line's shutdown or its equipment's removal) between 2020 and 2023. Returns the facts, the
    lines by name and, by year, the lines some case exited that year."""
    lines = {
        f"{n}号生产线": {
            "name": f"{n}号生产线",
            "equipment": "主体设备",
            "capacity": {"value": str(draw(st.integers(1, 60))), "unit": draw(st.sampled_from(UNITS))},
        }
        for n in range(1, draw(st.integers(1, 3)) + 1)
    }
    facts, exited = Facts(), defaultdict(set)
    for _ in range(draw(st.integers(1, 5))):
        bureau, line = draw(st.sampled_from(DIMENSIONS)), draw(st.sampled_from(sorted(lines)))
        found = D(2020, 7, 1) + timedelta(days=draw(st.integers(0, 900)))
        case_id = facts.case(bureau, found, finding_type="illegal_steel_patrol", line=lines[line])
        if not draw(st.booleans()):
            continue
        case, day = Case(CaseState.FOUND, found, found), found
        way = draw(st.sampled_from(LINE_WAYS))
        for action, extra in (
            (A.PRODUCTION_SUSPENDED, {}),
            (A.CLOSURE_PROPOSED, {}),
            (A.CLOSURE_APPROVED, {}),
            (A.CLOSURE_EXECUTED, {"way": way, "line_name": line}),
        ):
            day += timedelta(days=draw(st.integers(0, 120)))
            case = facts.step(case_id, bureau, case, action, day, extra)
        exited[day.year].add(line)
    return facts, lines, exited


@settings(max_examples=60, deadline=None)
@given(lines_and_exits())
def test_a_lines_capacity_counts_once_per_year(
    drawn: tuple[Facts, dict[str, dict[str, Any]], dict[int, set[str]]],
) -> None:
    facts, lines, exited = drawn
    a = facts.at(D(2026, 12, 7))
    for year in range(2020, 2025):
        rows = [
            {"uscc": a.uscc} | exit_fields(e.details)
            for e in entries(a, "annual_exit")
            if e.interval.start.year == year
        ]
        expected: dict[str, float] = defaultdict(float)
        for line in exited.get(year, set()):
            capacity = lines[line]["capacity"]
            expected[capacity["unit"]] += float(capacity["value"])
        assert capacity_totals(rows) == [
            {"unit": u, "total": round(t, 3)} for u, t in sorted(expected.items())
        ]
        assert len(rows) >= len(exited.get(year, set()))  # each exit listed; the line counted once


def test_two_bureaus_exiting_one_line_count_it_once() -> None:
    """The annual report's case: 1号生产线 (5 万吨/年) exited by the energy and the technology bureau's cases."""
    facts = Facts()
    for bureau in ("energy", "technology"):
        case_id = facts.case(bureau, D(2021, 1, 5), finding_type="illegal_steel_patrol")
        case = Case(CaseState.FOUND, D(2021, 1, 5), D(2021, 1, 5))
        for action, on, extra in (
            (A.CLOSURE_PROPOSED, D(2021, 2, 1), {}),
            (A.CLOSURE_APPROVED, D(2021, 3, 1), {}),
            (A.CLOSURE_EXECUTED, D(2021, 4, 1), {"way": "line_shut", "line_name": "1号电解系列"}),
        ):
            case = facts.step(case_id, bureau, case, action, on, extra)
    rows = [
        {"uscc": facts.uscc} | exit_fields(e.details)
        for e in entries(facts.at(date(2021, 12, 31)), "annual_exit")
    ]
    assert len(rows) == 2 and capacity_totals(rows) == [{"unit": "万吨/年", "total": 5.0}]
