"""What a look-up in the policy book answers: the value and the rule it comes from (for the explanation)."""

from __future__ import annotations

from datetime import date

from phaseout_policy.models import (
    Confidence,
    CreditClass,
    CreditInstrument,
    FrozenModel,
    PriceRule,
    RectificationRule,
)


class RuleResult(FrozenModel):
    deadline: date
    rule: RectificationRule


class PriceResult(FrozenModel):
    surcharge_yuan_per_kwh: float
    category_zh: str | None
    rule: PriceRule
    rates_rule: PriceRule | None = None  # where the surcharge level comes from, if another rule
    confidence: Confidence
    caveat: str | None = None


class CreditRuleResult(FrozenModel):
    instrument: CreditInstrument
    rule_class: CreditClass

    @property
    def min_months(self) -> int | None:
        return self.rule_class.min_months

    @property
    def max_months(self) -> int | None:
        return self.rule_class.max_months
