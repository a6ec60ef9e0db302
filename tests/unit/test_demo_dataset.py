"""The demo data set (phaseout_demo): valid against the API schema and the reference data, and a coherent story."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from phaseout_bureau.domain.cases import Action, Case, CaseState
from phaseout_bureau.domain.findings import FindingCreate, ProductionLine
from phaseout_bureau.service.intake import checked_details
from phaseout_coordinator.domain.invariants import entry_problems
from phaseout_demo import DemoStep, case_steps, enterprises, findings, outcomes
from phaseout_demo.loader import DEMO_TODAY, step_payload
from phaseout_kit import uscc
from phaseout_policy import add_months, load_policy
from tests.bureaus import SPECS
from tests.unit.test_engine import Facts, projected_entries

INDUSTRIES = {
    "steel", "cement", "electrolytic_aluminium", "flat_glass", "sintered_bricks", "ferroalloy", "chemicals", "coal",
}  # fmt: skip
INDUSTRY_OF_PRODUCT = {
    "铝液交流电耗": "electrolytic_aluminium",
    "熟料综合能耗": "cement",
    "锰硅合金 综合能耗": "ferroalloy",
} | dict.fromkeys(("烧结实心制品", "烧结多孔砖和多孔砌块", "烧结空心砖和空心砌块"), "sintered_bricks")
ORDER_10_FROM = date(2023, 5, 15)  # 应急管理部令第10号 replaced the 2017 major-hazard standard
CATALOGUE_2024_FROM = date(2024, 2, 1)
POLICY = load_policy()


def _steps_by_ref() -> dict[str, list[DemoStep]]:
    by_ref: dict[str, list[DemoStep]] = defaultdict(list)
    for step in case_steps(POLICY):
        by_ref[step.external_ref].append(step)
    return by_ref


def test_enterprises_have_valid_unique_fuling_codes() -> None:
    ents = enterprises()
    assert len(ents) >= 40
    codes = [e.uscc for e in ents]
    assert len(set(codes)) == len(codes)
    for code in codes:
        check = uscc.validate(code)
        assert check.code == code and check.warnings == [] and check.division_code == "500102"
    assert any(c[8:17].isdigit() for c in codes)  # older-style all-digit subject codes are present too


def test_industries_lines_and_affiliates() -> None:
    ents = enterprises()
    counts = Counter(e.industry for e in ents)
    assert set(counts) == INDUSTRIES
    assert min(counts[i] for i in ("sintered_bricks", "cement", "chemicals")) >= 3
    codes = {e.uscc for e in ents}
    assert any(e.affiliates for e in ents)
    for e in ents:
        assert 1 <= len(e.lines) <= 2
        assert all(a in codes and a != e.uscc for a in e.affiliates)
        for line in e.lines:
            ProductionLine.model_validate(line.body())  # the capacity value and unit fit the API


def test_every_finding_body_validates_and_matches_its_enterprise() -> None:
    ents = {e.uscc: e for e in enterprises()}
    fs = findings(POLICY)
    assert 60 <= len(fs) <= 90
    assert {f.bureau for f in fs} == set(SPECS)
    refs = [f.external_ref for f in fs]
    assert len(set(refs)) == len(refs)
    for f in fs:
        model = FindingCreate.model_validate(f.body)
        spec = SPECS[f.bureau]
        assert model.finding_type in spec.finding_types
        spec.details_models[model.finding_type].model_validate(f.body["details"])
        assert model.found_on.year == 2020 or model.found_on >= ORDER_10_FROM
        assert model.found_on <= DEMO_TODAY
        checked_details(spec, model, POLICY)  # the bureau's check of the day accepts it
        ent = ents[model.uscc]
        assert (model.enterprise_name, model.town, model.industrial_park) == (
            ent.name,
            ent.town,
            ent.industrial_park,
        )
        assert model.industry == ent.industry
        if f.body["production_line"] is not None:
            assert f.body["production_line"] in [line.body() for line in ent.lines]


def test_energy_findings_only_for_covered_products_and_over_the_limit() -> None:
    book = load_policy()
    ratios = []
    energy = [f for f in findings(POLICY) if f.bureau == "energy"]
    assert {date.fromisoformat(f.body["found_on"]).year for f in energy} >= {2020, 2024, 2025, 2026}
    for f in energy:
        body, details = f.body, f.body["details"]
        found_on = date.fromisoformat(body["found_on"])
        assert body["industry"] == INDUSTRY_OF_PRODUCT[details["product"]]
        limit = next(  # the edition in force on the inspection day, cited by the finding
            r for r in book.energy.records if r.indicator_zh == details["product"] and r.in_force(found_on)
        )
        assert limit.document and limit.document in body["legal_basis"]
        assert details["measured_unit"] == limit.unit
        assert details["measured_value"] > limit.existing_enterprise_limit
        ratios.append(
            (details["measured_value"] - limit.existing_enterprise_limit) / limit.existing_enterprise_limit
        )
        if body["industry"] == "sintered_bricks":
            assert found_on >= date(2020, 5, 1)
    assert 1 <= sum(r > 1 for r in ratios) <= 2  # punitive band (> 1× over the limit) only for one or two
    tiered = [
        f.body["details"]["measured_value"]
        for f in energy
        if f.body["details"]["programme"] == "tiered_price_check"
    ]
    assert tiered and all(13700 < v < 14000 for v in tiered)


def test_safety_findings_quote_the_major_hazard_item_of_the_standard_in_force() -> None:
    safety = [f for f in findings(POLICY) if f.bureau == "safety"]
    eras = {date.fromisoformat(f.body["found_on"]) >= ORDER_10_FROM for f in safety}
    assert eras == {False, True}  # both the 2017 standard and 令第10号
    for f in safety:
        hazard = POLICY.major_hazard(f.body["details"]["hazard_code"])
        assert hazard is not None and hazard.text_zh and hazard.text_zh in f.body["details"]["description"]
        after = date.fromisoformat(f.body["found_on"]) >= ORDER_10_FROM
        document = "应急管理部令第10号" if after else "安监总管四〔2017〕129号"
        assert hazard.document == document and document in f.body["legal_basis"]


def test_the_current_era_is_judged_by_the_instruments_in_force() -> None:
    """Technology after 2024-02-01 under the 2024 catalogue (its bureau-supplied basis marked unverified),
    safety after 2023-05-15 under 令第10号 with the item text on file (verified)."""
    later = [f for f in findings(POLICY) if date.fromisoformat(f.body["found_on"]) >= ORDER_10_FROM]
    judged = {
        f.external_ref: checked_details(SPECS[f.bureau], FindingCreate.model_validate(f.body), POLICY)[1]
        for f in later
    }
    assert all(
        f.body["found_on"] >= CATALOGUE_2024_FROM.isoformat() for f in later if f.bureau == "technology"
    )
    technology = [judged[f.external_ref] for f in later if f.bureau == "technology"]
    assert technology and all(d["catalogue"] == "catalogue_2024" for d in technology)
    assert all(d["basis_verified"] is False for d in technology)
    safety = [judged[f.external_ref] for f in later if f.bureau == "safety"]
    assert len(safety) >= 3 and all(d["basis_verified"] and "第10号" in d["standard_zh"] for d in safety)


def test_the_2020_plan_year_is_concluded_and_the_current_era_has_open_cases() -> None:
    ended = outcomes(POLICY)
    by_ref = _steps_by_ref()
    for f in findings(POLICY):
        kinds = {s.kind for s in by_ref[f.external_ref]}
        if f.body["found_on"] < "2021":
            assert "case_closed" in kinds, f.external_ref
        else:
            assert date.fromisoformat(f.body["found_on"]) >= ORDER_10_FROM
    open_now = {ref for ref, outcome in ended.items() if outcome in ("yellow", "overdue")}
    assert open_now and all(int(ref.split("-")[1]) >= ORDER_10_FROM.year for ref in open_now)


def test_steps_refer_to_findings_and_are_in_date_order() -> None:
    found = {f.external_ref: date.fromisoformat(f.body["found_on"]) for f in findings(POLICY)}
    by_ref = _steps_by_ref()
    assert set(by_ref) <= set(found)
    for ref, steps in by_ref.items():
        days = [s.on for s in steps]
        assert days == sorted(days)
        assert found[ref] <= days[0] and days[-1] <= DEMO_TODAY
        assert all(s.note for s in steps)


def test_extensions_only_for_energy_once_and_at_most_three_months() -> None:
    bureau = {f.external_ref: f.bureau for f in findings(POLICY)}
    for ref, steps in _steps_by_ref().items():
        kinds = [s.kind for s in steps]
        if any(k.startswith("extension_") for k in kinds):
            assert bureau[ref] == "energy"
        assert kinds.count("extension_requested") <= 1
        assert kinds.count("extension_granted") + kinds.count("extension_refused") <= kinds.count(
            "extension_requested"
        )
        ordered = [s for s in steps if s.kind == "rectification_ordered"]
        assert len(ordered) <= 1
        for s in ordered:
            assert s.deadline == add_months(s.on, 6)
        for s in steps:
            if s.kind == "extension_requested":
                assert ordered and ordered[0].deadline is not None and s.on <= ordered[0].deadline
            if s.kind == "extension_granted":
                assert ordered and ordered[0].deadline is not None and s.deadline is not None
                assert ordered[0].deadline < s.deadline <= add_months(ordered[0].deadline, 3)


def test_environment_suspends_at_once() -> None:
    by_ref = _steps_by_ref()
    for f in findings(POLICY):
        if f.bureau == "environment":
            first = by_ref[f.external_ref][0]
            assert first.kind == "production_suspended" and first.on.isoformat() == f.body["found_on"]


@pytest.mark.parametrize("outcome", ["compliant", "yellow", "overdue", "exited"])
def test_story_has_every_outcome(outcome: str) -> None:
    assert outcome in set(outcomes(POLICY).values())


def test_exits_seal_a_production_line_and_overdue_cases_have_no_report() -> None:
    by_ref = _steps_by_ref()
    lines = {f.external_ref: (f.body["uscc"], str(f.body["production_line"])) for f in findings(POLICY)}
    sealed = {lines[ref] for ref, steps in by_ref.items() if any(s.kind == "equipment_sealed" for s in steps)}
    for ref, outcome in outcomes(POLICY).items():
        kinds = {s.kind for s in by_ref[ref]}
        if outcome == "exited":  # the exited line is sealed, in this case or in another bureau's case
            assert lines[ref][1] != "None" and lines[ref] in sealed
        if outcome == "overdue":
            deadline = max(s.deadline for s in by_ref[ref] if s.deadline is not None)
            assert deadline < DEMO_TODAY and "rectification_reported" not in kinds
        if "closure_executed" in kinds:
            assert "closure_approved" in kinds and "closure_proposed" in kinds


def test_deterministic_and_not_shared() -> None:
    first = findings(POLICY)
    first[0].body["details"]["x"] = 1
    assert findings(POLICY) == findings(POLICY) and "x" not in findings(POLICY)[0].body["details"]
    assert enterprises() == enterprises() and case_steps(POLICY) == case_steps(POLICY)


def test_the_demo_shows_no_entry_the_invariants_reject() -> None:
    """What `make run` shows: every demo case through its bureau's case machine, each enterprise assessed as of
    the demo's date; no list of that day (nor the exit lists of 2020 and 2021) breaks the invariants a
    publication is checked against, and every decision cites a document with its clause and an event."""
    by_ref = {f.external_ref: f for f in findings(POLICY)}
    steps: dict[str, list[DemoStep]] = defaultdict(list)
    for step in case_steps(POLICY):
        steps[step.external_ref].append(step)
    facts = {e.uscc: Facts(affiliates=e.affiliates, uscc=e.uscc, name=e.name) for e in enterprises()}
    for number, (ref, finding) in enumerate(by_ref.items()):
        body = finding.body
        story = facts[body["uscc"]]
        case_id = story.case(
            finding.bureau,
            date.fromisoformat(body["found_on"]),
            finding_type=body["finding_type"],
            severity=body.get("severity", "general"),
            derived=checked_details(SPECS[finding.bureau], FindingCreate.model_validate(body), POLICY)[1],
            industry=body["industry"],
            line=body.get("production_line"),
        )
        ordered = sorted(steps[ref], key=lambda s: s.on)
        granted = next((s.deadline for s in ordered if s.kind == "extension_granted"), None)
        case, deadline = Case(CaseState.FOUND, story.findings[-1].found_on, story.findings[-1].found_on), None
        for step in ordered:
            payload = step_payload(step, finding, deadline, granted, number)
            case = story.step(case_id, finding.bureau, case, Action(step.kind), step.on, payload)
            deadline = step.deadline or deadline
    problems, unfounded = [], []
    for code, story in facts.items():
        if not story.findings:
            continue
        a = story.at(DEMO_TODAY)
        listed = projected_entries(a)
        shown = [e for e in listed if e.on(DEMO_TODAY) or e.list_code == "annual_exit"]
        problems += entry_problems(shown, listed, DEMO_TODAY)
        unfounded += [
            (code, d)
            for d in (*a.lists, *a.measures, *a.prices)
            if not any(b.document and b.clause for b in d.explanation.basis) or not d.explanation.event_ids
        ]
    assert problems == [] and unfounded == []
