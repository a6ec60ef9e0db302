"""The shape of each policy data file (what book.py loads); the records themselves are in models.py."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import Field

from phaseout_policy.models import (
    AuthorityCode,
    CardRule,
    CreditScale,
    EliminatedItem,
    EmitterClassRule,
    EnergyEdition,
    EnergyLimit,
    ExtensionRule,
    Fact,
    FrozenModel,
    HazardArticle,
    MajorHazard,
    PlanYear,
    PriceRule,
    RectificationRule,
    ReportingDeadline,
    Rule,
    Unverified,
)

R = TypeVar("R", bound=Rule)


class DataFile(FrozenModel, Generic[R]):
    file: str
    policy_version: str
    description: str
    records: list[R]
    unverified: list[Unverified] = Field(default_factory=list)


class PlanRulesFile(FrozenModel):
    file: str
    policy_version: str
    description: str
    documents: list[Fact]
    rectification: list[RectificationRule]
    extensions: list[ExtensionRule]
    reporting_deadlines: list[ReportingDeadline]
    card_rules: list[CardRule]
    plan_years: list[PlanYear]
    unverified: list[Unverified]


class ElectricityFile(DataFile[PriceRule]):
    unit: str
    revenue_split: Fact


class SafetyFile(DataFile[MajorHazard]):
    documents: list[Fact]
    counts: Fact
    sector_mapping: Fact


class EnergyFile(DataFile[EnergyLimit]):
    editions: list[EnergyEdition]


class HazardEditionFile(DataFile[MajorHazard]):
    """A later edition of the major-hazard standard: its structure (articles) and the item texts on file."""

    edition: Fact
    articles: list[HazardArticle]


class CatalogueFile(DataFile[EliminatedItem]):
    documents: list[Fact]
    restricted_reference: list[Fact]


class UsccFile(DataFile[AuthorityCode]):
    table_note: str
    fuling_division_code: Fact


class LocalRulesFile(FrozenModel):
    file: str
    policy_version: str
    description: str
    emitter_classes: list[EmitterClassRule]
    environmental_credit_scales: list[CreditScale]
    unverified: list[Unverified] = Field(default_factory=list)


class Manifest(FrozenModel):
    policy_version: str
    description: str
    versioning: str
    files: list[str]
