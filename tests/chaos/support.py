"""What the fault-injection scenarios share: figures, request bodies, load, database access, snapshots."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_bureau.domain.findings import Industry
from phaseout_coordinator.adapters.orm import (
    CaseStatusRow,
    EnterpriseRow,
    EnterpriseStatus,
    ListEntryRow,
    MeasureRow,
    PendingEvaluation,
    PriceInstructionRow,
    StoredEvent,
)
from phaseout_coordinator.bootstrap import MIGRATIONS as COORDINATOR_MIGRATIONS
from phaseout_coordinator.service_layer.projector import Projector
from phaseout_coordinator.service_layer.rebuild import rebuild
from phaseout_demo.samples import sample_finding
from phaseout_kit.clock import DistrictClock
from phaseout_kit.db import make_engine, make_session_factory, upgrade_to_head
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.signing import Signer, dev_private_key
from phaseout_kit.ports import LOOPBACK, unused_port
from phaseout_kit.uscc import make_code
from phaseout_platform.launcher import Platform
from phaseout_policy import load_policy
from tests.apps import auth

FIGURES: list[str] = []
"""Every scenario's figures line, repeated in pytest's terminal summary (tests/chaos/conftest.py)."""

CLOCK = date(2021, 9, 30)  # the coordinator's fixed today in every scenario: projections are deterministic
ENTERPRISES = [make_code(f"91500102MA5U{n:04d}X") for n in range(40)]
MANY_ENTERPRISES = [make_code(f"91500102MA5U{n:04d}X") for n in range(300)]  # a few events each, as in life


def report(scenario: int, backend: str, **figures: object) -> str:
    """Print (and keep for the terminal summary) one line: ``[scenario N backend] accepted=… …``."""
    line = f"[scenario {scenario} {backend}] " + " ".join(f"{k}={v}" for k, v in figures.items())
    FIGURES.append(line)
    print("\n" + line, flush=True)
    return line


def finding_body(bureau: str, n: int, enterprises: Sequence[str] = ENTERPRISES) -> dict[str, Any]:
    return sample_finding(
        bureau,
        uscc=enterprises[n % len(enterprises)],
        enterprise_name=f"重庆市涪陵区测试企业{n % len(enterprises)}有限公司",
        found_on=date(2020, 9, 1),
        industry=Industry.CEMENT.value,
        sample_id="FLCC-E2E-001",
    )


def database_url(platform: Platform, service: str) -> str:
    """The database a platform process uses (its PostgreSQL database, or the embedded SQLite file)."""
    configured = platform.env.get(service, {}).get("PHASEOUT_DATABASE_URL")
    return configured or f"sqlite+aiosqlite:///{platform.data_dir / service}.db"


@asynccontextmanager
async def sessions_for(
    url: str, migrations: str | None = None
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(url, pool_size=2)
    try:
        if migrations is not None:
            await upgrade_to_head(engine, migrations)
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


class Load:
    """Findings (and, for every ``action_every``-th, a rectification order) posted to bureaus over HTTP."""

    def __init__(
        self,
        platform: Platform,
        client: httpx.AsyncClient,
        bureaus: Sequence[str],
        enterprises: Sequence[str] = ENTERPRISES,
    ) -> None:
        self.platform = platform
        self.enterprises = enterprises
        self.client = client
        self.bureaus = list(bureaus)
        self.accepted: dict[str, list[str]] = {b: [] for b in bureaus}  # event-producing writes, per bureau
        self.findings: dict[str, list[str]] = {b: [] for b in bureaus}
        self.rejected: list[tuple[str, int, str]] = []
        self._n = dict.fromkeys(bureaus, 0)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.accepted.values())

    async def post_one(self, bureau: str, *, action_every: int = 0) -> None:
        n = self._n[bureau]
        self._n[bureau] += 1
        url = self.platform.url(bureau)
        headers = auth(f"demo-{bureau}-writer")
        try:
            r = await self.client.post(
                f"{url}/api/v1/findings", json=finding_body(bureau, n), headers=headers
            )
        except httpx.HTTPError as exc:
            self.rejected.append((bureau, 0, repr(exc)))
            return
        if r.status_code != 201:
            self.rejected.append((bureau, r.status_code, r.text[:200]))
            return
        finding_id = r.json()["finding_id"]
        self.findings[bureau].append(finding_id)
        self.accepted[bureau].append(finding_id)
        if action_every and n % action_every == 0:
            r = await self.client.post(
                f"{url}/api/v1/cases/{finding_id}/rectification_ordered",
                json={"occurred_on": "2020-09-10", "deadline": "2021-03-10"},
                headers=headers,
            )
            if r.status_code == 201:
                self.accepted[bureau].append(f"{finding_id}/rectification_ordered")
            else:
                self.rejected.append((bureau, r.status_code, r.text[:200]))

    async def run_for(self, seconds: float, *, per_bureau: int = 1, pause_s: float = 0.05) -> None:
        deadline = time.monotonic() + seconds

        async def worker(bureau: str) -> None:
            while time.monotonic() < deadline:
                await self.post_one(bureau)
                await asyncio.sleep(pause_s)

        await asyncio.gather(*(worker(b) for b in self.bureaus for _ in range(per_bureau)))

    async def run_count(
        self,
        per_bureau_total: int,
        *,
        concurrency: int = 3,
        action_every: int = 0,
        findings_per_s: float = 0.0,
        hold_beyond: Callable[[], int] | None = None,
    ) -> None:
        """``per_bureau_total`` findings to each bureau; at most ``findings_per_s`` in all, if given.

        ``hold_beyond``: while ``total`` has reached what it returns, the load slows to a trickle (one finding a
        second), so that a test's faults keep pace with the load on a slow machine, while events never stop."""
        next_slot = time.monotonic()

        async def paced() -> None:
            nonlocal next_slot
            rate = findings_per_s
            if hold_beyond is not None and self.total >= hold_beyond():
                rate = 1.0
            if rate:
                slot, next_slot = next_slot, max(next_slot, time.monotonic()) + 1 / rate
                await asyncio.sleep(max(0.0, slot - time.monotonic()))

        async def worker(bureau: str, count: int) -> None:
            for _ in range(count):
                await paced()
                await self.post_one(bureau, action_every=action_every)

        share = [
            per_bureau_total // concurrency + (1 if i < per_bureau_total % concurrency else 0)
            for i in range(concurrency)
        ]
        await asyncio.gather(*(worker(b, c) for b in self.bureaus for c in share))


async def feed(client: httpx.AsyncClient, base_url: str) -> list[EventEnvelope]:
    """A bureau's whole event feed, read the way the coordinator's catch-up reads it."""
    events: list[EventEnvelope] = []
    after = 0
    while True:
        r = await client.get(
            f"{base_url}/api/v1/events", params={"after": after, "limit": 1000}, headers=auth("demo-reader")
        )
        r.raise_for_status()
        page = [EventEnvelope.from_json(e) for e in r.json()["events"]]
        if not page:
            return events
        events.extend(page)
        after = page[-1].sequence


async def ingest_status(client: httpx.AsyncClient, coordinator_url: str) -> dict[str, dict[str, int]]:
    r = await client.get(f"{coordinator_url}/api/v1/ingest/status", headers=auth("demo-reader"))
    r.raise_for_status()
    status: dict[str, dict[str, int]] = r.json()
    return status


async def received(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, int]]:
    """(bureau, event id, sequence) of every event in the coordinator's store."""
    async with sessions() as session:
        rows = await session.execute(
            sa.select(StoredEvent.bureau, StoredEvent.event_id, StoredEvent.sequence)
        )
        return [(b, i, s) for b, i, s in rows]


async def stored_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(StoredEvent)) or 0)


async def pending(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(PendingEvaluation)) or 0)


async def projections_settled(sessions: async_sessionmaker[AsyncSession]) -> bool:
    return await pending(sessions) == 0


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


PROJECTION_COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "enterprise_status": (
        EnterpriseStatus,
        ("uscc", "status", "dimensions", "assessment", "next_change_on", "as_of"),
    ),
    "list_entries": (
        ListEntryRow,
        ("uscc", "list_code", "dimension", "case_id", "start_on", "end_on", "explanation", "details"),
    ),
    "measures": (
        MeasureRow,
        (
            "key",
            "source_uscc",
            "uscc",
            "via_affiliate_of",
            "measure_code",
            "target_unit",
            "start_on",
            "end_on",
            "earliest_lift_on",
            "explanation",
        ),
    ),
    "price_instructions": (
        PriceInstructionRow,
        (
            "key",
            "uscc",
            "kind",
            "category",
            "surcharge_yuan_per_kwh",
            "case_id",
            "start_on",
            "end_on",
            "explanation",
        ),
    ),
    "case_status": (
        CaseStatusRow,
        ("case_id", "uscc", "bureau", "finding_type", "state", "status", "found_on", "deadline", "open"),
    ),
    "enterprises": (
        EnterpriseRow,
        ("uscc", "name", "town", "industrial_park", "industry", "first_found_on", "finding_count", "lines"),
    ),
}


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[str]]:
    """Every projection row (without timestamps of evaluation and surrogate ids), canonical and sorted."""
    out: dict[str, list[str]] = {}
    async with sessions() as session:
        for name, (model, columns) in PROJECTION_COLUMNS.items():
            rows = (await session.scalars(sa.select(model))).all()
            out[name] = sorted(_canonical([getattr(r, c) for c in columns]) for r in rows)
    return out


def projector(sessions: async_sessionmaker[AsyncSession]) -> Projector:
    return Projector(sessions, DistrictClock(CLOCK), load_policy())


async def rebuilt_snapshot(url: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The coordinator's projections as it left them, then after a clean rebuild from its event store
    (what ``python -m phaseout_coordinator rebuild`` does). The coordinator must be stopped."""
    async with sessions_for(url, COORDINATOR_MIGRATIONS) as sessions:
        live = await snapshot(sessions)
        await rebuild(sessions, projector(sessions), progress=lambda *_: None)
        return live, await snapshot(sessions)


def diff_summary(a: dict[str, list[str]], b: dict[str, list[str]]) -> str:
    lines = []
    for name in a:
        only_a, only_b = set(a[name]) - set(b[name]), set(b[name]) - set(a[name])
        if only_a or only_b:
            lines.append(
                f"{name}: {len(only_a)} rows only before, {len(only_b)} only after; e.g. {sorted(only_a)[:1]} / {sorted(only_b)[:1]}"
            )
    return "\n".join(lines) or "identical"


def coordinator_env(**extra: str) -> dict[str, str]:
    return {"PHASEOUT_CLOCK_DATE": CLOCK.isoformat(), **extra}


def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "platform"
    path.mkdir(exist_ok=True)
    return path


async def topic_records(bootstrap: str, topic: str, *, timeout_s: float = 30.0) -> list[Any]:
    """Every record now in ``topic``, read from the beginning of each partition without a consumer group."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            await consumer.force_metadata_update()  # type: ignore[no-untyped-call]
            partitions = [
                TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            if time.monotonic() > deadline:
                raise AssertionError(f"could not read {topic} to its end within {timeout_s} s")
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


class TcpProxy:
    """A TCP proxy the tests can cut (closing every connection and refusing new ones) and restore."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        # Cut means refused, so nobody may listen while it is cut: like the broker, it binds by number.
        self.port = unused_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, self.port)

    async def cut(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self._writers -= {writer, upstream_writer}


class CoordinatorProcess:
    """A coordinator process of its own (database, port, consumer group) beside a platform's bureaus, so that
    one load and one fault exercise a coordinator on SQLite and one on PostgreSQL side by side. The platform
    owns its port and checks its readiness like any of its services."""

    def __init__(self, platform: Platform, backend: str, database_url: str, bureaus: Sequence[str]) -> None:
        self.platform = platform
        self.backend = backend
        self.database_url = database_url
        self.name = f"coordinator-{backend}"
        platform.add(
            self.name,
            service="coordinator",
            env={
                "PHASEOUT_BUREAU_URLS": json.dumps({b: platform.url(b) for b in bureaus}),
                "PHASEOUT_DATABASE_URL": database_url,
                "PHASEOUT_CONSUMER_GROUP": f"phaseout-coordinator-{backend}",
                "PHASEOUT_CLOCK_DATE": CLOCK.isoformat(),
            },
        )
        self.log = platform.logs / f"{self.name}.log"

    @property
    def url(self) -> str:
        return self.platform.url(self.name)

    @property
    def process(self) -> Any:
        return self.platform.processes[self.name]

    def start(self) -> None:
        self.platform.start_service(self.name)

    async def wait_ready(self, timeout_s: float = 90.0) -> None:
        await self.platform.wait_ready((self.name,), timeout_s=timeout_s)

    def kill(self) -> None:
        self.platform.kill_service(self.name)

    def stop(self) -> None:
        process = self.platform.processes.pop(self.name, None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except Exception:
                process.kill()
                process.wait()


@asynccontextmanager
async def coordinators(platform: Platform, bureaus: Sequence[str]) -> AsyncIterator[list[CoordinatorProcess]]:
    """A coordinator on SQLite and one on PostgreSQL, both started and ready; stopped and dropped after."""
    from tests.conftest import create_pg_database, drop_pg_database

    pg_url = await create_pg_database("phaseout_chaos_coordinator")
    started = [
        CoordinatorProcess(
            platform, "sqlite", f"sqlite+aiosqlite:///{platform.data_dir / 'coordinator-sqlite'}.db", bureaus
        ),
        CoordinatorProcess(platform, "postgresql", pg_url, bureaus),
    ]
    try:
        for c in started:
            c.start()
        for c in started:
            await c.wait_ready()
        yield started
    finally:
        for c in started:
            c.stop()
        await drop_pg_database(pg_url)


def repaired_from_feeds(log_file: Path) -> int:
    """Events a coordinator read from the bureaus' feeds instead of the bus (from its JSON log)."""
    repaired = 0
    for line in log_file.read_text(errors="replace").splitlines():
        if "caught up from feed" in line:
            try:
                repaired += int(json.loads(line).get("events", 0))
            except ValueError:
                continue
    return repaired


def signed(envelope: EventEnvelope) -> EventEnvelope:
    """``envelope`` signed with its bureau's embedded/dev key, as the bureau's relay and feed sign it."""
    return Signer(dev_private_key(envelope.service)).sign(envelope)
