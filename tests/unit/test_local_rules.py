"""The engine's readings of the plan where it is silent are local rules in the policy data (coordinator_rules.json,
confidence low, to be confirmed by the office), not code: a dated successor record changes what follows from its
date on, and the codes each rule names exist."""

from __future__ import annotations

from typing import Any

from phaseout_bureau.domain.cases import ExitWay
from phaseout_coordinator.domain.engine import evaluate
from phaseout_coordinator.domain.model import Status
from phaseout_policy import CoordinatorRule, PolicyBook
from tests.unit.test_engine import POLICY, A, D, Facts, entries
from tests.unit.test_engine_regressions import closed_energy_case

CHANGED_ON = D(2021, 1, 1)


def successor(key: str, mapping: dict[str, list[str]]) -> PolicyBook:
    """The shipped book with a successor of rule `key` in force from CHANGED_ON."""
    (current,) = [r for r in POLICY.coordinator.records if r.key == key]
    record: dict[str, Any] = current.model_dump() | {
        "id": f"{key}_v2",
        "mapping": mapping,
        "valid_from": CHANGED_ON,
    }
    return POLICY.with_coordinator_rules(CoordinatorRule.model_validate(record))


def rule_mapping(key: str) -> dict[str, list[str]]:
    (rule,) = [r for r in POLICY.coordinator.records if r.key == key]
    assert rule.confidence == "low" and rule.document and rule.text_zh  # a reading, marked as such
    return rule.mapping or {}


def test_the_rules_name_existing_codes() -> None:
    assert set(rule_mapping("enterprise_exit_ways")["ends_enterprise"]) <= {w.value for w in ExitWay}
    order = rule_mapping("status_order")["least_to_most_severe"]
    assert sorted(order) == sorted(s.value for s in Status)
    assert rule_mapping("one_card_per_dimension")["red_reasons_not_displacing_yellow"] == ["closed"]


def open_environment_case(facts: Facts) -> str:
    return facts.case(
        "environment",
        D(2020, 7, 1),
        (A.RECTIFICATION_ORDERED, D(2020, 7, 5), {"deadline": D(2021, 6, 30)}),
        finding_type="seriously_over_standard",
    )


def test_which_exit_ways_end_the_enterprise_is_data() -> None:
    """Shipped: 关闭 ends the enterprise's other open cases (reading of 三、(七)). A successor naming only 取缔
    from 2021-01-01 leaves the environment case of an enterprise closed on 2021-01-19 open and yellow."""
    facts = Facts()
    closed_energy_case(facts)
    other = open_environment_case(facts)
    day = D(2021, 3, 1)
    shipped = evaluate(facts.build(), day, POLICY)
    changed = evaluate(facts.build(), day, successor("enterprise_exit_ways", {"ends_enterprise": ["banned"]}))
    assert shipped.dimensions["environment"] is Status.EXITED
    assert changed.dimensions["environment"] is Status.YELLOW
    (closure,) = entries(shipped, "annual_exit")
    assert closure.details["ends_enterprise"] is True  # what the publication invariants read
    assert [e.case_id for e in changed.lists_on(day) if e.list_code == "yellow"] == [other]
    (exit_entry,) = entries(changed, "annual_exit")
    assert exit_entry.details["ends_enterprise"] is False


def test_which_red_listing_leaves_the_yellow_card_standing_is_data() -> None:
    """Shipped: the red listing of a closure until the year's end does not displace the yellow card of a case
    still open. With a line closure (the enterprise stays) and a successor that names no such reason, the
    closure's red listing displaces the open case's yellow card in the same dimension."""
    facts = Facts()
    facts.case(
        "energy",
        D(2020, 7, 1),
        (A.CLOSURE_PROPOSED, D(2020, 8, 1)),
        (A.CLOSURE_APPROVED, D(2020, 9, 1)),
        (A.CLOSURE_EXECUTED, D(2021, 2, 1), {"way": "line_shut", "line_name": "1号电解系列"}),
    )
    facts.case("energy", D(2021, 1, 20), (A.RECTIFICATION_ORDERED, D(2021, 1, 25)))
    day = D(2021, 3, 1)

    def cards(policy: PolicyBook) -> set[str]:
        listed = evaluate(facts.build(), day, policy).lists_on(day)
        return {e.list_code for e in listed if e.dimension == "energy" and e.list_code in ("red", "yellow")}

    assert cards(POLICY) == {"red", "yellow"}
    assert cards(successor("one_card_per_dimension", {"red_reasons_not_displacing_yellow": []})) == {"red"}


def test_the_order_of_statuses_is_data() -> None:
    """Shipped: an open yellow case outranks an exited line (the status agrees with the lists). A successor
    ranking 已退出 above 黄牌 makes the dimension show 已退出."""
    facts = Facts()
    facts.case(
        "energy",
        D(2020, 7, 1),
        (A.CLOSURE_PROPOSED, D(2020, 8, 1)),
        (A.CLOSURE_APPROVED, D(2020, 9, 1)),
        (A.CLOSURE_EXECUTED, D(2020, 10, 1), {"way": "line_shut", "line_name": "1号电解系列"}),
    )
    facts.case("energy", D(2021, 1, 20), (A.RECTIFICATION_ORDERED, D(2021, 1, 25)))
    day = D(2021, 3, 1)
    order = {"least_to_most_severe": ["compliant", "yellow", "exited", "red"]}
    assert evaluate(facts.build(), day, POLICY).dimensions["energy"] is Status.YELLOW
    changed = evaluate(facts.build(), day, successor("status_order", order))
    assert (
        changed.dimensions["energy"] is Status.EXITED and changed.dimension_on("energy", day) is Status.EXITED
    )
