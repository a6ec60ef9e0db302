"""Typed records of the policy data. Every rule carries its legal basis so a decision can explain itself."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, JsonValue

from phaseout_kit.registry import find_unit, unit_name

Confidence = Literal["high", "medium", "low"]
Dimension = Literal["energy", "environment", "quality", "safety", "technology", "general"]
Severity = Literal["minor", "general", "serious", "special_serious"]
CreditScope = Literal["administrative_penalty", "special_equipment_work_safety_fire"]
AppliesWhen = Literal[
    "exit_not_completed_on_time",
    "serious_dishonest_entity",
    "over_energy_limit",
    "eliminated_capacity",
    "over_water_quota",
    "listed_or_closed",
    "abnormal_electricity_use",
    "capacity_exit",
    "voluntary_exit",
]


def _registered(code: str) -> str:
    found = find_unit(code)
    if found is None:
        raise ValueError(f"{code!r} is no unit of the registry (phaseout_kit/registry.json)")
    if found.code != code:  # policy data names units by code; names live in the registry only
        raise ValueError(f"{code!r}: name the unit by its registry code ({found.code!r})")
    return code


UnitCode = Annotated[str, AfterValidator(_registered)]  # a unit of phaseout_kit's registry, by code


def named_zh(units: list[str], others_zh: str | None) -> list[str]:
    """Units by their registry names, then what the plan names without naming a unit (相关部门按职责分工负责)."""
    return [unit_name(u) for u in units] + ([others_zh] if others_zh else [])


_CONFIDENCE_ORDER: tuple[Confidence, ...] = ("low", "medium", "high")


def weakest(*grades: Confidence) -> Confidence:
    return min(grades, key=_CONFIDENCE_ORDER.index)


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(FrozenModel):
    """Provenance shared by every record: legal basis, source, confidence and period in force."""

    id: str
    document: str | None
    clause: str | None
    source: str
    confidence: Confidence
    confidence_report: str | None = None
    confidence_note: str | None = None
    valid_from: date | None
    valid_to: date | None  # last day in force (inclusive); None = open or unknown, see validity_note
    validity_note: str | None = None
    note: str | None = None

    def in_force(self, on: date) -> bool:
        started = self.valid_from is None or self.valid_from <= on
        return started and (self.valid_to is None or on <= self.valid_to)

    def order_key(self) -> tuple[date, int]:
        """Later is preferred; an unknown valid_from ranks before any dated successor."""
        return (self.valid_from or date.min, 0)


class Fact(Rule):
    """Metadata record (document, count, mapping) whose further fields are carried as they are."""

    model_config = ConfigDict(frozen=True, extra="allow")


class Citation(FrozenModel):
    document: str
    clause: str
    text_zh: str


class Unverified(FrozenModel):
    """A gap or unchecked claim: kept for transparency, never used as a rule."""

    item: str
    status: str
    note: str | None = None
    source: str
    confidence: Confidence
    details: dict[str, JsonValue] | None = None


class PlanRule(Rule):
    text_zh: str
    also_cited: list[Citation] = []


class RectificationRule(PlanRule):
    dimension: Dimension
    mode: Literal["months", "immediate"]
    months: int | None
    consequence_zh: str
    lead_units: list[UnitCode]
    lead_others_zh: str | None  # 各相关区级部门: named by the plan, no unit of the registry
    set_by_plan_year: int | None = None  # the year of an office-loaded 实施方案 that sets this period

    @property
    def lead_department_zh(self) -> str:
        return "、".join(named_zh(self.lead_units, self.lead_others_zh))


class ExtensionRule(PlanRule):
    dimension: Dimension
    max_count: int
    max_months: int


class ReportingDeadline(PlanRule):
    plan_year: int
    due: date
    due_month_day: str
    due_in_year: Literal["plan_year", "plan_year_plus_1"]
    reporter_zh: str
    recipient_zh: str
    what_zh: str


class CardRule(PlanRule):
    card: Literal["yellow", "red", "exit", "not_exited_on_time"]
    list_code: str
    dimension: Dimension | None
    condition: str


class Measure(PlanRule):
    code: str
    title_zh: str
    kind: Literal["punishment", "pricing", "monitoring", "support"]
    target_units: list[UnitCode]  # who executes it, as the plan names them; the first answers for it
    notified_by_zh: str | None
    extends_to_affiliates: bool
    applies_when: list[AppliesWhen]
    lifting_condition_zh: str | None
    lifting_note: str | None

    @property
    def target_unit(self) -> str:
        """The unit that executes the measure and reports its execution."""
        return self.target_units[0]

    @property
    def target_department_zh(self) -> str:
        return "、".join(unit_name(u) for u in self.target_units)


class ListDefinition(PlanRule):
    code: str
    # The code the coordinator keeps this list under where it differs from the record's (the emitter lists).
    list_code: str | None = None
    title_zh: str
    publisher_units: list[UnitCode]
    publisher_others_zh: (
        str | None
    )  # 区级有关部门（配合市级部门）: named by the plan, no unit of the registry
    channel_zh: str | None

    @property
    def publisher_zh(self) -> str:
        return "、".join(named_zh(self.publisher_units, self.publisher_others_zh))


class PlanYear(Rule):
    """One year's 实施方案 of the district: its document, issue date; its annex tasks name it by year."""

    year: int
    title_zh: str
    issued_on: date


class AnnexTask(PlanRule):
    plan_year: int  # the 实施方案 that sets the task
    number: int
    title_zh: str
    dimension: Dimension | None
    lead_units: list[UnitCode]
    lead_others_zh: str | None  # 相关部门按职责分工分别负责: departments the plan does not name
    cooperating_units: list[UnitCode]
    cooperating_others_zh: str | None
    document_content_zh: str
    planned_work_zh: str
    contact_zh: str  # quoted from the annex table as printed

    @property
    def lead_departments_zh(self) -> list[str]:
        return named_zh(self.lead_units, self.lead_others_zh)

    @property
    def cooperating_departments_zh(self) -> list[str]:
        return named_zh(self.cooperating_units, self.cooperating_others_zh)

    @property
    def units(self) -> list[str]:
        """Every unit the task names, lead first."""
        return [*self.lead_units, *self.cooperating_units]

    @property
    def open_to_others(self) -> bool:
        """Whether departments the plan does not name (相关部门…) may report on the task too."""
        return bool(self.lead_others_zh or self.cooperating_others_zh)


class EnergyEdition(Rule):
    """One edition of an energy-consumption limit standard: when it is in force, what it replaces, and whether
    its limit values are on file (where not, the bureau supplies the limit it applied, not verified)."""

    standard: str  # the number without the year, e.g. GB 16780
    replaces: str | None
    values_on_file: bool
    applies_to_keys: list[str] | None  # None: every indicator of the standard


class EnergyLimit(Rule):
    key: str
    industry_zh: str
    industry_en: str
    indicator_zh: str | None
    indicator_en: str
    edition_year: int
    published: date | None
    replaces: str | None
    replaced_by: str | None
    unit: str
    grade_scheme: str
    grade1: float | None
    grade2: float | None
    grade3: float
    existing_enterprise_limit: float
    comparison: str
    corrections: str | None
    old_edition_values: dict[str, float] | None
    not_in_force_before: date | None

    def in_force(self, on: date) -> bool:
        too_early = self.not_in_force_before is not None and on < self.not_in_force_before
        if too_early or not super().in_force(on):
            return False
        # Undated editions: a standard cannot be in force before the year it was issued.
        return self.valid_from is not None or on.year >= self.edition_year

    def order_key(self) -> tuple[date, int]:
        return (self.valid_from or date.min, self.edition_year)


class Tier(FrozenModel):
    lower_exclusive: float | None
    upper_inclusive: float | None
    surcharge_yuan_per_kwh: float
    note: str | None = None

    def contains(self, value: float) -> bool:
        return (self.lower_exclusive is None or value > self.lower_exclusive) and (
            self.upper_inclusive is None or value <= self.upper_inclusive
        )


class PunitiveBand(FrozenModel):
    excess_ratio_gt: float
    excess_ratio_le: float | None
    surcharge_category_zh: str
    condition: str

    def contains(self, ratio: float) -> bool:
        upper_ok = self.excess_ratio_le is None or ratio <= self.excess_ratio_le
        return ratio > self.excess_ratio_gt and upper_ok


class PriceRule(Rule):
    title_zh: str | None
    mechanism: Literal["tiered", "differential", "punitive"]
    mechanism_text: str
    industries_zh: list[str]
    categories_zh: list[str]
    metric_zh: str | None
    metric_unit: str | None
    basis: str | None
    tiers: list[Tier] | None
    surcharges_yuan_per_kwh: dict[str, float]
    bands: list[PunitiveBand] | None
    surcharge_rates_from: str | None
    caveats: dict[str, str]  # keyed "industry/category"
    details: dict[str, JsonValue] | None


class CreditClass(FrozenModel):
    severity: Severity | None  # None: applies to all penalty information regardless of severity
    class_zh: str | None
    scope: str
    min_months: int | None
    max_months: int | None
    repairable: bool | None
    text: str
    covers: str | None


class CreditInstrument(Rule):
    title_zh: str
    chain: Literal["ndrc_credit_repair", "samr_penalty_publication"]
    classes: list[CreditClass]
    details: dict[str, JsonValue] | None = None


class MajorHazard(Rule):
    code: str
    group_zh: str
    category_zh: str
    category_en: str
    no: int
    text_zh: str
    text_origin: str
    article_no: int | None = None  # 令第10号 (2023): the article that lists the item


class HazardArticle(Rule):
    """An article of 应急管理部令第10号 that judges major hazards: its items as far as their number is known."""

    article_no: int
    article_zh: str
    group_zh: str  # 管理类 | 行业类 | 专项类 | 通则 (a rule over all items, no list)
    scope_zh: str
    lead_zh: str
    item_count: int | None  # None: a rule, not a list of items
    item_count_confidence: Confidence | None


class EliminatedItem(Rule):
    code: str
    industry_zh: str
    item_zh: str
    catalogue_edition: str
    association_list: bool
    deadline: str | None
    list_no: int | None


class EmitterClassRule(Rule):
    """Local operating rule: when an over-standard emitter counts as seriously over standard (超标排放严重)."""

    status: str
    title_zh: str
    text_zh: str
    ratio_over_limit_ge: float
    malicious_flags: list[str]
    basis_zh: str


class CreditLevel(FrozenModel):
    code: str
    title_zh: str
    min_score: int
    below_score: int | None


class CreditScale(Rule):
    """A grading scale of enterprise environmental credit (企业环境信用等级)."""

    title_zh: str
    levels: list[CreditLevel]


class CoordinatorRule(Rule):
    """Local operating rule of the coordinator's policy engine where the plan is silent (待领导小组办公室确认)."""

    key: str  # what the engine asks for; successive versions of a rule share the key
    text_zh: str
    months: int | None = None
    mapping: dict[str, list[str]] | None = None


class AuthorityCode(Rule):
    code: str
    authority_zh: str
    categories: dict[str, str | None]
