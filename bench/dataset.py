"""A realistic coordinator event store at scale, written straight into its PostgreSQL tables.

Payloads come from ``templates.capture_templates()`` (the bureaus' real code paths); each synthetic
enterprise gets a skewed number of cases (most have one or two, a few have dozens), each case a copy of a demo
case of the enterprise's industry with new ids, the enterprise's identity, and its dates moved so that the
finding falls in the last three years; steps that would lie after today are dropped (the case is still under
way), so the store holds open, overdue, compliant and exited cases in a plausible mix. Sequences are gap-free
per bureau and the cursors say so; 2 % of enterprises declare an affiliate (关联企业).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bench.templates import CaseTemplate, capture_templates
from phaseout_kit.registry import BUREAUS
from phaseout_kit.uscc import ALPHABET, make_code
from tests.scratch_db import asyncpg_url

TOWNS = (
    "敦仁街道", "崇义街道", "荔枝街道", "江北街道", "江东街道", "李渡街道", "龙桥街道", "白涛街道", "马鞍街道",
    "义和街道", "蔺市街道", "南沱镇", "青羊镇", "百胜镇", "珍溪镇", "清溪镇", "焦石镇", "马武镇", "龙潭镇",
    "新妙镇", "石沱镇", "罗云镇", "大木乡", "武陵山乡", "增福镇", "同乐镇", "大顺镇", "江北镇",
)  # fmt: skip
PARKS = ("李渡工业园区", "龙桥工业园区", "白涛化工园区", "清溪工业园区", "涪陵高新技术产业开发区")
WORDS = ("兴旺", "宏达", "鑫源", "金鑫", "永盛", "顺达", "华丰", "长江", "恒发", "利民", "三江", "长城", "天龙",
         "宏基", "青峰", "川江", "锦鸿", "华强", "瑞丰", "恒润", "天宇", "嘉盛", "渝东", "鑫钢", "金鼎", "恒通")  # fmt: skip
SUFFIX = {
    "sintered_bricks": "新型建材有限公司", "cement": "水泥有限公司", "chemicals": "化工有限公司",
    "steel": "钢铁有限公司", "ferroalloy": "铁合金有限公司", "electrolytic_aluminium": "铝业有限公司",
    "flat_glass": "玻璃有限公司", "coal": "煤业有限公司",
}  # fmt: skip
DATE_KEYS = ("found_on", "occurred_on", "deadline")


def uscc_of(n: int) -> str:
    """A valid, distinct Fuling USCC for every n < 31**7 (the GB 11714 check of positions 9-17 holds too)."""
    digits = []
    for _ in range(7):
        n, r = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[r])
    subject = "B" + "".join(reversed(digits))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(subject, weights, strict=True))
    rem = 11 - total % 11
    check = "X" if rem == 10 else "0" if rem == 11 else str(rem)
    return make_code("91500102" + subject + check)


def cases_per_enterprise(rng: random.Random, mean: float) -> int:
    """Skewed: geometric with the given mean, plus a 1 % heavy tail (dozens of cases)."""
    if rng.random() < 0.01:
        return rng.randint(10, 40)
    p = 1 / max(mean, 1.0)
    n = 1
    while rng.random() > p and n < 10:
        n += 1
    return n


@dataclass
class Generated:
    enterprises: int
    events: int
    by_bureau: dict[str, int]
    affiliations: int
    seconds: float


def _shift(value: str | None, delta: timedelta) -> str | None:
    return None if value is None else (date.fromisoformat(value) + delta).isoformat()


def _instance(
    data: dict[str, Any], delta: timedelta, ids: dict[str, str], ident: dict[str, Any], recorded: str
) -> dict[str, Any]:
    d = dict(data)
    for key in DATE_KEYS:
        if d.get(key):
            d[key] = _shift(d[key], delta)
    if "finding_id" in d:
        d["finding_id"] = ids["case"]
        d.update(ident)
    else:
        d["case_id"] = ids["case"]
        d["uscc"] = ident["uscc"]
        details = dict(d.get("details") or {})
        for key in ("occurred_on", "deadline"):
            if details.get(key):
                details[key] = _shift(details[key], delta)
        d["details"] = details
    d["recorded_at"] = recorded
    return d


def _emitted(t: CaseTemplate, delta: timedelta, today: date) -> int:
    n = 0
    for e in t.events:
        if date.fromisoformat(e.data.get("occurred_on") or e.data["found_on"]) + delta > today:
            break
        n += 1
    return n


WINDOW_DAYS = 3 * 365


def generate(
    target_events: int,
    enterprises: int,
    *,
    today: date,
    seed: int = 7,
    templates: list[CaseTemplate],
) -> Iterator[tuple[Any, ...]]:
    """Rows of ``received_events`` (event_id, bureau, sequence, type, uscc, time, data, received_at)."""
    rng = random.Random(seed)
    by_industry: dict[str, list[CaseTemplate]] = defaultdict(list)
    for t in templates:
        by_industry[t.events[0].data["industry"]].append(t)
    industries = sorted(by_industry)
    weights = [len(by_industry[i]) for i in industries]
    # Events a case yields on average once the steps after today are dropped (estimated on a sample).
    probe = [rng.choice(templates) for _ in range(4000)]
    mean_events = sum(
        _emitted(t, today - timedelta(days=rng.randint(1, WINDOW_DAYS)) - t.found_on, today) for t in probe
    ) / len(probe)
    mean_cases = max(1.0, (target_events / enterprises / mean_events - 0.25) / 0.99)  # minus the heavy tail
    sequence = dict.fromkeys(BUREAUS, 0)
    produced = 0
    n = 0
    while produced < target_events:
        uscc = uscc_of(n)
        industry = rng.choices(industries, weights)[0]
        town = rng.choice(TOWNS)
        park = rng.choice(PARKS) if rng.random() < 0.35 else None
        ident = {
            "uscc": uscc,
            "enterprise_name": f"重庆市涪陵区{rng.choice(WORDS)}{n}{SUFFIX.get(industry, '有限公司')}",
            "town": town,
            "industrial_park": park,
            "industry": industry,
        }
        n += 1
        for _ in range(cases_per_enterprise(rng, mean_cases)):
            t = rng.choice(by_industry[industry])
            found_on = today - timedelta(days=rng.randint(1, WINDOW_DAYS))
            delta = found_on - t.found_on
            ids = {"case": str(uuid.uuid4())}
            for e in t.events:
                on = e.data.get("occurred_on") or e.data["found_on"]
                day = date.fromisoformat(on) + delta
                if day > today:
                    break
                when = datetime(day.year, day.month, day.day, 1, tzinfo=UTC) + timedelta(
                    seconds=rng.randint(0, 8 * 3600)
                )
                data = _instance(e.data, delta, ids, ident, when.isoformat().replace("+00:00", "Z"))
                sequence[e.bureau] += 1
                yield (
                    str(uuid.uuid4()),
                    e.bureau,
                    sequence[e.bureau],
                    e.type,
                    uscc,
                    when,
                    json.dumps(data, ensure_ascii=False),
                    when,
                )
                produced += 1
                if produced >= target_events:
                    return


async def load(
    url: str, target_events: int, enterprises: int, *, today: date, batch: int = 20_000
) -> Generated:
    """Generate and COPY the event store, cursors and a few affiliations into the coordinator's database."""
    started = time.perf_counter()
    conn = await asyncpg.connect(asyncpg_url(url))
    columns = ("event_id", "bureau", "sequence", "type", "uscc", "time", "data", "received_at")
    by_bureau: dict[str, int] = defaultdict(int)
    usccs: set[str] = set()
    count = 0
    try:
        buf: list[tuple[Any, ...]] = []
        templates = await capture_templates()
        copying: asyncio.Task[Any] | None = None  # PostgreSQL copies one batch while Python builds the next
        for row in generate(target_events, enterprises, today=today, templates=templates):
            buf.append(row)
            by_bureau[row[1]] = max(by_bureau[row[1]], row[2])
            usccs.add(row[4])
            if len(buf) % 1000 == 0:
                await asyncio.sleep(0)  # let the COPY in flight push its data
            if len(buf) >= batch:
                if copying is not None:
                    await copying
                copying = asyncio.create_task(
                    conn.copy_records_to_table("received_events", records=buf, columns=columns)
                )
                await asyncio.sleep(0)
                count += len(buf)
                buf = []
        if copying is not None:
            await copying
        if buf:
            await conn.copy_records_to_table("received_events", records=buf, columns=columns)
            count += len(buf)
        await conn.executemany(
            "INSERT INTO bureau_cursors (bureau, contiguous, highest_seen) VALUES ($1, $2, $2) "
            "ON CONFLICT (bureau) DO UPDATE SET contiguous = $2, highest_seen = $2",
            [(b, by_bureau.get(b, 0)) for b in BUREAUS],
        )
        ordered = sorted(usccs)
        rng = random.Random(11)
        pairs = {(u, rng.choice(ordered)) for u in rng.sample(ordered, max(1, len(ordered) // 50))}
        now = datetime.now(UTC)
        await conn.executemany(
            "INSERT INTO affiliations (uscc, affiliate_uscc, declared_at, declared_by) VALUES ($1, $2, $3, 'bench')"
            " ON CONFLICT DO NOTHING",
            [(a, b, now) for a, b in pairs if a != b],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return Generated(len(usccs), count, dict(by_bureau), len(pairs), time.perf_counter() - started)
