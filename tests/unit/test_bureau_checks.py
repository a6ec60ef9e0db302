"""The five bureaus' typed details and their checks against the policy data (pure: no database, no broker)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from phaseout_bureau.domain.findings import BureauSpec, FindingCreate
from phaseout_bureau.results import ResultInvalid
from phaseout_bureau.service import DetailsInvalid, checked_details
from phaseout_demo import findings
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_environment.domain import SPEC as ENVIRONMENT
from phaseout_policy import load_policy
from phaseout_quality.domain import SPEC as QUALITY
from phaseout_safety.domain import SPEC as SAFETY
from phaseout_technology.domain import SPEC as TECHNOLOGY
from tests.bureaus import SPECS

ALU = "aluminium_liquid_ac_electricity_consumption"


POLICY = load_policy()


def body(finding_type: str, details: dict[str, Any], found_on: str = "2020-07-01") -> dict[str, Any]:
    return {
        "uscc": "91500102MA5U7RGE16",
        "enterprise_name": "重庆市涪陵区示范铝业有限公司",
        "town": "白涛街道",
        "industry": "electrolytic_aluminium",
        "finding_type": finding_type,
        "found_on": found_on,
        "legal_basis": "涪经信发〔2020〕85号",
        "inspector": "张伟",
        "details": details,
    }


def check(
    spec: BureauSpec, finding_type: str, details: dict[str, Any], on: str = "2020-07-01"
) -> dict[str, Any]:
    _, derived = checked_details(spec, FindingCreate.model_validate(body(finding_type, details, on)), POLICY)
    return derived


def rejected(
    spec: BureauSpec, finding_type: str, details: dict[str, Any], on: str = "2020-07-01"
) -> dict[str, Any]:
    with pytest.raises(DetailsInvalid) as caught:
        check(spec, finding_type, details, on)
    [error] = caught.value.errors
    return error


def energy(value: float, **more: Any) -> dict[str, Any]:
    return {
        "product": ALU,
        "measured_value": value,
        "measured_unit": "kWh/t",
        "programme": "city_directed",
        **more,
    }


# ---- energy -------------------------------------------------------------------------------------------------


def test_aluminium_limit_is_the_edition_in_force_on_the_finding_date() -> None:
    old = check(ENERGY, "energy_limit_exceeded", energy(13900), "2020-07-01")
    new = check(ENERGY, "energy_limit_exceeded", energy(13900), "2024-03-01")
    assert (old["standard"], old["limit"], old["edition_year"]) == ("GB 21346-2013", 13700, 2013)
    assert (new["standard"], new["limit"], new["edition_year"]) == ("GB 21346-2022", 13350, 2022)
    assert old["exceedance"] == 200 and new["exceedance"] == 550
    assert old["limit_unit"] == "kWh/t" and old["reference"]["document"] == "GB 21346-2013"


def test_chinese_indicator_name_is_accepted_and_resolved_to_the_key() -> None:
    derived = check(ENERGY, "energy_limit_exceeded", {**energy(13900), "product": "铝液交流电耗"})
    assert derived["product_key"] == ALU and derived["indicator_zh"] == "铝液交流电耗"


def test_wrong_unit_is_rejected() -> None:
    error = rejected(ENERGY, "energy_limit_exceeded", {**energy(13900), "measured_unit": "kgce/t"})
    assert error["loc"] == ["body", "details", "measured_unit"]
    assert error["msg"] == "计量单位应为 kWh/t (unit must be kWh/t for 铝液交流电耗)"


def test_cited_standard_not_in_force_names_the_one_in_force() -> None:
    error = rejected(ENERGY, "energy_limit_exceeded", energy(13900, cited_standard="GB 21346-2022"))
    assert error["loc"] == ["body", "details", "cited_standard"]
    assert "2020-07-01 在用的是 GB 21346-2013" in error["msg"]
    ok = check(ENERGY, "energy_limit_exceeded", energy(13900, cited_standard="gb21346-2013"))
    assert ok["standard"] == "GB 21346-2013"


def test_unknown_product_and_product_without_an_edition_in_force() -> None:
    unknown = rejected(ENERGY, "energy_limit_exceeded", {**energy(13900), "product": "铝合金轮毂"})
    assert unknown["loc"] == ["body", "details", "product"] and "2020-07-01" in unknown["msg"]
    cement = {**energy(120), "product": "cement_comprehensive_energy_consumption_per_unit_product"}
    not_on_file = rejected(ENERGY, "energy_limit_exceeded", {**cement, "measured_unit": "kgce/t"})
    assert not_on_file["loc"] == ["body", "details", "limit_value"]
    assert "2020-07-01 在用的是 GB 16780-2012，参考数据未收录其限额值" in not_on_file["msg"]
    bricks = {
        "product": "烧结实心制品",
        "measured_value": 60,
        "measured_unit": "kgce/t",
        "programme": "city_directed",
    }
    assert "2020-04-30" in rejected(ENERGY, "energy_limit_exceeded", bricks, "2020-04-30")["msg"]


CEMENT = {
    "product": "cement_comprehensive_energy_consumption_per_unit_product",
    "measured_value": 120,
    "measured_unit": "kgce/t",
    "programme": "city_directed",
}
SUPPLIED = {"limit_value": 115, "limit_source": "GB 16780-2012 表1 限定值"}


def test_the_limit_of_an_edition_not_on_file_is_supplied_by_the_bureau_and_marked() -> None:
    """Cement in 2020: GB 16780-2012 is in force, its values are not on file — the inspector's limit stands."""
    derived = check(ENERGY, "energy_limit_exceeded", {**CEMENT, **SUPPLIED}, "2020-07-01")
    assert (
        derived["standard"] == "GB 16780-2012" and derived["limit"] == 115 and derived["over_limit"] is True
    )
    assert derived["basis_verified"] is False and "未经参考数据核对" in derived["warnings_zh"][0]
    assert derived["reference"]["source"] == "GB 16780-2012 表1 限定值"


@pytest.mark.parametrize(
    ("on", "standard", "verified"),
    [("2022-10-31", "GB 16780-2012", False), ("2022-11-01", "GB 16780-2021", True)],
)
def test_the_cement_limit_edition_on_both_sides_of_its_change(on: str, standard: str, verified: bool) -> None:
    derived = check(ENERGY, "energy_limit_exceeded", {**CEMENT, **SUPPLIED}, on)
    assert derived["standard"] == standard and derived.get("basis_verified", True) is verified


@pytest.mark.parametrize(
    ("product", "unit", "last_old_day", "new_standard"),
    [
        ("top_charged_coke_oven", "kgce/t", "2026-04-30", "GB 21342-2025"),
        ("sintering_process", "kgce/t", "2026-06-30", "GB 21256-2025"),
        ("electric_arc_furnace_lt_50_t", "kgce/t", "2026-06-30", "GB 21256-2025"),
    ],
)
def test_editions_that_change_in_2026(product: str, unit: str, last_old_day: str, new_standard: str) -> None:
    details = {
        "product": product,
        "measured_value": 9999,
        "measured_unit": unit,
        "programme": "city_directed",
    }
    assert rejected(ENERGY, "energy_limit_exceeded", details, last_old_day)["loc"][-1] == "limit_value"
    old = check(ENERGY, "energy_limit_exceeded", {**details, "limit_value": 100}, last_old_day)
    assert old["basis_verified"] is False and old["standard"] != new_standard
    next_day = (date.fromisoformat(last_old_day) + timedelta(days=1)).isoformat()
    assert check(ENERGY, "energy_limit_exceeded", details, next_day)["standard"] == new_standard


def test_a_supplied_limit_is_refused_where_certainly_wrong() -> None:
    not_in_force = {**CEMENT, **SUPPLIED, "cited_standard": "GB 16780-2021"}
    assert (
        rejected(ENERGY, "energy_limit_exceeded", not_in_force, "2020-07-01")["loc"][-1] == "cited_standard"
    )
    wrong_unit = {**CEMENT, **SUPPLIED, "measured_unit": "kWh/t"}
    assert rejected(ENERGY, "energy_limit_exceeded", wrong_unit, "2020-07-01")["loc"][-1] == "measured_unit"
    within = {**CEMENT, "limit_value": 130}
    assert rejected(ENERGY, "energy_limit_exceeded", within, "2020-07-01")["loc"][-1] == "measured_value"


def test_an_indicator_the_data_does_not_know_needs_the_standard_and_its_limit() -> None:
    wheels = {
        **energy(2.1),
        "product": "铝合金车轮单位产品能耗",
        "measured_unit": "kgce/件",
        "limit_value": 1.8,
    }
    assert rejected(ENERGY, "energy_limit_exceeded", wheels, "2026-03-02")["loc"][-1] == "cited_standard"
    derived = check(
        ENERGY, "energy_limit_exceeded", {**wheels, "cited_standard": "GB 12345-2020"}, "2026-03-02"
    )
    assert derived["standard"] == "GB 12345-2020" and derived["basis_verified"] is False


@pytest.mark.parametrize("value", [13700, 13000])
def test_value_within_the_limit_is_not_an_exceedance(value: float) -> None:
    error = rejected(ENERGY, "energy_limit_exceeded", energy(value))
    assert error["loc"] == ["body", "details", "measured_value"] and "不构成超限额" in error["msg"]


def test_ratio_within_and_beyond_one_times_the_limit() -> None:
    brick = {"product": "烧结实心制品", "measured_unit": "kgce/t", "programme": "city_directed"}
    at_1x = check(ENERGY, "energy_limit_exceeded", {**brick, "measured_value": 102})  # limit 51
    beyond = check(ENERGY, "energy_limit_exceeded", {**brick, "measured_value": 112.4})
    assert at_1x["ratio_over_limit"] == 1.0 and at_1x["category"] == "over_limit_within_1x"
    assert beyond["ratio_over_limit"] == pytest.approx(1.2039, abs=1e-4)
    assert beyond["category"] == "over_limit_beyond_1x"
    assert at_1x["punitive_price"]["category_zh"] == "限制类"
    assert beyond["punitive_price"]["category_zh"] == "淘汰类"


def test_medium_confidence_of_the_reference_value_is_shown() -> None:
    derived = check(ENERGY, "energy_limit_exceeded", energy(13900))
    assert derived["confidence"] == "medium" and derived["reference"]["confidence"] == "medium"
    assert "置信度为中" in derived["reference"]["caution_zh"]


@pytest.mark.parametrize(
    ("kwh", "tier", "surcharge"), [(13700, 1, 0.0), (13701, 2, 0.02), (13800, 2, 0.02), (13801, 3, 0.08)]
)
def test_aluminium_tiered_price_tiers(kwh: float, tier: int, surcharge: float) -> None:
    derived = check(ENERGY, "tiered_price_check", {"measured_value": kwh})
    assert (derived["tier"], derived["surcharge_yuan_per_kwh"]) == (tier, surcharge)
    assert derived["price_document"] == "发改价格〔2013〕2530号" and derived["confidence"] == "high"
    assert derived["energy_limit"]["over_limit"] is (kwh > 13700)


def test_tiered_price_check_needs_kwh_per_t_of_aluminium_liquid() -> None:
    unit = rejected(ENERGY, "tiered_price_check", {"measured_value": 13800, "measured_unit": "kgce/t"})
    assert unit["loc"] == ["body", "details", "measured_unit"]
    other = {"product": "烧结实心制品", "measured_value": 60, "measured_unit": "kgce/t"}
    assert rejected(ENERGY, "tiered_price_check", other)["loc"] == ["body", "details", "product"]


# ---- environment --------------------------------------------------------------------------------------------


def emission(measured: float, limit: float = 30, **more: Any) -> dict[str, Any]:
    return {
        "medium": "air",
        "pollutant": "颗粒物",
        "measured_value": measured,
        "limit_value": limit,
        "unit": "mg/m³",
        "standard": "GB 4915-2013",
        **more,
    }


def test_emitter_class_by_ratio_and_malicious_flags() -> None:
    over = check(ENVIRONMENT, "emission_exceedance", emission(54))
    assert over["ratio_over_limit"] == 0.8 and over["emitter_class"] == "over_standard"
    at_1x = check(ENVIRONMENT, "emission_exceedance", emission(60))
    assert at_1x["emitter_class"] == "seriously_over_standard"
    flagged = check(ENVIRONMENT, "emission_exceedance", emission(33, malicious=["repeat_offence"]))
    assert flagged["emitter_class"] == "seriously_over_standard"
    assert flagged["emitter_class_reasons_zh"] == ["屡查屡犯"]
    rule = over["emitter_class_rule"]
    assert rule["confidence"] == "low" and rule["ratio_over_limit_ge"] == 1.0
    assert rule["status"] == "local_operating_rule_pending_confirmation" and "第30号" in rule["basis_zh"]


def test_covert_discharge_is_serious_and_other_violations_are_not_listed() -> None:
    covert = check(ENVIRONMENT, "evasive_discharge", {"medium": "water", "methods": ["covert_discharge"]})
    assert covert["emitter_class"] == "seriously_over_standard" and covert["malicious_zh"] == ["偷排偷放"]
    permit = check(ENVIRONMENT, "permit_violation", {"kind": "no_permit", "credit_rating": "warning"})
    assert permit["emitter_class"] == "none" and permit["credit_rating"]["title_zh"] == "环保警示企业"
    load = check(
        ENVIRONMENT,
        "total_load_exceeded",
        {"pollutant": "氨氮", "permitted_t": 38, "actual_t": 46.2, "period": "2020年1—8月"},
    )
    assert load["ratio_over_quota"] == pytest.approx(0.2158, abs=1e-4) and load["emitter_class"] == "none"


def test_emission_within_the_limit_and_bad_standard_are_rejected() -> None:
    within = rejected(ENVIRONMENT, "emission_exceedance", emission(30))
    assert within["loc"] == ["body", "details", "measured_value"]
    bad = rejected(ENVIRONMENT, "emission_exceedance", emission(54, standard="GB4915"))
    assert bad["loc"] == ["body", "details", "standard"]


# ---- quality ------------------------------------------------------------------------------------------------


def spot(standard: str) -> dict[str, Any]:
    return {
        "product": "热轧带肋钢筋",
        "standard": standard,
        "sample_id": "FLCC-1",
        "failed_items": ["重量偏差"],
    }


@pytest.mark.parametrize("standard", ["GB 1499.2", "Q/CQ 1-2018", "GB 1499.2-18", "国标1499"])
def test_bad_standard_code_is_rejected(standard: str) -> None:
    error = rejected(QUALITY, "spot_check_failed", spot(standard))
    assert error["loc"] == ["body", "details", "standard"] and "标准编号格式" in error["msg"]


def test_standard_code_is_normalised_and_classified() -> None:
    derived = check(QUALITY, "spot_check_failed", spot("gb/t1499.2-2018"))
    assert derived["standard"] == "GB/T 1499.2-2018" and derived["standard_kind"] == "recommended"
    assert check(QUALITY, "spot_check_failed", spot("GB 175-2007"))["standard_kind"] == "mandatory"
    late = rejected(QUALITY, "spot_check_failed", spot("GB 175-2023"))
    assert late["loc"] == ["body", "details", "standard"]


def test_expiry_reminder_needs_the_expiry_date() -> None:
    reminder = {"action": "expiry_reminder", "licence_no": "XK05-001-00456", "product": "钢筋"}
    assert rejected(QUALITY, "licence_action", reminder)["loc"] == ["body", "details", "expires_on"]
    derived = check(QUALITY, "licence_action", {**reminder, "expires_on": "2020-08-01"})
    assert derived["days_to_expiry"] == 31


# ---- safety -------------------------------------------------------------------------------------------------


def test_major_hazard_item_is_quoted() -> None:
    derived = check(SAFETY, "major_hazard", {"hazard_code": "metallurgy.11", "description": "未考核"})
    assert "考核合格" in derived["item_text_zh"]
    assert derived["sector_zh"] == "冶金行业" and derived["group_zh"] == "行业类"


def test_unknown_hazard_code_is_rejected() -> None:
    error = rejected(SAFETY, "major_hazard", {"hazard_code": "metallurgy.99", "description": "x"})
    assert error["loc"] == ["body", "details", "hazard_code"] and "未知的重大事故隐患条目" in error["msg"]


def test_2017_item_cited_after_2023_05_14_names_order_no_10() -> None:
    assert check(SAFETY, "major_hazard", {"hazard_code": "metallurgy.08", "description": "x"}, "2023-05-14")
    error = rejected(
        SAFETY, "major_hazard", {"hazard_code": "metallurgy.08", "description": "x"}, "2023-06-01"
    )
    assert error["loc"] == ["body", "details", "hazard_code"]
    assert "应急管理部令第10号" in error["msg"] and "2023-05-15" in error["msg"]
    suspension = {"reason": "重大事故隐患", "hazard_code": "metallurgy.08"}
    assert rejected(SAFETY, "suspension_order", suspension, "2023-06-01")["loc"][-1] == "hazard_code"


@pytest.mark.parametrize(
    ("code", "on", "accepted"),
    [
        ("building_materials.01", "2023-05-14", True),  # the 2017 standard's last day
        ("building_materials.01", "2023-05-15", False),
        ("L10-A6-1", "2023-05-14", False),
        ("L10-A6-1", "2023-05-15", True),  # 令第10号 in force
    ],
)
def test_the_major_hazard_standard_in_force_on_the_finding_date(code: str, on: str, accepted: bool) -> None:
    details = {"hazard_code": code, "description": "煤磨袋式收尘器未设置固定式一氧化碳浓度监测报警装置"}
    if accepted:
        assert check(SAFETY, "major_hazard", details, on).get("basis_verified", True) is True
    else:
        assert rejected(SAFETY, "major_hazard", details, on)["loc"][-1] == "hazard_code"


def test_an_order_10_item_on_file_is_quoted_with_its_clause() -> None:
    derived = check(SAFETY, "major_hazard", {"hazard_code": "L10-A6-3", "description": "x"}, "2026-03-02")
    assert derived["clause_zh"] == "第六条（三）" and "电石渣" in derived["item_text_zh"]
    assert derived["standard_zh"].startswith("应急管理部令第10号") and derived["sector_zh"] == "建材企业"
    assert derived["basis_verified"] is True and derived["reference"]["document"] == "应急管理部令第10号"


@pytest.mark.parametrize(
    ("code", "clause"),
    [("L10-A4-6", "第四条（六）"), ("L10-A12-2", "第十二条（二）"), ("L10-A14", "第十四条")],
)
def test_an_order_10_item_not_on_file_is_accepted_as_supplied_by_the_bureau(code: str, clause: str) -> None:
    """Never block a lawful finding for lack of reference data: the item exists in the edition's structure,
    its text is not on file — the finding stands, its basis marked as not verified."""
    derived = check(SAFETY, "major_hazard", {"hazard_code": code, "description": "现场情况"}, "2024-09-10")
    assert derived["basis_verified"] is False and derived["item_text_zh"] is None
    assert derived["clause_zh"] == clause and "未经参考数据核对" in derived["warnings_zh"][0]


def test_an_order_10_item_whose_number_is_inferred_is_not_verified() -> None:
    """第五条（四）–（十）: texts read, their numbering inferred (low): quoted, but not verified."""
    derived = check(SAFETY, "major_hazard", {"hazard_code": "L10-A5-6", "description": "x"}, "2024-09-10")
    assert "深井铸造" in derived["item_text_zh"] and derived["basis_verified"] is False


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("L10-A2-1", "第2条不判定"),  # 第二条 is the scope
        ("L10-A15-1", "第15条不判定"),
        ("L10-A6-9", "共8项，没有第9项"),  # 建材: 8 items, count read (high)
        ("L10-A3-4", "共3项，没有第4项"),
        ("L10-A6", "须注明项"),
        ("L10-A14-1", "不列条目"),
        ("metallurgy.08", "条、项引用"),  # a 2017 code after 2023-05-14
        ("L10-A6-0", "没有第0项"),
    ],
)
def test_an_order_10_citation_that_cannot_exist_is_refused(code: str, why: str) -> None:
    error = rejected(SAFETY, "major_hazard", {"hazard_code": code, "description": "x"}, "2024-09-10")
    assert error["loc"][-1] == "hazard_code" and why in error["msg"], error["msg"]


def test_an_item_beyond_a_count_known_only_roughly_is_accepted_unverified() -> None:
    """第四条 冶金: 8 items by recollection (low): a 9th is not certainly wrong."""
    assert (
        check(SAFETY, "major_hazard", {"hazard_code": "L10-A4-9", "description": "x"}, "2024-09-10")[
            "basis_verified"
        ]
        is False
    )


def test_a_suspension_resting_on_an_unverified_item_carries_the_mark() -> None:
    suspension = {"reason": "重大事故隐患，责令停产停业整顿", "hazard_code": "L10-A11-7"}
    derived = check(SAFETY, "suspension_order", suspension, "2024-09-10")
    assert derived["basis_verified"] is False and derived["hazard"]["clause_zh"] == "第十一条（七）"


# ---- technology ---------------------------------------------------------------------------------------------


def test_catalogue_item_is_matched_or_flagged() -> None:
    known = check(
        TECHNOLOGY,
        "eliminated_equipment",
        {"catalogue": "2019", "item_code": "cat2011_steel_01", "equipment": "中频炉"},
    )
    assert (
        known["catalogue_match"] is True and "感应炉" in known["item_text_zh"] and known["warnings_zh"] == []
    )
    free = {
        "catalogue": "2019",
        "item_code": "cat2019_bricks_99",
        "item_text": "黏土实心砖轮窑",
        "equipment": "轮窑",
    }
    flagged = check(TECHNOLOGY, "eliminated_equipment", free)
    assert flagged["catalogue_match"] is False and flagged["warnings_zh"]
    no_text = rejected(TECHNOLOGY, "eliminated_equipment", {**free, "item_text": None})
    assert no_text["loc"] == ["body", "details", "item_text"]


def test_catalogue_item_not_in_force_on_the_finding_date() -> None:
    item = {"catalogue": "2024", "item_code": "cat2011_steel_01", "equipment": "中频炉"}
    error = rejected(TECHNOLOGY, "eliminated_equipment", item, "2024-03-01")
    assert error["loc"] == ["body", "details", "item_code"] and "2024年本" in error["msg"]
    cited_2019 = rejected(
        TECHNOLOGY,
        "eliminated_equipment",
        {**item, "catalogue": "2019", "item_code": None, "item_text": "x"},
        "2024-03-01",
    )
    assert cited_2019["loc"] == ["body", "details", "catalogue"]


def test_abnormal_electricity_period_and_rate() -> None:
    use = {"kwh": 310000, "period_from": "2020-06-01", "period_to": "2020-06-30", "baseline_kwh": 100000}
    derived = check(TECHNOLOGY, "abnormal_electricity_use", use)
    assert derived["days"] == 30 and derived["ratio_over_baseline"] == 2.1
    late = rejected(TECHNOLOGY, "abnormal_electricity_use", {**use, "period_to": "2020-07-02"})
    assert late["loc"] == ["body", "details", "period_to"]


# ---- all bureaus --------------------------------------------------------------------------------------------


def test_every_details_model_forbids_extra_fields_and_shows_examples() -> None:
    for spec in SPECS.values():
        assert set(spec.details_models) == set(spec.finding_types)
        for model in spec.details_models.values():
            schema = model.model_json_schema()
            assert schema.get("additionalProperties") is False and schema["examples"], model
            for example in schema["examples"]:
                model.model_validate(example)


def test_every_demo_finding_passes_its_bureaus_checks() -> None:
    classes = []
    for f in findings(POLICY):
        _, derived = checked_details(SPECS[f.bureau], FindingCreate.model_validate(f.body), POLICY)
        classes.append(derived.get("emitter_class"))
    assert {"over_standard", "seriously_over_standard", "none"} <= set(classes)


# ---- the typed results of the event contract (phaseout_bureau.results) ---------------------------------------


def test_a_check_whose_result_renames_a_field_the_rules_read_is_refused_by_the_bureau() -> None:
    def renamed(finding: FindingCreate, details: Any, policy: Any) -> dict[str, Any]:
        derived = ENERGY.check(finding, details, policy)
        derived["ratio"] = derived.pop("ratio_over_limit")
        return derived

    spec = replace(ENERGY, types=tuple(replace(t, check=renamed) for t in ENERGY.types))
    details = {"product": "铝液交流电耗", "measured_value": 13900, "measured_unit": "kWh/t"}
    finding = FindingCreate.model_validate(
        body("energy_limit_exceeded", {**details, "programme": "city_directed"})
    )
    assert checked_details(ENERGY, finding, POLICY)[1]["ratio_over_limit"] > 0
    with pytest.raises(ResultInvalid, match="ratio_over_limit"):
        checked_details(spec, finding, POLICY)


def test_a_bureau_must_declare_every_finding_type_whose_result_the_contract_types() -> None:
    renamed = tuple(
        replace(t, code="energy_over_limit") if t.code == "energy_limit_exceeded" else t for t in ENERGY.types
    )
    with pytest.raises(ValueError, match="energy_limit_exceeded"):
        replace(ENERGY, types=renamed)
    with pytest.raises(ValueError, match="declared twice"):
        replace(ENERGY, types=(*ENERGY.types, ENERGY.types[0]))


BELOW_BENCHMARK = {
    "benchmark_document": "工业重点领域能效标杆水平和基准水平（2023年版）",
    "indicator": "水泥熟料单位产品综合能耗",
    "measured_value": 118,
    "benchmark_value": 117,
    "unit": "kgce/t",
    "retrofit_deadline": "2025-12-31",
}


def test_capacity_below_the_benchmark_past_its_retrofit_deadline_is_managed_as_eliminated() -> None:
    """参照淘汰类管理 (2024年本): accepted from 2024-02-01 once the retrofit deadline has passed, not verified."""
    derived = check(TECHNOLOGY, "below_benchmark_unretrofitted", BELOW_BENCHMARK, "2026-03-02")
    assert derived["catalogue"] == "catalogue_2024" and derived["basis_verified"] is False
    for details, on, field in (
        (BELOW_BENCHMARK, "2024-01-31", "retrofit_deadline"),  # the 2019年本 had no such route
        (BELOW_BENCHMARK, "2025-12-31", "retrofit_deadline"),  # the deadline has not passed
        ({**BELOW_BENCHMARK, "measured_value": 117}, "2026-03-02", "measured_value"),
    ):
        assert rejected(TECHNOLOGY, "below_benchmark_unretrofitted", details, on)["loc"][-1] == field
