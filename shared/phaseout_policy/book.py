"""PolicyBook: date-aware look-ups over the package's own policy data (read once, then pure)."""

from __future__ import annotations

import calendar
import copy
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from functools import cache
from importlib.resources import files
from typing import TypeVar, cast

from pydantic import BaseModel

from .data_files import (
    CatalogueFile,
    DataFile,
    ElectricityFile,
    EnergyFile,
    HazardEditionFile,
    LocalRulesFile,
    Manifest,
    PlanRulesFile,
    SafetyFile,
    UsccFile,
)
from .models import (
    AnnexTask,
    AppliesWhen,
    CardRule,
    CoordinatorRule,
    CreditInstrument,
    CreditScale,
    CreditScope,
    Dimension,
    EliminatedItem,
    EmitterClassRule,
    EnergyEdition,
    EnergyLimit,
    ExtensionRule,
    HazardArticle,
    ListDefinition,
    MajorHazard,
    Measure,
    PlanYear,
    PriceRule,
    RectificationRule,
    ReportingDeadline,
    Rule,
    Severity,
    Unverified,
    weakest,
)
from .results import CreditRuleResult, PriceResult, RuleResult

R = TypeVar("R", bound=Rule)
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the last day of the target month (2020-08-31 + 6 → 2021-02-28)."""
    years, month0 = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month0 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def in_force(records: Iterable[R], on: date) -> R | None:
    """The record in force on `on`: latest valid_from ≤ on; undated ones rank before any dated successor."""
    return max((r for r in records if r.in_force(on)), key=lambda r: r.order_key(), default=None)


class PolicyBook:
    def __init__(
        self,
        manifest: Manifest,
        plan: PlanRulesFile,
        measures: DataFile[Measure],
        lists: DataFile[ListDefinition],
        annex: DataFile[AnnexTask],
        energy: EnergyFile,
        electricity: ElectricityFile,
        credit: DataFile[CreditInstrument],
        safety: SafetyFile,
        hazards_2023: HazardEditionFile,
        catalogue: CatalogueFile,
        uscc: UsccFile,
        local: LocalRulesFile,
        coordinator: DataFile[CoordinatorRule],
    ) -> None:
        self.manifest = manifest
        self.plan = plan
        self.energy = energy
        self.electricity = electricity
        self.credit = credit
        self.safety = safety
        self.hazards_2023 = hazards_2023
        self.catalogue = catalogue
        self.uscc = uscc
        self.local = local
        self.coordinator = coordinator
        self._measures = measures.records
        self._lists = lists.records
        self._annex = annex.records
        self._prices = {r.id: r for r in electricity.records}
        self._hazards = {r.code: r for r in (*safety.records, *hazards_2023.records)}
        self._hazard_articles = {a.article_no: a for a in hazards_2023.articles}
        self._eliminated = {r.code: r for r in catalogue.records}
        self._memo: dict[Hashable, object] = {}

    @property
    def version(self) -> str:
        return self.manifest.policy_version

    # ---- plan rules ----
    def rectification_deadline(self, dimension: Dimension, notice_date: date) -> RuleResult | None:
        rule = in_force((r for r in self.plan.rectification if r.dimension == dimension), notice_date)
        if rule is None:
            return None
        deadline = notice_date if rule.months is None else add_months(notice_date, rule.months)
        return RuleResult(deadline=deadline, rule=rule)

    def extension_rule(self, dimension: Dimension) -> ExtensionRule | None:
        return next((r for r in self.plan.extensions if r.dimension == dimension), None)

    def reporting_deadlines(self) -> list[ReportingDeadline]:
        return list(self.plan.reporting_deadlines)

    def card_rules(self) -> list[CardRule]:
        return list(self.plan.card_rules)

    def measures(self, applies_when: AppliesWhen | None = None) -> list[Measure]:
        return [m for m in self._measures if applies_when is None or applies_when in m.applies_when]

    def lists(self) -> list[ListDefinition]:
        return list(self._lists)

    def list_definition(self, list_code: str) -> ListDefinition | None:
        """The definition of the list the coordinator keeps under ``list_code``."""
        return next((d for d in self._lists if (d.list_code or d.code) == list_code), None)

    def plan_year(self, year: int) -> PlanYear | None:
        """The district's 实施方案 for ``year``, if the policy data holds it."""
        return next((p for p in self.plan.plan_years if p.year == year), None)

    def plan_in_force(self, on: date) -> PlanYear | None:
        """The latest 实施方案 issued on or before ``on``."""
        return max(
            (p for p in self.plan.plan_years if p.issued_on <= on), key=lambda p: p.issued_on, default=None
        )

    def annex_tasks(self, year: int) -> list[AnnexTask]:
        """The annex tasks of ``year``'s 实施方案 (none when its plan is not loaded: never another year's)."""
        return [t for t in self._annex if t.plan_year == year]

    # ---- energy limits ----
    def energy_limit(self, key: str, on: date) -> EnergyLimit | None:
        return in_force((r for r in self.energy.records if r.key == key), on)

    def energy_edition(self, key: str, on: date) -> EnergyEdition | None:
        """The edition of the standard that sets `key`'s limit in force on `on`, values on file or not."""
        standards = {(r.document or "").rsplit("-", 1)[0] for r in self.energy.records if r.key == key}
        editions = (
            e
            for e in self.energy.editions
            if (e.standard in standards or key in (e.applies_to_keys or ()))
            and (e.applies_to_keys is None or key in e.applies_to_keys)
        )
        return in_force(editions, on)

    def covered_energy_keys(self, on: date) -> list[str]:
        return sorted({r.key for r in self.energy.records if r.in_force(on)})

    # ---- electricity prices ----
    def aluminium_tiered_price(self, ac_kwh_per_t: float, on: date) -> PriceResult | None:
        tiered = (r for r in self._prices.values() if r.mechanism == "tiered" and "电解铝" in r.industries_zh)
        rule = in_force((r for r in tiered if r.tiers), on)
        if rule is None:
            return None
        tier = next((t for t in rule.tiers or [] if t.contains(ac_kwh_per_t)), None)
        if tier is None:
            return None
        return PriceResult(
            surcharge_yuan_per_kwh=tier.surcharge_yuan_per_kwh,
            category_zh=None,
            rule=rule,
            confidence=rule.confidence,
        )

    def differential_price(self, category: str, industry: str, on: date) -> PriceResult | None:
        rule = in_force(
            (
                r
                for r in self._prices.values()
                if r.mechanism == "differential"
                and industry in r.industries_zh
                and category in r.surcharges_yuan_per_kwh
            ),
            on,
        )
        if rule is None:
            return None
        return PriceResult(
            surcharge_yuan_per_kwh=rule.surcharges_yuan_per_kwh[category],
            category_zh=category,
            rule=rule,
            confidence=rule.confidence,
            caveat=rule.caveats.get(f"{industry}/{category}"),
        )

    def punitive_price(self, ratio_over_limit: float, on: date) -> PriceResult | None:
        """ratio_over_limit = (actual − limit) / limit; None when not over the limit or no rule in force."""
        rule = in_force((r for r in self._prices.values() if r.mechanism == "punitive"), on)
        if rule is None or rule.surcharge_rates_from is None:
            return None
        band = next((b for b in rule.bands or [] if b.contains(ratio_over_limit)), None)
        if band is None:
            return None
        rates: PriceRule = self._prices[rule.surcharge_rates_from]
        return PriceResult(
            surcharge_yuan_per_kwh=rates.surcharges_yuan_per_kwh[band.surcharge_category_zh],
            category_zh=band.surcharge_category_zh,
            rule=rule,
            rates_rule=rates,
            confidence=weakest(rule.confidence, rates.confidence),
        )

    # ---- credit publication ----
    def credit_publication_rule(
        self, severity: Severity, on: date, scope: CreditScope = "administrative_penalty"
    ) -> CreditRuleResult | None:
        """Publication period under the NDRC credit-repair instrument in force on the decision date."""
        instrument = in_force((i for i in self.credit.records if i.chain == "ndrc_credit_repair"), on)
        if instrument is None:
            return None
        candidates = [c for c in instrument.classes if c.scope == scope and c.severity in (severity, None)]
        # An exact severity class beats a class that applies to all severities.
        cls = min(candidates, key=lambda c: c.severity is None, default=None)
        return None if cls is None else CreditRuleResult(instrument=instrument, rule_class=cls)

    # ---- look-ups ----
    def major_hazard(self, code: str) -> MajorHazard | None:
        return self._hazards.get(code)

    def hazard_article(self, article_no: int) -> HazardArticle | None:
        """An article of 应急管理部令第10号 that judges major hazards (第三条–第十四条)."""
        return self._hazard_articles.get(article_no)

    def eliminated_item(self, code: str) -> EliminatedItem | None:
        return self._eliminated.get(code)

    # ---- local operating rules ----
    def emitter_class_rule(self, on: date) -> EmitterClassRule | None:
        """The rule in force on `on` that separates 超标排放严重 from 超标排放 (a local operating rule)."""
        return in_force(self.local.emitter_classes, on)

    def environmental_credit_scale(self, on: date) -> CreditScale | None:
        return in_force(self.local.environmental_credit_scales, on)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A derived value of this book's (immutable) data, computed once: lookups the engine repeats for every
        enterprise (which card rule, which rule on which day) cost a dict access instead of a scan."""
        try:
            return cast(T, self._memo[key])
        except KeyError:
            if len(self._memo) > 100_000:
                self._memo.clear()
            value = self._memo[key] = compute()
            return value

    def coordinator_rule(self, key: str, on: date) -> CoordinatorRule:
        """The coordinator's local operating rule `key` in force on `on` (the engine cannot decide without it)."""
        return self.memo(("coordinator_rule", key, on), lambda: self._coordinator_rule(key, on))

    def _coordinator_rule(self, key: str, on: date) -> CoordinatorRule:
        rule = in_force((r for r in self.coordinator.records if r.key == key), on)
        if rule is None:
            raise LookupError(f"no coordinator rule {key!r} in force on {on}")
        return rule

    def with_coordinator_rules(self, *records: CoordinatorRule) -> PolicyBook:
        """This book with `records` added to the coordinator's local rules (a dated successor of a rule the
        office confirmed or changed); the shipped book is left as it is."""
        book = copy.copy(self)
        replaced = {(r.key, r.valid_from) for r in records}  # a later edition of the same day replaces it
        kept = [r for r in self.coordinator.records if (r.key, r.valid_from) not in replaced]
        book.coordinator = self.coordinator.model_copy(update={"records": [*kept, *records]})
        book._memo = {}
        return book

    def with_plan_year(
        self,
        plan: PlanYear,
        tasks: Iterable[AnnexTask],
        rectification: Iterable[RectificationRule],
        version: str,
    ) -> PolicyBook:
        """This book with ``plan`` (its annex tasks and the rectification periods it sets) in place of any
        earlier record of that year, under policy version ``version``: how an office-approved 实施方案 joins
        the shipped data, which is left as it is."""
        book = self.with_version(version)
        book.plan = self.plan.model_copy(
            update={
                "plan_years": [*(p for p in self.plan.plan_years if p.year != plan.year), plan],
                "rectification": [
                    *(r for r in self.plan.rectification if r.set_by_plan_year != plan.year),
                    *rectification,
                ],
            }
        )
        book._annex = [*(t for t in self._annex if t.plan_year != plan.year), *tasks]
        return book

    def with_energy_limits(self, records: Iterable[EnergyLimit]) -> PolicyBook:
        """This book with limit values of editions the shipped data lacks (the office read them)."""
        book = copy.copy(self)
        book.energy = self.energy.model_copy(update={"records": [*self.energy.records, *records]})
        book._memo = {}
        return book

    def with_hazard_items(self, records: Iterable[MajorHazard]) -> PolicyBook:
        """This book with item texts of 令第10号 the shipped data lacks (the office read them)."""
        added = list(records)
        book = copy.copy(self)
        book.hazards_2023 = self.hazards_2023.model_copy(
            update={"records": [*self.hazards_2023.records, *added]}
        )
        book._hazards = {**self._hazards, **{r.code: r for r in added}}
        book._memo = {}
        return book

    def with_eliminated_items(self, records: Sequence[EliminatedItem]) -> PolicyBook:
        """This book with 淘汰类 items of a catalogue edition the shipped data lacks (the office read them)."""
        book = copy.copy(self)
        book.catalogue = self.catalogue.model_copy(update={"records": [*self.catalogue.records, *records]})
        book._eliminated = {**self._eliminated, **{r.code: r for r in records}}
        book._memo = {}
        return book

    def with_version(self, version: str) -> PolicyBook:
        """This book under another policy version (the office's changes laid over the shipped data)."""
        book = copy.copy(self)
        book.manifest = self.manifest.model_copy(update={"policy_version": version})
        book._memo = {}
        return book

    def unverified(self) -> list[Unverified]:
        """Known gaps and unchecked claims across all files (never rules)."""
        files_ = (
            self.plan,
            self.energy,
            self.electricity,
            self.credit,
            self.hazards_2023,
            self.catalogue,
            self.local,
            self.coordinator,
        )
        return [u for f in files_ for u in f.unverified]


def _read(model: type[M], name: str) -> M:
    return model.model_validate_json(files("phaseout_policy").joinpath(name).read_bytes())


@cache
def load_policy() -> PolicyBook:
    manifest = _read(Manifest, "manifest.json")
    book = PolicyBook(
        manifest,
        _read(PlanRulesFile, "data/plan_rules.json"),
        _read(DataFile[Measure], "data/measures.json"),
        _read(DataFile[ListDefinition], "data/lists.json"),
        _read(DataFile[AnnexTask], "data/annex_tasks.json"),
        _read(EnergyFile, "data/energy_limits.json"),
        _read(ElectricityFile, "data/electricity_pricing.json"),
        _read(DataFile[CreditInstrument], "data/credit_publication_rules.json"),
        _read(SafetyFile, "data/safety_major_hazards_2017.json"),
        _read(HazardEditionFile, "data/safety_major_hazards_2023.json"),
        _read(CatalogueFile, "data/catalogue_2019_eliminated.json"),
        _read(UsccFile, "data/uscc_reference.json"),
        _read(LocalRulesFile, "data/local_rules.json"),
        _read(DataFile[CoordinatorRule], "data/coordinator_rules.json"),
    )
    loaded = (
        book.plan,
        book.energy,
        book.electricity,
        book.credit,
        book.safety,
        book.hazards_2023,
        book.catalogue,
        book.uscc,
        book.local,
        book.coordinator,
    )
    stale = [f.file for f in loaded if f.policy_version != book.version]
    if stale:
        raise ValueError(f"policy data files not at version {book.version}: {stale}")
    return book
