"""Casebook, part 2: dated stories through the bureaus' own state machine, one per rule of the plan, each with
what the plan makes of it on given days — the dimension's status, the lists the enterprise is on, and the
clauses its explanation cites. A reviewer at the office checks a row against 涪经信发〔2020〕85号.

Rules (plan clause → stories): 二、(一) energy 6 months + one 3-month extension → E1 E2 E3 E14; 二、(二) environment,
deadline set by the order, closure when serious → V1 V2; 二、(三) quality 6 months → Q1; 二、(四) safety 6 months
or 停产停业整顿 → S1 S2; 二、(五) eliminated equipment, no rectification → T1 T2; 三、(七) exits by closure, sealing,
取缔 → X1 X2 X3; 四、(三) 黄牌/红牌 lists, closed enterprises on the red list to the year's end → X1 X4; 三、(四)(六)
joint punishment with affiliates → P1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from phaseout_coordinator.domain.model import Status
from tests.unit.test_engine import AFFILIATES, A, D, Facts, entries

Y, R, X, OK = Status.YELLOW, Status.RED, Status.EXITED, Status.COMPLIANT


@dataclass(frozen=True)
class Day:
    on: date
    status: Status  # of the story's dimension
    lists: frozenset[str]  # the lists the enterprise is on that day
    cites: frozenset[str] = frozenset()  # clauses the dimension's explanation cites (at least)


@dataclass(frozen=True)
class Story:
    code: str
    text: str
    bureau: str
    finding_type: str
    found: date
    steps: tuple[tuple[Any, ...], ...]
    days: tuple[Day, ...]
    severity: str = "serious"
    derived: dict[str, Any] | None = None
    industry: str = "electrolytic_aluminium"
    affiliates: tuple[str, ...] = ()
    prices: frozenset[str] = field(default_factory=frozenset)  # price kinds in force on the last day


def day(on: date, status: Status, *lists: str, cites: tuple[str, ...] = ()) -> Day:
    return Day(on, status, frozenset(lists), frozenset(cites))


ORDER = (A.RECTIFICATION_ORDERED, D(2020, 7, 10))
STORIES = (
    Story(
        "E1",
        "能耗超限额，7月10日限期整改，6个月内未整改：2021年1月11日起红牌",
        "energy",
        "energy_limit_exceeded",
        D(2020, 7, 1),
        (ORDER,),
        (
            day(D(2020, 12, 1), Y, "yellow", cites=("四、(三)", "二、(一)")),
            day(D(2021, 1, 10), Y, "yellow"),
            day(D(2021, 1, 11), R, "red", cites=("四、(三)", "二、(一)")),
        ),
    ),
    Story(
        "E2",
        "能耗：申请并获准延期3个月（一次），红牌推迟至2021年4月11日",
        "energy",
        "energy_limit_exceeded",
        D(2020, 7, 1),
        (ORDER, (A.EXTENSION_REQUESTED, D(2020, 12, 20)), (A.EXTENSION_GRANTED, D(2020, 12, 28))),
        (day(D(2021, 1, 11), Y, "yellow"), day(D(2021, 4, 10), Y, "yellow"), day(D(2021, 4, 11), R, "red")),
    ),
    Story(
        "E3",
        "能耗：整改完成，复查合格，移出黄牌名单",
        "energy",
        "energy_limit_exceeded",
        D(2020, 7, 1),
        (ORDER, (A.RECTIFICATION_REPORTED, D(2020, 11, 1)), (A.REINSPECTION_PASSED, D(2020, 11, 20))),
        (day(D(2020, 11, 19), Y, "yellow"), day(D(2020, 11, 20), OK), day(D(2021, 6, 1), OK)),
    ),
    Story(
        "E14",
        "能耗：复查不合格，当日起红牌（经整改仍未达标，依法关停退出）",
        "energy",
        "energy_limit_exceeded",
        D(2020, 7, 1),
        (ORDER, (A.RECTIFICATION_REPORTED, D(2020, 10, 1)), (A.REINSPECTION_FAILED, D(2020, 10, 20))),
        (day(D(2020, 10, 19), Y, "yellow"), day(D(2020, 10, 20), R, "red", cites=("二、(一)",))),
    ),
    Story(
        "V1",
        "环保：整改期限由通知确定（至2020年9月30日），逾期未整改：10月1日起红牌",
        "environment",
        "pollutant_over_standard",
        D(2020, 8, 1),
        ((A.RECTIFICATION_ORDERED, D(2020, 8, 3), {"deadline": D(2020, 9, 30)}),),
        (day(D(2020, 9, 30), Y, "yellow"), day(D(2020, 10, 1), R, "red")),
    ),
    Story(
        "V2",
        "环保：情节严重，直接提请区政府关停：提请之日起红牌",
        "environment",
        "pollutant_over_standard",
        D(2020, 8, 1),
        ((A.CLOSURE_PROPOSED, D(2020, 8, 20)),),
        (day(D(2020, 8, 19), Y, "yellow"), day(D(2020, 8, 20), R, "red", cites=("二、(二)3.",))),
    ),
    Story(
        "Q1",
        "质量：抽查不合格，限期整改6个月，逾期：红牌",
        "quality",
        "spot_check_failed",
        D(2020, 8, 1),
        ((A.RECTIFICATION_ORDERED, D(2020, 8, 10)),),
        (day(D(2021, 2, 10), Y, "yellow", cites=("二、(三)2.",)), day(D(2021, 2, 11), R, "red")),
    ),
    Story(
        "S1",
        "安全：重大事故隐患，停产停业整顿并限期整改，整改合格",
        "safety",
        "major_hazard",
        D(2020, 9, 1),
        (
            (A.PRODUCTION_SUSPENDED, D(2020, 9, 1)),
            (A.RECTIFICATION_ORDERED, D(2020, 9, 1)),
            (A.RECTIFICATION_REPORTED, D(2020, 11, 15)),
            (A.REINSPECTION_PASSED, D(2020, 12, 1)),
        ),
        (day(D(2020, 10, 1), Y, "yellow", cites=("二、(四)",)), day(D(2020, 12, 1), OK)),
    ),
    Story(
        "S2",
        "安全：6个月内未整改：2021年3月2日起红牌",
        "safety",
        "major_hazard",
        D(2020, 9, 1),
        ((A.RECTIFICATION_ORDERED, D(2020, 9, 1)),),
        (day(D(2021, 3, 1), Y, "yellow"), day(D(2021, 3, 2), R, "red", cites=("二、(四)",))),
    ),
    Story(
        "T1",
        "技术：淘汰类工艺装备，不予整改，认定之日起红牌并执行淘汰类差别电价",
        "technology",
        "eliminated_equipment",
        D(2020, 6, 28),
        (),
        (day(D(2020, 6, 28), R, "red", cites=("二、(五)",)),),
        industry="steel",
        prices=frozenset({"differential"}),
    ),
    Story(
        "T2",
        "技术：断电并封存主体设备即退出；当年红牌（已依法关闭）至年底，其后仅在年度退出名单",
        "technology",
        "eliminated_equipment",
        D(2020, 6, 28),
        ((A.POWER_CUT, D(2020, 6, 29)), (A.EQUIPMENT_SEALED, D(2020, 7, 5))),
        (
            day(D(2020, 7, 4), R, "red"),
            day(D(2020, 7, 5), X, "annual_exit", "red"),
            day(D(2021, 1, 1), X, "annual_exit"),
        ),
        industry="steel",
    ),
    Story(
        "X1",
        "关停：提请、批准、执行关闭（2021年3月1日）；列入年度退出名单，红牌（已依法关闭）至年底",
        "energy",
        "energy_limit_exceeded",
        D(2020, 7, 1),
        (
            ORDER,
            (A.CLOSURE_PROPOSED, D(2021, 1, 20)),
            (A.CLOSURE_APPROVED, D(2021, 2, 1)),
            (A.CLOSURE_EXECUTED, D(2021, 3, 1), {"way": "closed"}),
            (A.CASE_CLOSED, D(2021, 4, 1)),
        ),
        (
            day(D(2021, 2, 28), R, "red"),
            day(D(2021, 3, 1), X, "annual_exit", "red", cites=("二、(一)",)),
            day(D(2021, 12, 31), X, "annual_exit", "red"),
            day(D(2022, 1, 1), X, "annual_exit"),
        ),
    ),
    Story(
        "X2",
        "拆除：封存后限时拆除设备，退出方式“拆除设备”",
        "technology",
        "eliminated_equipment",
        D(2020, 6, 28),
        ((A.EQUIPMENT_DISMANTLED, D(2020, 9, 1)),),
        (day(D(2020, 9, 1), X, "annual_exit", "red"),),
        industry="steel",
    ),
    Story(
        "X3",
        "取缔：地条钢，提请、批准、依法取缔",
        "technology",
        "illegal_steel_patrol",
        D(2020, 7, 1),
        (
            (A.PRODUCTION_SUSPENDED, D(2020, 7, 1)),
            (A.CLOSURE_PROPOSED, D(2020, 7, 9)),
            (A.CLOSURE_APPROVED, D(2020, 7, 23)),
            (A.CLOSURE_EXECUTED, D(2020, 8, 5), {"way": "banned"}),
        ),
        (day(D(2020, 7, 9), R, "red"), day(D(2020, 8, 5), X, "annual_exit", "red")),
        industry="steel",
    ),
    Story(
        "X4",
        "跨年：12月20日执行关闭，红牌（已依法关闭）至当年年底，次年1月1日起仅在年度退出名单",
        "energy",
        "energy_limit_exceeded",
        D(2020, 7, 1),
        (
            (A.PRODUCTION_SUSPENDED, D(2020, 7, 1)),
            (A.CLOSURE_PROPOSED, D(2020, 11, 1)),
            (A.CLOSURE_APPROVED, D(2020, 12, 1)),
            (A.CLOSURE_EXECUTED, D(2020, 12, 20), {"way": "closed"}),
        ),
        (day(D(2020, 12, 31), X, "annual_exit", "red"), day(D(2021, 1, 1), X, "annual_exit")),
    ),
    Story(
        "P1",
        "惩戒：红牌后6个月仍未退出，2021年7月12日起未按期完成退出，联合惩戒延及关联企业（限制供地）",
        "energy",
        "energy_limit_exceeded",
        D(2020, 7, 1),
        (ORDER,),
        (
            day(D(2021, 7, 11), R, "red"),
            day(D(2021, 7, 12), R, "red", "not_exited_on_time", cites=("二、(一)",)),
        ),
        affiliates=AFFILIATES,
    ),
)


@pytest.mark.parametrize("story", STORIES, ids=[s.code for s in STORIES])
def test_story(story: Story) -> None:
    facts = Facts(affiliates=story.affiliates)
    facts.case(
        story.bureau,
        story.found,
        *story.steps,
        finding_type=story.finding_type,
        severity=story.severity,
        derived=story.derived,
        industry=story.industry,
    )
    for d in story.days:
        a = facts.at(d.on)
        assert a.dimensions[story.bureau] is d.status, (story.code, d.on)
        assert {e.list_code for e in a.lists_on(d.on)} == d.lists, (story.code, d.on)
        cited = {b.clause for b in a.dimension_explanations[story.bureau].basis}
        cited |= {b.clause for e in a.lists_on(d.on) for b in e.explanation.basis}
        assert d.cites <= cited, (story.code, d.on, cited)
    last = facts.at(story.days[-1].on)
    assert {p.kind for p in last.prices_on(story.days[-1].on)} >= story.prices
    if story.affiliates and "not_exited_on_time" in story.days[-1].lists:
        reached = {m.uscc for m in last.measures_on(story.days[-1].on) if m.via_affiliate_of}
        assert reached == set(story.affiliates)


@pytest.mark.parametrize(
    ("story", "way_zh"), [("X1", "关闭"), ("X2", "拆除设备"), ("X3", "取缔"), ("T2", "封存主体设备")]
)
def test_each_exit_names_its_way(story: str, way_zh: str) -> None:
    s = next(x for x in STORIES if x.code == story)
    facts = Facts()
    facts.case(s.bureau, s.found, *s.steps, finding_type=s.finding_type, industry=s.industry)
    (exit_entry,) = entries(facts.at(D(2022, 6, 1)), "annual_exit")
    assert exit_entry.details["way_zh"] == way_zh


def test_a_repeated_violation_opens_a_new_yellow_card_after_the_first_was_rectified() -> None:
    """R1: 复查合格 in November 2020 ends the first 黄牌; a new finding in March 2021 is a new case on the list again
    (and the first case's compliance does not shorten the second)."""
    facts = Facts()
    first = facts.case(
        "energy",
        D(2020, 7, 1),
        ORDER,
        (A.RECTIFICATION_REPORTED, D(2020, 11, 1)),
        (A.REINSPECTION_PASSED, D(2020, 11, 20)),
    )
    second = facts.case("energy", D(2021, 3, 1), (A.RECTIFICATION_ORDERED, D(2021, 3, 5)))
    between, again = facts.at(D(2021, 2, 1)), facts.at(D(2021, 9, 6))
    assert between.dimensions["energy"] is OK and not between.lists_on(D(2021, 2, 1))
    assert [e.case_id for e in again.lists_on(D(2021, 9, 5))] == [second]
    assert again.dimensions["energy"] is R and {e.case_id for e in entries(again, "red")} == {second}
    assert first not in {e.case_id for e in again.lists_on(D(2021, 9, 6))}
