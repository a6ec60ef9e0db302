"""A lawful finding is never blocked for lack of reference data (issue 13): a safety finding of 2024 citing an
item of 应急管理部令第10号 whose text is not on file stands, and the mark "依据由委办局提供，未经参考数据核对"
follows it into every decision: the lists, the measures of a late exit, and what the list rows export."""

from __future__ import annotations

from phaseout_bureau.results import UNVERIFIED_BASIS_ZH
from tests.casebook.book import Filed, R, Story, Y, check, on
from tests.casebook.tellers import told_to_the_machine
from tests.unit.test_engine import POLICY, A, D

UNVERIFIED = {"hazard_code": "L10-A4-6", "description": "煤气区域休息室未设置固定式一氧化碳监测报警装置"}
VERIFIED = {"hazard_code": "L10-A6-1", "description": "煤磨袋式收尘器未设置一氧化碳监测报警装置"}


def story(details: dict[str, str]) -> Story:
    """Found 2024-09-10, ordered at once: red from 2025-03-11, not exited from 2025-09-12."""
    return Story(
        "U1",
        ("二、(四)",),
        "安全：2024年按令第10号第四条（六）认定（条文未收录），逾期未整改，未按期退出",
        (Filed("safety", D(2024, 9, 10), ((A.RECTIFICATION_ORDERED, D(2024, 9, 10)),), details=details),),
        (on(D(2024, 9, 10), Y, "yellow"), on(D(2025, 3, 11), R, "red")),
    )


def test_the_finding_stands_and_every_decision_carries_the_mark() -> None:
    s = story(UNVERIFIED)
    assess = told_to_the_machine(s, POLICY)
    check(s, assess)
    a = assess(D(2025, 10, 1))
    decisions = [*a.lists, *a.measures]
    assert {e.list_code for e in a.lists} >= {"yellow", "red", "not_exited_on_time"} and a.measures
    assert all(UNVERIFIED_BASIS_ZH in d.explanation.summary_zh for d in decisions)
    assert UNVERIFIED_BASIS_ZH in a.dimension_explanations["safety"].summary_zh


def test_a_verified_finding_carries_no_mark() -> None:
    a = told_to_the_machine(story(VERIFIED), POLICY)(D(2025, 10, 1))
    assert a.lists and not any(
        UNVERIFIED_BASIS_ZH in d.explanation.summary_zh for d in (*a.lists, *a.measures)
    )
