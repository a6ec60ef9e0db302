"""Findings (认定/发现): what every bureau records, and the hook through which a bureau adds its own rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from phaseout_bureau.domain.labels import LabelledEnum
from phaseout_bureau.results import TYPE_RESULTS, CheckResult
from phaseout_kit import uscc
from phaseout_kit.registry import BureauCode, bureau
from phaseout_policy import PolicyBook
from phaseout_policy.office import LayeredBook


class Industry(LabelledEnum):
    STEEL = "steel", "钢铁"
    COAL = "coal", "煤炭"
    CEMENT = "cement", "水泥"
    ELECTROLYTIC_ALUMINIUM = "electrolytic_aluminium", "电解铝"
    FLAT_GLASS = "flat_glass", "平板玻璃"
    SINTERED_BRICKS = "sintered_bricks", "烧结砖瓦"
    FERROALLOY = "ferroalloy", "铁合金"
    CHEMICALS = "chemicals", "化工"
    HEAVY_METALS = "heavy_metals", "涉重金属"
    INDUSTRIAL_KILNS = "industrial_kilns", "工业窑炉"
    SCATTERED_POLLUTING = "scattered_polluting", "散乱污"
    NONFERROUS_SMELTING = "nonferrous_smelting", "有色金属冶炼"
    POLYSILICON = "polysilicon", "多晶硅"
    CERAMICS = "ceramics", "陶瓷"
    OTHER = "other", "其他"


INDUSTRY_ZH: dict[Industry, str] = Industry.labels()


class Severity(StrEnum):
    GENERAL = "general"  # 一般
    SERIOUS = "serious"  # 较重
    GRAVE = "grave"  # 严重


class CapacityUnit(StrEnum):
    TEN_THOUSAND_T_PER_YEAR = "万吨/年"
    T_PER_YEAR = "吨/年"
    WEIGHT_BOXES_PER_YEAR = "重量箱/年"
    TEN_THOUSAND_WEIGHT_BOXES_PER_YEAR = "万重量箱/年"
    TEN_THOUSAND_BRICKS_PER_YEAR = "万块标砖/年"
    TEN_THOUSAND_KVA = "万千伏安"
    KVA = "千伏安"
    T_PER_DAY = "吨/日"


# No control characters: they are never meant, PostgreSQL refuses NUL, and XLSX exports cannot hold them.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SINGLE_LINE)
]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=SINGLE_LINE)]
LongText = Annotated[  # may span lines
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=2000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
    ),
]
MAX_DETAILS_DEPTH = 16


def json_depth(value: Any) -> int:
    """How deeply a JSON value nests (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


class Capacity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Decimal = Field(gt=0, max_digits=14, decimal_places=3)
    unit: CapacityUnit


class ProductionLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text = Field(description="生产线名称")
    equipment: Text | None = Field(default=None, description="设备（如 中频炉、立窑、轮窑）")
    capacity: Capacity | None = None


class FindingCreate(BaseModel):
    """A finding as a bureau's own system posts it. ``details`` is typed per bureau (see BureauSpec)."""

    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(description="统一社会信用代码 (18 characters, GB 32100-2015)")
    enterprise_name: Text = Field(description="企业名称")
    town: Text = Field(description="所在乡镇/街道")
    industrial_park: Text | None = Field(default=None, description="所在工业园区")
    industry: Industry
    finding_type: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    production_line: ProductionLine | None = None
    found_on: date = Field(description="发现/认定日期")
    legal_basis: LongText = Field(description="认定依据（文件及条款）")
    severity: Severity = Severity.GENERAL
    inspector: Text = Field(description="检查人员")
    evidence: list[Reference] = Field(default_factory=list, max_length=50, description="证据材料编号或链接")
    external_ref: (
        Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=SINGLE_LINE)] | None
    ) = Field(default=None, description="委办局自有系统中的编号（幂等键）")
    details: dict[str, Any] = Field(default_factory=dict, description="按委办局定义的明细")

    @field_validator("uscc")
    @classmethod
    def _valid_uscc(cls, value: str) -> str:
        try:
            return uscc.validate(value).code
        except uscc.USCCError as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("details")
    @classmethod
    def _shallow_details(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Checked again by the bureau's typed model; bounded here so that hashing and storing the raw request
        # (before that check) cannot fail on a pathologically deep value (pydantic serialises at most ~250 levels).
        if json_depth(value) > MAX_DETAILS_DEPTH:
            raise ValueError(f"明细嵌套过深，最多 {MAX_DETAILS_DEPTH} 层 (details nested too deeply)")
        return value


class CheckError(ValueError):
    """A finding's details contradict the reference data (e.g. a standard not in force on that date)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class FreeTextDetails(BaseModel):
    """Details of a finding type that has no typed fields yet: a description of the problem."""

    model_config = ConfigDict(extra="forbid")
    description: LongText = Field(description="问题描述")


TypedCheck = Callable[[FindingCreate, Any, PolicyBook], "CheckResult | dict[str, Any]"]
"""Validates a finding's typed details against the policy book handed in; returns the derived values (the limit,
the ratio …) whose fields the rules read are typed by the event contract (phaseout_bureau.results)."""


@dataclass(frozen=True)
class FindingType:
    """One kind of finding, declared once: its code, its Chinese title, its typed details and its check (None:
    it derives nothing). The typed part of its result is phaseout_bureau.results.result_model(bureau, code)."""

    code: str
    title_zh: str
    details: type[BaseModel]
    check: TypedCheck | None = None


@dataclass(frozen=True)
class BureauSpec:
    """What makes one bureau different from the others: its finding types (details and checks)."""

    name: BureauCode  # its identity (names, unit, port, topic) is the registry's: phaseout_kit.registry
    types: tuple[FindingType, ...]
    # Bureau-only endpoints (e.g. the environment bureau's emitter lists), built by the bureau's package.
    extra_routers: tuple[Callable[[LayeredBook], APIRouter], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        codes = [t.code for t in self.types]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.name}: a finding type is declared twice: {codes}")
        typed = {t for b, t in TYPE_RESULTS if b == self.name}
        if typed - set(codes):
            raise ValueError(
                f"{self.name}: the event contract (phaseout_bureau.results) types the results of finding types "
                f"the bureau does not declare: {sorted(typed - set(codes))}"
            )

    @property
    def finding_types(self) -> dict[str, str]:
        """code → 中文名称."""
        return {t.code: t.title_zh for t in self.types}

    @property
    def details_models(self) -> dict[str, type[BaseModel]]:
        return {t.code: t.details for t in self.types}

    def check(self, finding: FindingCreate, details: BaseModel, policy: PolicyBook) -> dict[str, Any]:
        """The finding type's check, as the event's ``derived`` (a type without one derives nothing); a typed
        result (phaseout_bureau.results) is dumped with every field it carries."""
        kind = next((t for t in self.types if t.code == finding.finding_type), None)
        result = {} if kind is None or kind.check is None else kind.check(finding, details, policy)
        # exclude_unset: a default the check did not give (an optional field) does not appear in the event
        return (
            result.model_dump(mode="json", exclude_unset=True) if isinstance(result, CheckResult) else result
        )

    @property
    def title_zh(self) -> str:
        """The dimension it judges (能耗 …)."""
        return bureau(self.name).dimension_zh

    @property
    def department_zh(self) -> str:
        """The units responsible for it, as the plan names them."""
        return bureau(self.name).department_zh
