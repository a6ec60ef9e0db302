"""The office's edition of one of the coordinator's operating rules that set a period (a dated successor)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phaseout_policy.book import PolicyBook
from phaseout_policy.office.common import Checked, error, office_version, shape_errors


class LocalRuleEdition(BaseModel):
    """The office's confirmation or change of one of the coordinator's operating rules that set a period (a
    successor of the rule with that key, in force from ``valid_from``)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=60, description="规则键，如 exit_deadline")
    months: int = Field(ge=1, le=36, description="期限（月）")
    valid_from: date = Field(description="施行日期（适用于此日及以后开始计算的期限）")
    document: str = Field(min_length=1, max_length=120, description="确认或改定的文件文号")
    clause: str | None = Field(default=None, max_length=60, description="条款")
    text_zh: str = Field(min_length=1, max_length=2000, description="规则原文")

    def change_key(self) -> str:
        return self.key

    def change_title(self) -> tuple[str, str]:
        return self.document, self.text_zh

    def change_summary(self, policy: PolicyBook) -> dict[str, Any]:
        current = policy.coordinator_rule(self.key, self.valid_from)
        return {
            "key": self.key,
            "document": self.document,
            "valid_from": self.valid_from.isoformat(),
            "months": self.months,
            "replaces": {"id": current.id, "document": current.document, "months": current.months},
        }


def check_local_rule(raw: Any, policy: PolicyBook) -> Checked[LocalRuleEdition]:
    """Whether ``raw`` is a loadable edition of an operating rule: a rule of that key that sets a period."""
    try:
        doc = LocalRuleEdition.model_validate(raw)
    except ValidationError as exc:
        return Checked(None, shape_errors(exc))
    keys = {r.key for r in policy.coordinator.records if r.months is not None}
    if doc.key not in keys:
        known = "、".join(sorted(keys))
        return Checked(
            doc, [error(None, None, "key", f"没有以月计期限的运行规则 {doc.key}（可改定：{known}）")]
        )
    return Checked(doc, [])


def local_rule_book(
    policy: PolicyBook, doc: LocalRuleEdition, change_id: int, baseline_version: str
) -> PolicyBook:
    """``policy`` with the office's edition ``doc`` of an operating rule in force from its date."""
    current = policy.coordinator_rule(doc.key, doc.valid_from)
    edition = current.model_copy(
        update={
            "id": f"{doc.key}_office_{change_id}",
            "months": doc.months,
            "document": doc.document,
            "clause": doc.clause,
            "text_zh": doc.text_zh,
            "source": f"区领导小组办公室确认或改定（政策数据变更第{change_id}号）",
            "confidence": "high",
            "confidence_note": "办公室以文件确认，经预览后审批",
            "valid_from": doc.valid_from,
            "valid_to": None,
            "validity_note": None,
            "note": f"承接 {current.id}",
        }
    )
    return policy.with_coordinator_rules(edition).with_version(office_version(baseline_version, change_id))
