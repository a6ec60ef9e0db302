"""What a bureau's check concludes about a finding, as part of the event contract (``derived`` of
``finding.recorded``): the fields the coordinator's rules decide on, typed, so that a check that renames or
retypes one fails in the bureau (its own check) and at the coordinator (the event is dead-lettered with the
reason) instead of silently changing a decision.

The rest of a check's explanation (the standard's provenance, the wording) travels along as further fields.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

EmitterClass = Literal["none", "over_standard", "seriously_over_standard"]


UNVERIFIED_BASIS_ZH = "依据由委办局提供，未经参考数据核对"


class CheckResult(BaseModel):
    # Explanatory fields beyond the typed ones are kept as they are (the dossier shows them).
    model_config = ConfigDict(extra="allow", frozen=True)

    # False where the bureau supplied the legal basis itself (an item or value of the instrument in force that
    # the reference data does not hold): a lawful finding is never blocked for lack of reference data, and
    # the mark (UNVERIFIED_BASIS_ZH) follows it into every decision and export.
    basis_verified: bool = True


class EnergyLimitResult(CheckResult):
    """energy_limit_exceeded: the measured unit energy consumption against the limit in force."""

    product_key: str = Field(min_length=1)
    measured_value: int | float  # as measured: an integer stays one in the event
    limit: int | float
    over_limit: bool
    # (measured − limit) / limit; None where the limit is ≤ 0. The punitive price's band is chosen by it.
    ratio_over_limit: float | None
    category: Literal["over_limit_within_1x", "over_limit_beyond_1x", "over_limit", "within_limit"]


class TieredPriceResult(CheckResult):
    """tiered_price_check: aluminium-liquid AC consumption and its tier of the tiered electricity price."""

    measured_value: int | float = Field(gt=0)
    tier: int = Field(ge=1)
    surcharge_yuan_per_kwh: float = Field(ge=0)


class EmitterClassification(CheckResult):
    """Every environment finding: which emitter list it puts the enterprise on, and why."""

    emitter_class: EmitterClass
    emitter_class_zh: str
    emitter_class_reasons_zh: list[str]


class SpotCheckResult(CheckResult):
    """quality/spot_check_failed: the standard the sample failed, and how binding it is."""

    standard: str
    standard_year: int
    standard_kind: Literal["mandatory", "recommended"]
    failed_item_count: int = Field(ge=0)


class LicenceActionResult(CheckResult):
    """quality/licence_action: what is done with the production licence."""

    action_zh: str


class MajorHazardResult(CheckResult):
    """safety/major_hazard: the item of the major-hazard standard in force on the finding date."""

    hazard_code: str
    item_no: int | None = Field(default=None, ge=1)  # None: 令第10号 第十四条, a rule over all items
    item_text_zh: str | None  # None: the item's text is not on file (basis_verified is False)


class SuspensionResult(CheckResult):
    """safety/suspension_order: the major hazard it rests on, if any."""

    hazard: MajorHazardResult | None = None


class EliminatedEquipmentResult(CheckResult):
    """technology/eliminated_equipment: the catalogue edition in force and the item matched (or not)."""

    catalogue: str
    catalogue_match: bool
    item_code: str | None
    deadline: str | None = None
    association_list: bool = False
    warnings_zh: list[str]


class BelowBenchmarkResult(CheckResult):
    """technology/below_benchmark_unretrofitted: capacity below the energy-efficiency benchmark whose retrofit
    deadline passed, 参照淘汰类管理 under the 2024年本 (the benchmark is the bureau's, not verified)."""

    catalogue: str
    benchmark_document: str
    retrofit_deadline: str


class AbnormalElectricityResult(CheckResult):
    """technology/abnormal_electricity_use: the consumption over the period reported by the power company."""

    days: int = Field(ge=1)
    kwh_per_day: int | float = Field(ge=0)
    ratio_over_baseline: float | None = None


# Every checked finding type's result, by finding type or for every finding of a bureau. A bureau's spec is
# checked against this at import (phaseout_bureau.domain.findings.BureauSpec), so the two cannot drift apart;
# the coordinator's rules read EnergyLimitResult, TieredPriceResult, EmitterClassification and basis_verified.
TYPE_RESULTS: dict[tuple[str, str], type[CheckResult]] = {
    ("energy", "energy_limit_exceeded"): EnergyLimitResult,
    ("energy", "tiered_price_check"): TieredPriceResult,
    ("quality", "spot_check_failed"): SpotCheckResult,
    ("quality", "licence_action"): LicenceActionResult,
    ("safety", "major_hazard"): MajorHazardResult,
    ("safety", "suspension_order"): SuspensionResult,
    ("technology", "eliminated_equipment"): EliminatedEquipmentResult,
    ("technology", "abnormal_electricity_use"): AbnormalElectricityResult,
    ("technology", "below_benchmark_unretrofitted"): BelowBenchmarkResult,
}
BUREAU_RESULTS: dict[str, type[CheckResult]] = {"environment": EmitterClassification}


def result_model(bureau: str, finding_type: str) -> type[CheckResult] | None:
    return TYPE_RESULTS.get((bureau, finding_type)) or BUREAU_RESULTS.get(bureau)


class ResultInvalid(ValueError):
    """A check's result that does not fit its contract."""


def typed_result(bureau: str, finding_type: str, derived: dict[str, Any]) -> CheckResult | None:
    """The typed result of a finding (None for a finding type whose result no rule reads)."""
    model = result_model(bureau, finding_type)
    if model is None:
        return None
    try:
        return model.model_validate(derived)
    except ValidationError as exc:
        raise ResultInvalid(
            f"result failing its contract ({bureau}/{finding_type}): {exc.errors(include_url=False)[:3]}"
        ) from exc
