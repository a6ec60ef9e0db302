"""Item texts of 应急管理部令第10号 the data lacks, as the office reads them from the order: checked against
the order's structure on file (the article exists and lists items, the item number is within its count, the
text is not already on file), then records of the book like the shipped ones, so the safety bureau judges a
finding citing such an item against its text instead of marking it 未经参考数据核对."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phaseout_policy.book import PolicyBook
from phaseout_policy.models import MajorHazard
from phaseout_policy.office.common import Checked, error, office_version, shape_errors

ITEM_CODE = re.compile(r"^L10-A(?P<article>\d{1,2})-(?P<item>\d{1,2})$")  # L10-A6-3 = 第六条（三）
CHINESE_NUMERALS = "一二三四五六七八九十"


class HazardItemRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=ITEM_CODE.pattern, description="条目代码，如 L10-A4-6（第四条（六））")
    text_zh: str = Field(min_length=4, max_length=1000, description="条目原文")


class HazardItemTexts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=400, description="原文出处（公报、文号、页码）")
    items: list[HazardItemRow] = Field(min_length=1, max_length=99, description="条目（每行一项）")

    def change_key(self) -> str:
        return "应急管理部令第10号"

    def change_title(self) -> tuple[str, str]:
        codes = "、".join(i.code for i in self.items)
        return self.change_key(), f"条目原文 {len(self.items)} 项：{codes}（{self.source}）"

    def change_summary(self, _policy: PolicyBook) -> dict[str, Any]:
        return {"items": [i.code for i in self.items], "source": self.source}


def check_hazard_items(raw: Any, policy: PolicyBook) -> Checked[HazardItemTexts]:
    try:
        doc = HazardItemTexts.model_validate(raw)
    except ValidationError as exc:
        return Checked(None, shape_errors(exc))
    errors, seen = [], set()
    for row, item in enumerate(doc.items, start=1):
        match = ITEM_CODE.match(item.code)
        assert match is not None  # the pattern above
        article = policy.hazard_article(int(match["article"]))
        number = int(match["item"])
        if item.code in seen:
            errors.append(error("items", row, "code", f"条目 {item.code} 重复"))
        seen.add(item.code)
        if article is None or article.item_count is None:
            errors.append(error("items", row, "code", f"令第10号第{match['article']}条不列条目"))
        elif number > article.item_count:
            errors.append(error("items", row, "code", f"{article.article_zh}只有{article.item_count}项"))
        elif policy.major_hazard(item.code) is not None:
            errors.append(error("items", row, "code", f"{item.code} 的原文已收录，不在此改动"))
    return Checked(doc, errors)


def _item_zh(number: int) -> str:
    if number <= 10:
        return CHINESE_NUMERALS[number - 1]
    return f"十{CHINESE_NUMERALS[number - 11]}" if number < 20 else str(number)


def hazard_items_book(
    policy: PolicyBook, doc: HazardItemTexts, change_id: int, baseline_version: str
) -> PolicyBook:
    records = []
    for item in doc.items:
        match = ITEM_CODE.match(item.code)
        article = policy.hazard_article(int(match["article"])) if match else None
        if match is None or article is None:  # check_hazard_items refuses such an item
            raise ValueError(f"no article for {item.code}")
        number = int(match["item"])
        records.append(
            MajorHazard(
                id=item.code,
                code=item.code,
                article_no=article.article_no,
                document=article.document,
                clause=f"{article.article_zh}（{_item_zh(number)}）",
                group_zh=article.group_zh,
                category_zh=article.scope_zh,
                category_en=article.scope_zh,
                no=number,
                text_zh=item.text_zh,
                text_origin="区领导小组办公室依原文录入",
                source=f"{doc.source}（政策数据变更第{change_id}号）",
                confidence="high",
                confidence_note="办公室依原文录入，经预览后审批",
                valid_from=article.valid_from,
                valid_to=article.valid_to,
            )
        )
    return policy.with_hazard_items(records).with_version(office_version(baseline_version, change_id))
