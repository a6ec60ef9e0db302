"""The casebook's vocabulary: a story is what bureaus record about one enterprise (findings and the later steps
of each case, with their dates), and what the plan makes of it on given days.

A reviewer at the office reads a story against 涪经信发〔2020〕85号 and the platform's local rules
(coordinator_rules.json); the tests tell each story to the bureaus' case machine (tests/unit/test_casebook.py)
and to the bureaus' own service layer on SQLite and PostgreSQL (tests/integration/test_casebook_service.py),
and check every day against the engine's assessment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from phaseout_bureau.domain.cases import Action
from phaseout_bureau.domain.findings import FindingCreate
from phaseout_bureau.service.intake import checked_details
from phaseout_coordinator.domain.model import DIMENSIONS, Assessment, Status
from phaseout_kit.uscc import make_code
from phaseout_policy import PolicyBook
from tests.bureaus import SPECS

Y, R, X, OK = Status.YELLOW, Status.RED, Status.EXITED, Status.COMPLIANT
Step = tuple[Action, date] | tuple[Action, date, dict[str, Any]]

# The finding each type stands for unless a story says otherwise: (industry, details), each passing its
# bureau's checks against the policy data for a finding dated 2017-2022.
TYPICAL: dict[str, tuple[str, dict[str, Any]]] = {
    "energy_limit_exceeded": (
        "electrolytic_aluminium",
        {
            "product": "铝液交流电耗",
            "measured_value": 14500,
            "measured_unit": "kWh/t",
            "programme": "city_directed",
        },
    ),
    "tiered_price_check": (
        "electrolytic_aluminium",
        {
            "product": "铝液交流电耗",
            "measured_value": 13900,
            "measured_unit": "kWh/t",
            "programme": "tiered_price_check",
        },
    ),
    "emission_exceedance": (  # 54 against 30 mg/m³: 0.8 times over, 超标排放
        "cement",
        {
            "medium": "air",
            "pollutant": "颗粒物",
            "measured_value": 54,
            "limit_value": 30,
            "unit": "mg/m³",
            "standard": "GB 4915-2013",
        },
    ),
    "evasive_discharge": (
        "cement",
        {"medium": "water", "methods": ["covert_discharge"]},
    ),  # 偷排: 超标排放严重
    "spot_check_failed": (
        "cement",
        {
            "product": "普通硅酸盐水泥 P·O 42.5",
            "standard": "GB 175-2007",
            "sample_id": "FLCC-CASEBOOK-001",
            "failed_items": ["28天抗压强度"],
        },
    ),
    "major_hazard": (
        "cement",
        {"hazard_code": "building_materials.01", "description": "煤磨袋式收尘器未设置一氧化碳监测"},
    ),
    "eliminated_equipment": (
        "cement",
        {"catalogue": "2019", "item_code": "cbmf2019_cement_01", "equipment": "水泥机立窑"},
    ),
    "illegal_steel_patrol": ("steel", {"furnace_type": "intermediate_frequency", "furnace_count": 2}),
    "below_benchmark_unretrofitted": (  # 参照淘汰类管理 (2024年本)
        "cement",
        {
            "benchmark_document": "工业重点领域能效标杆水平和基准水平（2023年版）",
            "indicator": "水泥熟料单位产品综合能耗",
            "measured_value": 118,
            "benchmark_value": 117,
            "unit": "kgce/t",
            "retrofit_deadline": "2025-12-31",
        },
    ),
}
LINE = {"name": "1号生产线", "equipment": "主体设备", "capacity": {"value": "5", "unit": "万吨/年"}}


def typical_derived(bureau: str, finding_type: str, policy: PolicyBook) -> dict[str, Any]:
    """What the bureau's checks derive from the typical finding of ``finding_type``."""
    body = Filed(bureau, date(2020, 7, 1), finding_type=finding_type).body(
        "91500102MA5U7RGE16", "示范建材有限公司"
    )
    return checked_details(SPECS[bureau], FindingCreate.model_validate(body), policy)[1]


def step_fields(action: Action, on: date, extra: dict[str, Any]) -> dict[str, Any]:
    """The body of a step as a bureau records it: what each kind of step requires, then the story's own."""
    fields: dict[str, Any] = {"occurred_on": on}
    if action is Action.EXTENSION_REQUESTED:
        fields["months"] = 3
    if action is Action.CLOSURE_APPROVED:
        fields["document_no"] = "涪府函〔2021〕8号"
    if action is Action.CLOSURE_EXECUTED:
        fields["way"] = "closed"
    return fields | extra


@dataclass(frozen=True)
class Filed:
    """One finding a bureau records and the later steps of its case."""

    bureau: str
    found: date
    steps: tuple[Step, ...] = ()
    finding_type: str = ""  # default: the bureau's usual type (USUAL)
    severity: str = "serious"
    details: dict[str, Any] | None = None  # default: TYPICAL[finding_type]

    @property
    def kind(self) -> str:
        return self.finding_type or USUAL[self.bureau]

    def body(self, uscc: str, name: str) -> dict[str, Any]:
        """The finding as the bureau's API takes it (POST /api/v1/findings)."""
        industry, details = TYPICAL[self.kind]
        return {
            "uscc": uscc,
            "enterprise_name": name,
            "town": "李渡街道",
            "industry": industry,
            "finding_type": self.kind,
            "found_on": self.found.isoformat(),
            "legal_basis": "涪经信发〔2020〕85号",
            "severity": self.severity,
            "production_line": LINE,
            "inspector": "李强",
            "details": self.details if self.details is not None else details,
        }


USUAL = {
    "energy": "energy_limit_exceeded",
    "environment": "emission_exceedance",
    "quality": "spot_check_failed",
    "safety": "major_hazard",
    "technology": "eliminated_equipment",
}


@dataclass(frozen=True)
class On:
    """What the plan makes of the enterprise on one day: exactly these statuses (other dimensions compliant),
    lists, measures (by the unit that executes them) and price instructions; at least these cited clauses."""

    day: date
    status: dict[str, Status]
    lists: frozenset[str] = frozenset()
    cites: frozenset[str] = frozenset()
    measures: frozenset[str] = frozenset()
    prices: frozenset[str] = frozenset()
    earliest_lift: date | None = None  # of the measures in force, when they have one


@dataclass(frozen=True)
class Story:
    code: str
    rules: tuple[str, ...]  # the plan's clauses and the local rules (coordinator_rules keys) it tells
    text: str  # the story in the office's words
    filed: tuple[Filed, ...]
    days: tuple[On, ...]
    affiliates: tuple[str, ...] = ()
    name: str = field(default="示范建材有限公司")

    @property
    def uscc(self) -> str:
        """Each story's enterprise has its own valid 统一社会信用代码 (stories share a database)."""
        digits = f"{sum(ord(c) * 31**i for i, c in enumerate(self.code)) % 10**6:06d}"
        return make_code(f"91500102MA{digits}0")


def on(
    day: date,
    status: Status | dict[str, Status],
    *lists: str,
    cites: tuple[str, ...] = (),
    measures: tuple[str, ...] = (),
    prices: tuple[str, ...] = (),
    earliest_lift: date | None = None,
) -> On:
    """A day of a story; a bare status is that of the story's first bureau."""
    statuses = status if isinstance(status, dict) else {"": status}
    return On(
        day,
        statuses,
        frozenset(lists),
        frozenset(cites),
        frozenset(measures),
        frozenset(prices),
        earliest_lift,
    )


Teller = Callable[[date], Assessment]  # the engine's assessment of the story's enterprise as of a day


def check(story: Story, assess: Teller) -> None:
    """Every day of ``story`` against the assessment as of that day."""
    for d in story.days:
        a = assess(d.day)
        where = f"{story.code} {d.day}"
        expected = {story.filed[0].bureau if k == "" else k: v for k, v in d.status.items()}
        assert {dim: a.dimensions[dim] for dim in DIMENSIONS} == {
            dim: expected.get(dim, OK) for dim in DIMENSIONS
        }, where
        listed = a.lists_on(d.day)
        assert {e.list_code for e in listed} == d.lists, where
        own = [m for m in a.measures_on(d.day) if m.via_affiliate_of is None]
        assert {m.target_unit for m in own} == d.measures, where
        assert {p.kind for p in a.prices_on(d.day)} == d.prices, where
        cited = {b.clause for dim in expected for b in a.dimension_explanations[dim].basis}
        cited |= {b.clause for e in listed for b in e.explanation.basis}
        cited |= {b.clause for m in own for b in m.explanation.basis}
        assert d.cites <= cited, (where, cited)
        for decided in (*listed, *a.measures_on(d.day), *a.prices_on(d.day)):
            basis = decided.explanation.basis
            assert any(b.document and b.clause for b in basis) and decided.explanation.event_ids, where
        if d.earliest_lift is not None:
            assert {m.earliest_lift_on for m in own} == {d.earliest_lift}, where
        reached = {m.uscc for m in a.measures_on(d.day) if m.via_affiliate_of}
        extends = "planning_natural_resources" in d.measures
        assert reached == (set(story.affiliates) if extends else set()), where
