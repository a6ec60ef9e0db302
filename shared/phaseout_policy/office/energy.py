"""Limit values of an energy-consumption standard's edition the product does not hold, as the office reads them
from the standard's text: checked against the edition chain (the edition exists, the indicator is one of its
own, the unit is the indicator's), then records of the book like the shipped ones, so the energy bureau
judges a finding of that edition against them instead of asking the inspector for the limit."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phaseout_policy.book import PolicyBook
from phaseout_policy.models import EnergyEdition, EnergyLimit
from phaseout_policy.office.common import Checked, error, office_version, shape_errors


class LimitRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=120, description="指标代码（政策数据中的 key）")
    unit: str = Field(min_length=1, max_length=40, description="单位，如 kgce/t")
    existing_enterprise_limit: float = Field(gt=0, description="限定值（现有企业，3级）")
    grade1: float | None = Field(default=None, gt=0, description="1级（可空）")
    grade2: float | None = Field(default=None, gt=0, description="2级（可空）")
    clause: str = Field(min_length=1, max_length=60, description="标准条款，如 4.1 表1")


class EnergyEditionValues(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: str = Field(min_length=1, max_length=40, description="标准版本，如 GB 21256-2013")
    source: str = Field(min_length=1, max_length=400, description="数值出处（标准文本的版本、页码）")
    limits: list[LimitRow] = Field(min_length=1, max_length=99, description="限定值（每行一个指标）")

    def change_key(self) -> str:
        return self.edition

    def change_title(self) -> tuple[str, str]:
        """The document the change rests on, and what it is (for the lists of changes)."""
        return self.edition, f"{self.edition} 限定值 {len(self.limits)} 项（{self.source}）"

    def change_summary(self, _policy: PolicyBook) -> dict[str, Any]:
        return {"edition": self.edition, "limits": len(self.limits), "source": self.source}


def _edition(policy: PolicyBook, document: str) -> EnergyEdition | None:
    return next((e for e in policy.energy.editions if e.document == document), None)


def _keys_of(policy: PolicyBook, edition: EnergyEdition) -> set[str]:
    """The indicators the edition sets a limit for: those it names, else those of its standard on file."""
    if edition.applies_to_keys is not None:
        return set(edition.applies_to_keys)
    return {r.key for r in policy.energy.records if (r.document or "").startswith(f"{edition.standard}-")}


def check_energy_values(raw: Any, policy: PolicyBook) -> Checked[EnergyEditionValues]:
    try:
        doc = EnergyEditionValues.model_validate(raw)
    except ValidationError as exc:
        return Checked(None, shape_errors(exc))
    edition = _edition(policy, doc.edition)
    if edition is None:
        missing = sorted(e.document or "" for e in policy.energy.editions if not e.values_on_file)
        message = f"版本链中没有 {doc.edition}（未收录限值的版本：{'、'.join(missing)}）"
        return Checked(doc, [error(None, None, "edition", message)])
    errors = []
    keys, seen = _keys_of(policy, edition), set()
    for row, limit in enumerate(doc.limits, start=1):
        if limit.key in seen:
            errors.append(error("limits", row, "key", f"指标 {limit.key} 重复"))
        seen.add(limit.key)
        if limit.key not in keys:
            errors.append(
                error(
                    "limits",
                    row,
                    "key",
                    f"{doc.edition} 不含指标 {limit.key}（可填：{'、'.join(sorted(keys))}）",
                )
            )
            continue
        known = _template(policy, limit.key)
        if known is not None and _norm(known.unit) != _norm(limit.unit):
            errors.append(error("limits", row, "unit", f"{limit.key} 的单位应为 {known.unit}"))
        if any(r.key == limit.key and r.document == doc.edition for r in policy.energy.records):
            errors.append(
                error("limits", row, "key", f"{doc.edition} 的 {limit.key} 限定值已收录，不在此改动")
            )
    return Checked(doc, errors)


def _norm(unit: str) -> str:
    return unit.replace(" ", "").casefold()


def _template(policy: PolicyBook, key: str) -> EnergyLimit | None:
    """A shipped record of the indicator (any edition): its names and scheme carry over; its values never."""
    records = [r for r in policy.energy.records if r.key == key]
    return max(records, key=lambda r: r.order_key(), default=None)


def energy_values_book(
    policy: PolicyBook, doc: EnergyEditionValues, change_id: int, baseline_version: str
) -> PolicyBook:
    edition = _edition(policy, doc.edition)
    if edition is None:  # check_energy_values refuses such a document
        raise ValueError(f"no edition {doc.edition}")
    year = re.search(r"-(\d{4})$", doc.edition)
    records = []
    for limit in doc.limits:
        template = _template(policy, limit.key)
        if template is None:  # check_energy_values refuses an indicator of no record
            raise ValueError(f"no record of {limit.key}")
        records.append(
            template.model_copy(
                update={
                    "id": f"office_{change_id}__{limit.key}",
                    "document": doc.edition,
                    "clause": limit.clause,
                    "edition_year": int(year.group(1)) if year else template.edition_year,
                    "published": None,
                    "replaces": edition.replaces,
                    "replaced_by": None,
                    "unit": limit.unit,
                    "grade1": limit.grade1,
                    "grade2": limit.grade2,
                    "grade3": limit.existing_enterprise_limit,
                    "existing_enterprise_limit": limit.existing_enterprise_limit,
                    "corrections": None,
                    "old_edition_values": None,
                    "valid_from": edition.valid_from,
                    "valid_to": edition.valid_to,
                    "not_in_force_before": None,
                    "validity_note": f"施行日期按版本链 {edition.id}",
                    "note": "限定值由区领导小组办公室依标准文本录入；修正系数以标准原文为准",
                    "source": f"{doc.source}（政策数据变更第{change_id}号）",
                    "confidence": "high",
                    "confidence_note": "办公室依标准文本录入，经预览后审批",
                    "confidence_report": None,
                }
            )
        )
    return policy.with_energy_limits(records).with_version(office_version(baseline_version, change_id))
