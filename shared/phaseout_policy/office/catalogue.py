"""淘汰类 items of the 2024 catalogue (国家发展改革委令第7号) the data lacks, as the office transcribes them from
the catalogue: each with its code, sector, clause and text, checked (code new and of the 2024 edition, clause
and text given), then records of the book like the shipped 2019 items, so the technology bureau judges a
finding citing such an item against its text instead of marking it 未经参考数据核对."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phaseout_policy.book import PolicyBook
from phaseout_policy.models import EliminatedItem
from phaseout_policy.office.common import Checked, error, office_version, shape_errors

EDITION_ID = "catalogue_2024"
EDITION_ZH = "产业结构调整指导目录（2024年本）"
DOCUMENT_ZH = f"{EDITION_ZH}（国家发展改革委令第7号）"
CODE_PATTERN = r"^cat2024_[a-z0-9_]{1,40}$"


class CatalogueItemRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN, description="条目代码（cat2024_ 开头），如 cat2024_steel_05")
    industry_zh: str = Field(min_length=1, max_length=40, description="行业，如 钢铁")
    clause: str = Field(
        min_length=1,
        max_length=120,
        description="条目在目录中的位置，如 淘汰类 一、落后生产工艺装备（一）钢铁 5",
    )
    item_zh: str = Field(min_length=4, max_length=1000, description="条目原文")
    deadline: str | None = Field(
        default=None, max_length=40, description="条目所附淘汰期限原文，如 2025年12月31日（无则不填）"
    )


class CatalogueItems(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=400, description="原文出处（文号、页码）")
    items: list[CatalogueItemRow] = Field(min_length=1, max_length=99, description="条目（每行一项）")

    def change_key(self) -> str:
        return DOCUMENT_ZH

    def change_title(self) -> tuple[str, str]:
        codes = "、".join(i.code for i in self.items)
        return DOCUMENT_ZH, f"淘汰类条目 {len(self.items)} 项：{codes}（{self.source}）"

    def change_summary(self, _policy: PolicyBook) -> dict[str, Any]:
        return {"items": [i.code for i in self.items], "source": self.source}


def check_catalogue_items(raw: Any, policy: PolicyBook) -> Checked[CatalogueItems]:
    try:
        doc = CatalogueItems.model_validate(raw)
    except ValidationError as exc:
        return Checked(None, shape_errors(exc))
    errors, seen = [], set()
    if not any(d.id == EDITION_ID for d in policy.catalogue.documents):
        errors.append(error("items", 1, "code", f"参考数据中没有{EDITION_ZH}"))
    for row, item in enumerate(doc.items, start=1):
        if item.code in seen:
            errors.append(error("items", row, "code", f"条目 {item.code} 重复"))
        seen.add(item.code)
        if policy.eliminated_item(item.code) is not None:
            errors.append(error("items", row, "code", f"{item.code} 已收录，不在此改动"))
    return Checked(doc, errors)


def catalogue_items_book(
    policy: PolicyBook, doc: CatalogueItems, change_id: int, baseline_version: str
) -> PolicyBook:
    edition = next(d for d in policy.catalogue.documents if d.id == EDITION_ID)
    records = [
        EliminatedItem(
            id=item.code,
            code=item.code,
            document=DOCUMENT_ZH,
            clause=item.clause,
            industry_zh=item.industry_zh,
            item_zh=item.item_zh,
            catalogue_edition="2024",
            association_list=False,
            deadline=item.deadline,
            list_no=None,
            source=f"{doc.source}（政策数据变更第{change_id}号）",
            confidence="high",
            confidence_note="办公室依原文录入，经预览后审批",
            valid_from=edition.valid_from,
            valid_to=edition.valid_to,
        )
        for item in doc.items
    ]
    return policy.with_eliminated_items(records).with_version(office_version(baseline_version, change_id))
