"""Lists as flat rows (for downloads, publication and the annual report) and the publication workflow.

A publication freezes a list's public fields at the moment the office drafts it (draft → published, once);
the public sees only published ones, with the list's legal basis from the policy data.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_bureau.domain.findings import INDUSTRY_ZH, Industry
from phaseout_coordinator.adapters.exports import Column, Table
from phaseout_coordinator.adapters.orm import ListPublication
from phaseout_coordinator.domain.engine import EXIT_WAY_ZH
from phaseout_coordinator.service_layer import queries
from phaseout_coordinator.service_layer.list_checks import publication_problems
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.clock import district_date, utcnow
from phaseout_kit.refusals import Conflict, NotFound
from phaseout_kit.registry import DIMENSION_ZH
from phaseout_kit.runtime import ServiceRuntime
from phaseout_policy import PolicyBook

PAGE = 500
EXIT_LIST = "annual_exit"
DRAFT, PUBLISHED = "draft", "published"
STATE_ZH = {DRAFT: "草稿", PUBLISHED: "已发布"}


# ---- the lists' definitions ---------------------------------------------------------------------------------


def list_title(policy: PolicyBook, list_code: str) -> str:
    definition = policy.list_definition(list_code)
    return definition.title_zh if definition else list_code


def short_title(policy: PolicyBook, list_code: str) -> str:
    """The title without its bracketed explanation or quotation marks (file names, sheet names)."""
    return re.sub(r"（.*?）|[“”\"]", "", list_title(policy, list_code)) or list_code


def legal_basis(policy: PolicyBook, list_code: str) -> dict[str, Any] | None:
    d = policy.list_definition(list_code)
    if d is None:
        return None
    return {
        "document": d.document,
        "clause": d.clause,
        "text_zh": d.text_zh,
        "publisher_zh": d.publisher_zh,
        "channel_zh": d.channel_zh,
    }


# ---- which entries: as of a date, or a year of the exit list -----------------------------------------------


@dataclass(frozen=True)
class ListScope:
    list_code: str
    as_of: date | None  # entries in force on this day
    year: int | None  # entries that started in this year
    label_date: date  # the date the list is "as of" (title row, publication)
    dimension: str | None = None  # only this dimension's entries (a bureau's reader); None: all

    @property
    def label_zh(self) -> str:
        if self.as_of is None and self.year is not None:
            return f"{self.year}年度"
        return f"截至 {self.label_date.isoformat()}"


def list_scope(list_code: str, as_of: date | None, year: int | None, today: date) -> ListScope:
    """The rule of ``GET /lists/{code}``: the exit list by year, every other list as of a day."""
    if list_code == EXIT_LIST and year:
        return ListScope(list_code, None, year, as_of or date(year, 12, 31))
    day = as_of or today
    return ListScope(list_code, day, year, day)


def publication_scope(list_code: str, as_of: date | None, year: int | None, today: date) -> ListScope:
    """A published exit list is always a year's list (the year of ``as_of`` when no year is given)."""
    if list_code == EXIT_LIST:
        return list_scope(list_code, as_of, year or (as_of or today).year, today)
    return list_scope(list_code, as_of, year, today)


# ---- rows ---------------------------------------------------------------------------------------------------


def industry_zh(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return INDUSTRY_ZH[Industry(code)]
    except ValueError:
        return code


def exit_fields(details: dict[str, Any]) -> dict[str, Any]:
    """Line/equipment, capacity with unit, way and date of an exit (``line`` may be a name or a line object)."""
    line = details.get("line") or details.get("production_line") or details.get("line_name")
    equipment, capacity = details.get("equipment"), details.get("capacity")
    if isinstance(line, dict):
        equipment = equipment or line.get("equipment")
        capacity = capacity or line.get("capacity")
        line = line.get("name")
    value, unit = (
        (capacity.get("value"), capacity.get("unit"))
        if isinstance(capacity, dict)
        else (capacity, details.get("capacity_unit"))
    )
    way = details.get("way")
    return {
        "line": line,
        "equipment": equipment,
        "capacity": value,
        "capacity_unit": unit,
        "way": way,
        "way_zh": details.get("way_zh") or (EXIT_WAY_ZH.get(way, way) if isinstance(way, str) else None),
        "exited_on": details.get("exited_on"),
    }


def entry_rows(item: dict[str, Any], list_code: str, *, internal: bool) -> list[dict[str, Any]]:
    """One row per entry of an enterprise on a list; public fields only unless ``internal``."""
    rows = []
    for e in item["entries"]:
        row: dict[str, Any] = {
            "uscc": item["uscc"],
            "name": item["name"],
            "town": item["town"],
            "industry": item["industry"],
            "industry_zh": industry_zh(item["industry"]),
            "dimension": e["dimension"],
            "dimension_zh": DIMENSION_ZH.get(e["dimension"] or "", e["dimension"]),
            "since": e["since"],
            "reason_zh": e["reason_zh"],
        }
        if list_code == EXIT_LIST:
            row |= exit_fields(e["details"] or {})
            row["exited_on"] = row["exited_on"] or e["since"]
        if internal:
            row |= {"industrial_park": item["industrial_park"], "until": e["until"]}
        rows.append(row)
    return rows


async def list_rows(
    sessions: async_sessionmaker[AsyncSession], scope: ListScope, *, internal: bool
) -> AsyncIterator[dict[str, Any]]:
    """Every row of the list, page by page, each page in its own short session."""
    offset = 0
    while True:
        async with sessions() as session:
            _total, items = await queries.list_as_of(
                session,
                scope.list_code,
                as_of=scope.as_of,
                year=scope.year,
                offset=offset,
                limit=PAGE,
                dimension=scope.dimension,
            )
        for item in items:
            for row in entry_rows(item, scope.list_code, internal=internal):
                yield row
        if len(items) < PAGE:
            return
        offset += PAGE


def list_columns(list_code: str, *, internal: bool) -> list[Column]:
    columns = [
        Column("uscc", "统一社会信用代码", width=22),
        Column("name", "企业名称", width=36),
        Column("town", "乡镇（街道）", width=14),
        Column("industry_zh", "行业", width=12),
        Column("dimension_zh", "领域", width=8),
    ]
    if list_code == EXIT_LIST:
        columns += [
            Column("line", "生产线", width=22),
            Column("equipment", "设备", width=18),
            Column("capacity", "退出产能", "number", 12),
            Column("capacity_unit", "产能单位", width=12),
            Column("way_zh", "退出方式", width=14),
            Column("exited_on", "退出日期", "date", 12),
        ]
    else:
        columns.append(Column("since", "列入日期", "date", 12))
    if internal:
        columns += [Column("until", "移出日期", "date", 12), Column("industrial_park", "工业园区", width=18)]
    return [*columns, Column("reason_zh", "列入原因", width=48)]


def list_table(policy: PolicyBook, scope: ListScope, *, internal: bool, sheet_zh: str | None = None) -> Table:
    return Table(
        title_zh=list_title(policy, scope.list_code),
        subtitle_zh=scope.label_zh,
        columns=list_columns(scope.list_code, internal=internal),
        sheet_zh=sheet_zh or short_title(policy, scope.list_code),
    )


# ---- publications -------------------------------------------------------------------------------------------


async def frozen_entries(
    sessions: async_sessionmaker[AsyncSession], scope: ListScope
) -> list[dict[str, Any]]:
    """The list's public rows, read page by page before the draft's transaction opens."""
    return [row async for row in list_rows(sessions, scope, internal=False)]


async def create_draft(
    session: AsyncSession, scope: ListScope, entries: list[dict[str, Any]], principal: Principal
) -> ListPublication:
    publication = ListPublication(
        list_code=scope.list_code,
        as_of=scope.label_date,
        state=DRAFT,
        entries=entries,
        created_at=utcnow(),
        created_by=principal.actor,
    )
    session.add(publication)
    await session.flush()
    return publication


async def publish(session: AsyncSession, publication_id: int, principal: Principal) -> ListPublication:
    """draft → published, once: a conditional update, so two concurrent publishes cannot both succeed. A list
    with an entry the invariants reject is not published (list_checks): the office is told why."""
    draft = await session.get(ListPublication, publication_id)
    if draft is not None and draft.state == DRAFT and (found := await publication_problems(session, draft)):
        raise Conflict(
            f"名单含有{len(found)}处不符合规则的条目，不能发布：{'；'.join(found[:5])}",
            "entries break the decision invariants",
            problems=found,
        )
    result = await session.execute(
        sa.update(ListPublication)
        .where(ListPublication.id == publication_id, ListPublication.state == DRAFT)
        .values(state=PUBLISHED, published_at=utcnow(), published_by=principal.actor)
        .execution_options(synchronize_session=False)
    )
    publication = await session.get(ListPublication, publication_id, populate_existing=True)
    if publication is None:
        raise NotFound("发布记录不存在", "no such publication")
    if getattr(result, "rowcount", 0) != 1:
        state = publication.state
        raise Conflict(
            f"该名单当前状态为“{STATE_ZH.get(state, state)}”，不能再次发布", f"already {state}", state=state
        )
    return publication


async def draft(runtime: ServiceRuntime, principal: Principal, scope: ListScope) -> ListPublication:
    """The office drafts a publication of a list (audited)."""
    entries = await frozen_entries(runtime.sessions, scope)
    async with runtime.unit_of_work() as session:
        publication = await create_draft(session, scope, entries, principal)
        record_audit(
            session,
            principal,
            action="publication.draft",
            object_type="list_publication",
            object_id=str(publication.id),
            before=None,
            after={
                "list_code": scope.list_code,
                "as_of": scope.label_date.isoformat(),
                "entries": len(entries),
            },
        )
    return publication


async def publish_draft(session: AsyncSession, principal: Principal, publication_id: int) -> ListPublication:
    """The office publishes a draft (audited), in the caller's transaction; refuses NotFound or Conflict."""
    publication = await publish(session, publication_id, principal)
    record_audit(
        session,
        principal,
        action="publication.publish",
        object_type="list_publication",
        object_id=str(publication_id),
        before={"state": DRAFT},
        after={"state": PUBLISHED, "published_by": principal.actor},
    )
    return publication


async def find(session: AsyncSession, publication_id: int, *, published_only: bool) -> ListPublication | None:
    publication = await session.get(ListPublication, publication_id)
    if publication is None or (published_only and publication.state != PUBLISHED):
        return None
    return publication


async def listing(
    session: AsyncSession, *, published_only: bool, list_code: str | None, offset: int, limit: int
) -> tuple[int, Sequence[ListPublication]]:
    """Newest first: by publication time for the public, by creation for the office."""
    query = sa.select(ListPublication)
    if published_only:
        query = query.where(ListPublication.state == PUBLISHED)
    if list_code:
        query = query.where(ListPublication.list_code == list_code)
    order = ListPublication.published_at if published_only else ListPublication.created_at
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(order.desc(), ListPublication.id.desc()).offset(offset).limit(limit)
    )
    return int(total or 0), rows.all()


async def page(
    session: AsyncSession, policy: PolicyBook, *, public: bool, list_code: str | None, offset: int, limit: int
) -> dict[str, Any]:
    """One page of publications, newest first: the public sees the published ones in their public view, the
    office every draft and publication in its own."""
    total, rows = await listing(
        session, published_only=public, list_code=list_code, offset=offset, limit=limit
    )
    view = public_view if public else office_view
    items = [view(policy, p, with_entries=False) for p in rows]
    return {"total": total, "offset": offset, "limit": limit, "items": items}


async def get(session: AsyncSession, publication_id: int, *, public: bool) -> ListPublication:
    """A publication the asker may see (the public: only published ones); refuses NotFound."""
    publication = await find(session, publication_id, published_only=public)
    if publication is None:
        if public:
            raise NotFound("该名单未发布或不存在", "no such published list")
        raise NotFound("发布记录不存在", "no such publication")
    return publication


def _local_date(moment: datetime | None) -> str | None:
    """A stamp's day in the district (stamps are stored in UTC)."""
    return district_date(moment).isoformat() if moment else None


def publication_title(policy: PolicyBook, p: ListPublication) -> str:
    if p.list_code == EXIT_LIST:
        return f"{list_title(policy, p.list_code)}（{p.as_of.year}年度）"
    return list_title(policy, p.list_code)


def public_view(policy: PolicyBook, p: ListPublication, *, with_entries: bool) -> dict[str, Any]:
    """What the public may see: no users, no case or event ids, no explanations beyond the reason."""
    doc: dict[str, Any] = {
        "id": p.id,
        "list_code": p.list_code,
        "title_zh": publication_title(policy, p),
        "as_of": p.as_of.isoformat(),
        "year": p.as_of.year if p.list_code == EXIT_LIST else None,
        "published_on": _local_date(p.published_at),
        "legal_basis": legal_basis(policy, p.list_code),
        "entry_count": len(p.entries),
    }
    if with_entries:
        doc["entries"] = p.entries
    return doc


def office_view(policy: PolicyBook, p: ListPublication, *, with_entries: bool) -> dict[str, Any]:
    return {
        **public_view(policy, p, with_entries=with_entries),
        "state": p.state,
        "state_zh": STATE_ZH.get(p.state, p.state),
        "created_at": p.created_at.isoformat(),
        "created_on": _local_date(p.created_at),
        "created_by": p.created_by,
        "published_at": p.published_at.isoformat() if p.published_at else None,
        "published_by": p.published_by,
    }


def publication_table(policy: PolicyBook, p: ListPublication) -> Table:
    exit_list = p.list_code == EXIT_LIST
    scope = ListScope(
        p.list_code, None if exit_list else p.as_of, p.as_of.year if exit_list else None, p.as_of
    )
    table = list_table(policy, scope, internal=False)
    subtitle = f"{scope.label_zh}　发布日期 {_local_date(p.published_at) or '未发布'}"
    return Table(publication_title(policy, p), subtitle, table.columns, table.sheet_zh)
