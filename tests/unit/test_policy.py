"""Behaviour of the policy reference data (phaseout_policy)."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib.resources import files
from typing import Any

import pytest
from pydantic import ValidationError

from phaseout_policy import add_months, load_policy
from phaseout_policy.models import Measure

ALU = "aluminium_liquid_ac_electricity_consumption"
BRICK = "sintered_perforated_bricks_and_blocks"
SEED = "涪经信发〔2020〕85号"


def _data_files() -> dict[str, dict[str, Any]]:
    names = load_policy().manifest.files
    root = files("phaseout_policy").joinpath("data")
    return {n: json.loads(root.joinpath(n).read_text(encoding="utf-8")) for n in names}


def test_version_and_manifest() -> None:
    book = load_policy()
    assert re.fullmatch(r"20\d\d\.(0[1-9]|1[0-2])\.[1-9]\d*", book.version), book.version  # YYYY.MM.N
    assert load_policy() is book  # cached
    assert set(_data_files()) == set(book.manifest.files)
    assert all(f["policy_version"] == book.version for f in _data_files().values())


def test_aluminium_edition_switches_on_2024_01_01() -> None:
    book = load_policy()
    old, new = book.energy_limit(ALU, date(2023, 12, 31)), book.energy_limit(ALU, date(2024, 1, 1))
    assert old is not None and old.document == "GB 21346-2013" and old.existing_enterprise_limit == 13700
    assert new is not None and new.document == "GB 21346-2022" and new.grade3 == 13350
    assert new.unit == "kWh/t" and new.confidence == "medium"


def test_bricks_in_force_from_2020_05_01() -> None:
    book = load_policy()
    assert book.energy_limit(BRICK, date(2020, 4, 30)) is None
    rec = book.energy_limit(BRICK, date(2020, 5, 1))
    assert rec is not None and rec.document == "GB 30526-2019" and rec.existing_enterprise_limit == 53
    assert BRICK in book.covered_energy_keys(date(2020, 5, 1))
    assert BRICK not in book.covered_energy_keys(date(2020, 4, 30))


def test_an_edition_is_in_force_between_its_dates_and_superseded_by_its_successor() -> None:
    """GB 21341-2022 takes effect on 2024-01-01 (issued 2022-12-29): the 2008 edition applies until the day
    before (legal_research_2026-12 §3.1)."""
    book = load_policy()
    key = "ferrosilicon_smelting_electricity_consumption"
    last, first = book.energy_limit(key, date(2023, 12, 31)), book.energy_limit(key, date(2024, 1, 1))
    assert last is not None and last.document == "GB 21341-2008"
    assert first is not None and first.document == "GB 21341-2022"
    # Editions in force in 2020 whose values were not found are not covered.
    assert (
        book.energy_limit("cement_comprehensive_energy_consumption_per_unit_product", date(2020, 6, 15))
        is None
    )
    # GB 21256-2025 only takes effect after 2026-06-30.
    assert book.energy_limit("sintering_process", date(2026, 6, 30)) is None


@pytest.mark.parametrize(
    ("kwh", "surcharge"),
    [(13000, 0.0), (13700, 0.0), (13700.01, 0.02), (13800, 0.02), (13800.01, 0.08), (15000, 0.08)],
)
def test_aluminium_tiered_price_2530_boundaries(kwh: float, surcharge: float) -> None:
    res = load_policy().aluminium_tiered_price(kwh, date(2020, 6, 15))
    assert res is not None and res.surcharge_yuan_per_kwh == surcharge
    assert res.rule.document == "发改价格〔2013〕2530号" and res.confidence == "high"


def test_aluminium_tiered_price_not_before_2014() -> None:
    assert load_policy().aluminium_tiered_price(14000, date(2013, 12, 31)) is None


def test_unverified_1239_thresholds_are_not_rules() -> None:
    prices = load_policy().electricity.records
    assert all(t.upper_inclusive != 13650 for r in prices for t in r.tiers or [])
    assert any("1239" in u.item for u in load_policy().unverified())


def test_punitive_price_over_1x_vs_within_1x() -> None:
    book = load_policy()
    over, within = book.punitive_price(1.01, date(2020, 6, 15)), book.punitive_price(1.0, date(2020, 6, 15))
    assert over is not None and over.category_zh == "淘汰类" and over.surcharge_yuan_per_kwh == 0.3
    assert within is not None and within.category_zh == "限制类" and within.surcharge_yuan_per_kwh == 0.1
    assert over.confidence == "medium" and over.rule.document == "发改价格〔2010〕978号"
    assert book.punitive_price(0.0, date(2020, 6, 15)) is None
    assert book.punitive_price(-0.2, date(2020, 6, 15)) is None


def test_differential_price_steel_switches_to_2803() -> None:
    book = load_policy()
    before = book.differential_price("淘汰类", "钢铁", date(2016, 12, 31))
    after = book.differential_price("淘汰类", "钢铁", date(2017, 1, 1))
    assert before is not None and before.surcharge_yuan_per_kwh == 0.3 and before.confidence == "medium"
    assert (
        after is not None
        and after.surcharge_yuan_per_kwh == 0.5
        and after.rule.document == "发改价格〔2016〕2803号"
    )
    cement = book.differential_price("限制类", "水泥", date(2020, 6, 15))
    assert cement is not None and cement.surcharge_yuan_per_kwh == 0.1 and cement.caveat is not None
    assert book.differential_price("允许和鼓励类", "水泥", date(2020, 6, 15)) is None
    assert book.differential_price("淘汰类", "陶瓷", date(2020, 6, 15)) is None


def test_credit_rule_instrument_switches_by_date() -> None:
    book = load_policy()
    r527 = book.credit_publication_rule("serious", date(2023, 4, 30))
    r58 = book.credit_publication_rule("serious", date(2023, 5, 1))
    r2026 = book.credit_publication_rule("serious", date(2026, 4, 1))
    assert r527 is not None and r527.instrument.document == "发改办财金〔2019〕527号"
    assert (r527.min_months, r527.max_months) == (6, 36)
    assert r58 is not None and r58.instrument.document == "国家发展改革委令第58号"
    assert (r58.min_months, r58.max_months) == (3, 36) and r58.instrument.confidence == "medium"
    assert r2026 is not None and (r2026.min_months, r2026.max_months) == (12, 36)
    safety = book.credit_publication_rule(
        "general", date(2024, 1, 1), scope="special_equipment_work_safety_fire"
    )
    assert safety is not None and safety.min_months == 12
    assert book.credit_publication_rule("special_serious", date(2026, 4, 1)) is None
    assert book.credit_publication_rule("minor", date(2020, 6, 15)) is None


@pytest.mark.parametrize(
    ("notice", "deadline"),
    [
        (date(2020, 8, 31), date(2021, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 29)),
        (date(2020, 6, 15), date(2020, 12, 15)),
        (date(2020, 7, 31), date(2021, 1, 31)),
    ],
)
def test_rectification_deadline_six_months_clamped(notice: date, deadline: date) -> None:
    book = load_policy()
    for dimension in ("energy", "quality", "safety", "general"):
        res = book.rectification_deadline(dimension, notice)
        assert res is not None and res.deadline == deadline
        assert res.rule.document == SEED and res.rule.confidence == "high" and "6个月" in res.rule.text_zh


def test_rectification_rule_explains_itself() -> None:
    book = load_policy()
    energy = book.rectification_deadline("energy", date(2020, 8, 31))
    general = book.rectification_deadline("general", date(2020, 8, 31))
    assert energy is not None and energy.rule.clause == "二、(一)"
    assert general is not None and general.rule.clause == "三、(七)"
    env = book.rectification_deadline("environment", date(2020, 8, 31))
    assert env is not None and env.rule.mode == "immediate" and env.deadline == date(2020, 8, 31)
    # Before the plan was issued, the national opinion it restates (from 2017); before 2017, nothing.
    earlier = book.rectification_deadline("energy", date(2020, 6, 14))
    assert earlier is not None and earlier.rule.document == "工信部联产业〔2017〕30号"
    assert book.rectification_deadline("energy", date(2016, 12, 31)) is None


def test_energy_extension_once_at_most_three_months() -> None:
    book = load_policy()
    ext = book.extension_rule("energy")
    assert ext is not None and (ext.max_count, ext.max_months) == (1, 3) and ext.clause == "二、(一)"
    assert all(
        book.extension_rule(d) is None for d in ("environment", "quality", "safety", "technology", "general")
    )
    assert add_months(date(2021, 2, 28), ext.max_months) == date(2021, 5, 28)


def test_reporting_deadlines() -> None:
    dues = {r.id: r.due for r in load_policy().reporting_deadlines()}
    assert dues == {"report_departments": date(2020, 12, 31), "report_office_to_city": date(2021, 1, 10)}


def test_measures_catalogue() -> None:
    measures = {m.code: m for m in load_policy().measures()}
    required = {
        "credit_information_publication",
        "land_supply_restriction",
        "bank_credit_restriction",
        "funding_support_restriction",
        "tax_management",
        "production_permit_restriction",
        "safety_permit_restriction",
        "bond_issuance_restriction",
        "government_procurement_restriction",
        "public_works_bidding_restriction",
        "electricity_price_notice",
    }
    assert required <= set(measures)
    assert [c for c, m in measures.items() if m.extends_to_affiliates] == ["land_supply_restriction"]
    land = measures["land_supply_restriction"]
    assert land.target_units == ["planning_natural_resources"] and land.clause == "三、(六)"
    assert land.target_department_zh == "区规划自然资源局"  # the name comes from the registry
    assert land.lifting_condition_zh == "企业整改到位"
    assert "信用重庆" in measures["credit_information_publication"].text_zh
    late = {m.code for m in load_policy().measures("exit_not_completed_on_time")}
    assert {"credit_information_publication", "land_supply_restriction", "bank_credit_restriction"} <= late


@pytest.mark.parametrize("named", ["区规划自然资源局", "no_such_unit"])
def test_a_measure_names_its_unit_by_registry_code_only(named: str) -> None:
    record = next(
        r for r in _data_files()["measures.json"]["records"] if r["code"] == "land_supply_restriction"
    )
    with pytest.raises(ValidationError, match="registry"):
        Measure.model_validate({**record, "target_units": [named]})


def test_lists_and_annex_tasks() -> None:
    book = load_policy()
    lists = {li.code: li for li in book.lists()}
    expected = {"yellow", "red", "annual_exit", "over_standard_emitters", "seriously_over_standard_emitters"}
    assert expected | {"not_exited_on_time"} <= set(lists)
    assert "黄牌" in lists["yellow"].title_zh and lists["annual_exit"].publisher_zh == "区经济信息委"
    tasks = book.annex_tasks(2020)
    assert [t.number for t in tasks] == list(range(1, 17))
    assert tasks[9].lead_units == ["pboc_fuling", "banking_regulator"]
    assert tasks[9].lead_departments_zh == ["人行涪陵中心支行", "涪陵银保监分局"]  # names from the registry
    assert tasks[5].lead_units == [] and tasks[5].open_to_others  # 相关部门按职责分工分别负责
    assert tasks[0].dimension == "energy" and "6个月" in tasks[0].document_content_zh


def test_each_years_plan_is_its_own_record_and_no_year_borrows_another() -> None:
    book = load_policy()
    plan = book.plan_year(2020)
    assert (
        plan is not None and plan.document == "涪经信发〔2020〕85号" and plan.issued_on == date(2020, 6, 15)
    )
    assert book.plan_year(2021) is None and book.annex_tasks(2021) == []
    assert book.plan_in_force(date(2020, 6, 14)) is None and book.plan_in_force(date(2020, 6, 15)) == plan
    assert book.plan_in_force(date(2026, 12, 7)) == plan  # the latest loaded


def test_major_hazards_and_eliminated_items() -> None:
    book = load_policy()
    assert len(book.safety.records) == 59
    hazard = book.major_hazard("metallurgy.11")
    assert hazard is not None and "考核合格" in hazard.text_zh and hazard.valid_to == date(2023, 5, 14)
    assert book.major_hazard("nope") is None
    item = book.eliminated_item("cat2011_steel_01")
    assert item is not None and "感应炉" in item.item_zh and item.confidence == "medium"
    cbmf = book.eliminated_item("cbmf2019_cement_01")
    assert cbmf is not None and cbmf.association_list


def test_every_record_has_source_confidence_and_validity() -> None:
    for name, doc in _data_files().items():
        for section, value in doc.items():
            records = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            for rec in records:
                where = f"{name}:{section}:{rec.get('id', rec.get('item'))}"
                assert rec.get("source"), where
                assert rec.get("confidence") in ("high", "medium", "low"), where
                if section != "unverified":
                    assert {"document", "clause", "valid_from", "valid_to"} <= rec.keys(), where


def test_medium_and_low_confidence_preserved() -> None:
    book = load_policy()
    grades = {(r.document, r.confidence) for r in book.energy.records}
    assert grades == {(d, "low" if d == "GB 29447-2026" else "medium") for d, _ in grades}
    prices = {r.id: r for r in book.electricity.records}
    assert prices["differential_978"].confidence == "medium"
    assert prices["differential_978"].confidence_report == "Medium-High"
    assert (
        prices["punitive_978"].confidence == "medium" and prices["aluminium_tiered_2530"].confidence == "high"
    )
    assert all(r.confidence == "medium" for r in book.uscc.records)
    assert book.safety.sector_mapping.confidence == "medium"
    assert all(u.confidence == "low" for u in book.unverified() if u.status.startswith("NOT FOUND"))


def test_every_list_the_coordinator_keeps_has_its_definition_with_legal_basis() -> None:
    from phaseout_coordinator.service_layer.queries import LIST_CODES

    book = load_policy()
    for code in LIST_CODES:
        definition = book.list_definition(code)
        assert definition is not None and definition.document and definition.clause, code
    emitters = book.list_definition("over_standard")
    assert emitters is not None and emitters.code == "over_standard_emitters"
    assert book.list_definition("no_such_list") is None


@pytest.mark.parametrize(
    ("decided", "document"),
    [
        (date(2019, 7, 1), "发改办财金〔2019〕527号"),
        (date(2023, 4, 30), "发改办财金〔2019〕527号"),
        (date(2023, 5, 1), "国家发展改革委令第58号"),
        (date(2026, 3, 31), "国家发展改革委令第58号"),
        (date(2026, 4, 1), "国家发展改革委令第36号"),
    ],
)
def test_the_credit_repair_instrument_in_force_on_the_decision_date(decided: date, document: str) -> None:
    """527号 (2019-07-01) → 令第58号 (2023-05-01) → 令第36号《信用修复管理办法》 (2026-04-01, repeals 58)."""
    found = load_policy().credit_publication_rule("serious", decided)
    assert found is not None and found.instrument.document == document
    assert found.instrument.in_force(decided)
