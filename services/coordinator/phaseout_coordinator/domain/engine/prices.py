"""Electricity-price instructions: punitive, differential (淘汰类) and the aluminium tiered price."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from phaseout_bureau.domain.findings import INDUSTRY_ZH
from phaseout_bureau.results import EnergyLimitResult, TieredPriceResult
from phaseout_coordinator.domain.engine.common import (
    ELIMINATED,
    confidence_note,
    explain,
    finding_label,
    rule_lists,
)
from phaseout_coordinator.domain.engine.timeline import Track
from phaseout_coordinator.domain.model import (
    Finding,
    Interval,
    PriceInstruction,
)
from phaseout_kit.registry import short_name
from phaseout_policy import (
    PolicyBook,
    PriceResult,
    Rule,
)

# ---- electricity prices --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Priced:
    kind: str  # punitive | differential | tiered
    category: str
    result: PriceResult
    summary: str
    rule: Rule  # the local rule that applies the price to this finding


def _punitive(f: Finding, policy: PolicyBook) -> _Priced | None:
    if not isinstance(f.result, EnergyLimitResult):
        return None
    ratio = f.result.ratio_over_limit  # (measured − limit) / limit, by the energy bureau's check
    if ratio is None or ratio <= 0:
        return None
    result = policy.punitive_price(ratio, f.found_on)
    if result is None or not result.category_zh:
        return None
    summary = (
        f"{finding_label(f)}：单位产品能耗超过限额{ratio:g}倍，执行惩罚性电价（按{result.category_zh}标准）"
    )
    return _Priced(
        "punitive", result.category_zh, result, summary, policy.coordinator_rule("price_period", f.found_on)
    )


def _differential(f: Finding, policy: PolicyBook) -> _Priced | None:
    if not rule_lists(policy, "eliminated_equipment_findings", f.found_on, f.bureau, f.finding_type):
        return None
    industry = {k.value: v for k, v in INDUSTRY_ZH.items()}.get(f.industry, f.industry)
    result = policy.differential_price(ELIMINATED, industry, f.found_on)
    if result is None:
        return None
    summary = f"{finding_label(f)}：{industry}行业淘汰类产能，执行差别电价（{ELIMINATED}）"
    return _Priced(
        "differential", ELIMINATED, result, summary, policy.coordinator_rule("price_period", f.found_on)
    )


def _tiered(f: Finding, policy: PolicyBook) -> _Priced | None:
    if not isinstance(f.result, TieredPriceResult):
        return None
    value, tier = f.result.measured_value, f.result.tier
    result = policy.aluminium_tiered_price(value, f.found_on)
    if result is None or result.surcharge_yuan_per_kwh <= 0:
        return None
    category = f"第{tier}档"
    summary = (
        f"电解铝阶梯电价核查（{f.found_on}）：铝液交流电耗{value:g}kWh/t，{category}，{f.found_on.year}年执行"
    )
    return _Priced(
        "tiered", category, result, summary, policy.coordinator_rule("price_check_findings", f.found_on)
    )


def _instruction(priced: _Priced, f: Finding, interval: Interval, policy: PolicyBook) -> PriceInstruction:
    notice = next(
        m for m in policy.measures() if m.kind == "pricing" and "eliminated_capacity" in m.applies_when
    )
    r = priced.result
    summary = (
        f"{priced.summary}，加价{r.surcharge_yuan_per_kwh:g}元/千瓦时（{r.rule.document}）"
        f"{confidence_note(r.confidence)}；函告{short_name('power_company')}执行"
    )
    explanation = explain(summary, (notice, r.rule, r.rates_rule, priced.rule), (f.event_id,))
    return PriceInstruction(
        priced.kind, priced.category, r.surcharge_yuan_per_kwh, r.confidence, f.case_id, interval, explanation
    )


def case_prices(track: Track, policy: PolicyBook) -> list[PriceInstruction]:
    """Punitive or differential prices run from the finding until compliance or production stops."""
    f = track.finding
    priced = _punitive(f, policy) or _differential(f, policy)
    if priced is None:
        return []
    stops = (policy.coordinator_rule("price_period", f.found_on).mapping or {}).get("production_stops_on", [])
    ends = [s.occurred_on for s in track.steps if s.action in stops]
    end = min([*ends, track.resolved_on] if track.resolved_on else ends, default=None)
    return [_instruction(priced, f, Interval(f.found_on, end), policy)]


def check_prices(f: Finding, policy: PolicyBook) -> list[PriceInstruction]:
    """A tiered-price check sets the surcharge for the rest of the year of the check."""
    priced = _tiered(f, policy)
    year = Interval(f.found_on, date(f.found_on.year + 1, 1, 1))
    return [_instruction(priced, f, year, policy)] if priced else []
