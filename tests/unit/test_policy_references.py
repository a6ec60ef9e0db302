"""The policy data names the bureaus' finding types and the case machine's steps by code: every such code must
exist, or a rule silently never applies (the eliminated-equipment rule once named a finding type, "equipment",
that the technology bureau does not have: its findings stayed yellow with no differential price)."""

from __future__ import annotations

from phaseout_bureau.domain.cases import Action
from phaseout_coordinator.domain.engine.common import FINDING_TYPE_RULES
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_environment.domain import SPEC as ENVIRONMENT
from phaseout_policy import load_policy
from phaseout_quality.domain import SPEC as QUALITY
from phaseout_safety.domain import SPEC as SAFETY
from phaseout_technology.domain import SPEC as TECHNOLOGY

POLICY = load_policy()
FINDING_TYPES = {
    spec.name: {t.code for t in spec.types} for spec in (ENERGY, ENVIRONMENT, QUALITY, SAFETY, TECHNOLOGY)
}


def test_rules_by_finding_type_name_finding_types_the_bureaus_have() -> None:
    records = [r for r in POLICY.coordinator.records if r.key in FINDING_TYPE_RULES]
    assert {r.key for r in records} == set(FINDING_TYPE_RULES)
    unknown = [
        (r.id, bureau, code)
        for r in records
        for bureau, codes in (r.mapping or {}).items()
        for code in codes
        if code not in FINDING_TYPES.get(bureau, set())
    ]
    assert not unknown, f"finding types no bureau declares: {unknown}"


def test_the_price_period_names_steps_of_the_case_machine() -> None:
    steps = {a.value for a in Action}
    for rule in (r for r in POLICY.coordinator.records if r.key == "price_period"):
        assert set((rule.mapping or {}).get("production_stops_on", [])) <= steps, rule.id
