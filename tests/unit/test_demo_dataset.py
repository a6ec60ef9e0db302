"""The demo data set (phaseout_demo): valid against the API schema and the reference data, and a coherent story."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from phaseout_bureau.domain.cases import Action, Case, CaseState
from phaseout_bureau.domain.findings import FindingCreate, ProductionLine
from phaseout_bureau.service.intake import checked_details
from phaseout_coordinator.domain.invariants import entry_problems
from phaseout_demo import AS_OF, DemoStep, case_steps, enterprises, findings, outcomes
from phaseout_demo.loader import DEMO_TODAY, step_payload
from phaseout_kit import uscc
from phaseout_policy import add_months, load_policy
from tests.bureaus import SPECS
from tests.unit.test_engine import Facts, projected_entries

INDUSTRIES = {
    "steel", "cement", "electrolytic_aluminium", "flat_glass", "sintered_bricks", "ferroalloy", "chemicals", "coal",
}  # fmt: skip
COVERED = {"铝液交流电耗": ("GB 21346-2013", "electrolytic_aluminium")} | {
    p: ("GB 30526-2019", "sintered_bricks")
    for p in ("烧结实心制品", "烧结多孔砖和多孔砌块", "烧结空心砖和空心砌块")
}
LAST_STEP_DAY = date(2021, 6, 30)
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
        assert model.found_on.year == 2020
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
    assert energy
    for f in energy:
        body, details = f.body, f.body["details"]
        found_on = date.fromisoformat(body["found_on"])
        standard, industry = COVERED[details["product"]]
        assert body["industry"] == industry and standard in body["legal_basis"]
        limit = next(
            r
            for r in book.energy.records
            if r.document == standard and r.indicator_zh == details["product"] and r.in_force(found_on)
        )
        assert details["measured_unit"] == limit.unit
        assert details["measured_value"] > limit.existing_enterprise_limit
        ratios.append(
            (details["measured_value"] - limit.existing_enterprise_limit) / limit.existing_enterprise_limit
        )
        if industry == "sintered_bricks":
            assert found_on >= date(2020, 5, 1)
    assert 1 <= sum(r > 1 for r in ratios) <= 2  # punitive band (> 1× over the limit) only for one or two
    tiered = [
        f.body["details"]["measured_value"]
        for f in energy
        if f.body["details"]["programme"] == "tiered_price_check"
    ]
    assert tiered and all(13700 < v < 14000 for v in tiered)


def test_safety_descriptions_quote_the_2017_major_hazard_items() -> None:
    texts = [h.text_zh for h in load_policy().safety.records]
    for f in findings(POLICY):
        if f.bureau == "safety":
            assert any(t in f.body["details"]["description"] for t in texts)
            assert "安监总管四〔2017〕129号" in f.body["legal_basis"]


def test_steps_refer_to_findings_and_are_in_date_order() -> None:
    found = {f.external_ref: date.fromisoformat(f.body["found_on"]) for f in findings(POLICY)}
    by_ref = _steps_by_ref()
    assert set(by_ref) <= set(found)
    for ref, steps in by_ref.items():
        days = [s.on for s in steps]
        assert days == sorted(days)
        assert found[ref] <= days[0] and days[-1] <= LAST_STEP_DAY
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
            assert deadline < AS_OF and "rectification_reported" not in kinds
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
