"""The load generator: a raw HTTP/1.1 keep-alive client on uvloop + httptools, in its own process.

Why not wrk or httpx: wrk cannot pace requests at a fixed rate (that is wrk2, not in Debian) nor say when each
request completed, which the freshness measurement needs; httpx costs ~10x more CPU per request than the
server under test. This client pre-encodes every request and parses responses with httptools (the parser
uvicorn uses), so it costs a few tens of µs per request; its own ceiling is measured against a null server.

Modes (JSON job on stdin, JSON result on stdout):
- ``closed``: ``concurrency`` connections per target, each sending its next request when the last answered;
- ``open``: a fixed total ``rate`` spread evenly over the targets; each request is due at its slot and its
  latency counts from that slot (no coordinated omission); connections are opened on demand.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httptools
import uvloop


@dataclass
class Target:
    host: str
    port: int
    path: str
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # may contain __USCC__ and __N__
    usccs: list[str] = field(default_factory=list)
    name: str = ""

    def request(self, n: int) -> tuple[bytes, str | None]:
        uscc = self.usccs[n % len(self.usccs)] if self.usccs else None
        body = b""
        if self.body is not None:
            text = self.body.replace("__N__", str(n))
            if uscc:
                text = text.replace("__USCC__", uscc)
            body = text.encode()
        head = [f"{self.method} {self.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body, uscc


class Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionError("closed"))

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def send(self, payload: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(payload)
        return await self.waiter


async def connect(t: Target) -> Connection:
    loop = asyncio.get_running_loop()
    _transport, protocol = await loop.create_connection(Connection, t.host, t.port)
    return protocol


class Recorder:
    def __init__(self, record: bool) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        # (uscc, wall time of the response, target, HTTP status)
        self.done: list[tuple[str | None, float, int, int]] = []
        self.record = record
        self.errors: Counter[str] = Counter()

    def add(self, latency: float, status: int, uscc: str | None, target: int) -> None:
        self.latencies.append(latency)
        self.statuses[str(status)] += 1
        if self.record:
            self.done.append((uscc, time.time(), target, status))


async def closed_loop(
    targets: list[Target], concurrency: int, duration: float, warmup: float, rec: Recorder
) -> float:
    counter = 0
    stop_at = time.perf_counter() + warmup + duration
    measure_from = time.perf_counter() + warmup

    async def worker(i: int, t: Target) -> None:
        nonlocal counter
        conn = await connect(t)
        while time.perf_counter() < stop_at:
            counter += 1
            payload, uscc = t.request(counter)
            started = time.perf_counter()
            try:
                status = await conn.send(payload)
            except Exception as exc:
                rec.errors[type(exc).__name__] += 1
                conn = await connect(t)
                continue
            if started >= measure_from:
                rec.add(time.perf_counter() - started, status, uscc, i)

    await asyncio.gather(*(worker(i, t) for i, t in enumerate(targets) for _ in range(concurrency)))
    return duration


async def open_loop(
    targets: list[Target], rate: float, duration: float, max_conns: int, rec: Recorder
) -> float:
    idle: list[list[Connection]] = [[] for _ in targets]
    opened = [0] * len(targets)
    pending: set[asyncio.Task[None]] = set()
    waiting_for_conn: list[int] = [0]

    async def one(n: int, i: int, due: float) -> None:
        t = targets[i]
        conn = None
        while conn is None:
            pool = idle[i]
            while pool and pool[-1].closed:
                pool.pop()
            if pool:
                conn = pool.pop()
            elif opened[i] < max_conns:
                opened[i] += 1
                try:
                    conn = await connect(t)
                except OSError as exc:
                    opened[i] -= 1
                    rec.errors[type(exc).__name__] += 1
                    return
            else:
                waiting_for_conn[0] += 1
                await asyncio.sleep(0.001)
        payload, uscc = t.request(n)
        try:
            status = await conn.send(payload)
        except Exception as exc:
            rec.errors[type(exc).__name__] += 1
            opened[i] -= 1
            return
        rec.add(time.perf_counter() - due, status, uscc, i)
        idle[i].append(conn)

    start = time.perf_counter() + 0.05
    interval = 1.0 / rate
    total = int(rate * duration)
    for n in range(total):
        due = start + n * interval
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(n, n % len(targets), due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    sent_for = time.perf_counter() - start
    if pending:
        await asyncio.wait(pending, timeout=30)
    rec.errors["late_dispatch_s"] = round(max(0.0, sent_for - duration), 3)  # type: ignore[assignment]
    return duration


def run(job: dict[str, Any]) -> dict[str, Any]:
    targets = [Target(**t) for t in job["targets"]]
    rec = Recorder(job.get("record", False))
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    if job["mode"] == "closed":
        duration = asyncio.run(
            closed_loop(targets, job["concurrency"], job["duration"], job.get("warmup", 1.0), rec)
        )
        wall = duration
    else:
        duration = asyncio.run(
            open_loop(targets, job["rate"], job["duration"], job.get("max_conns", 64), rec)
        )
        wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    lat = sorted(rec.latencies)

    def q(p: float) -> float:
        return round(1000 * lat[min(len(lat) - 1, int(p / 100 * (len(lat) - 1)))], 2) if lat else float("nan")

    ok = sum(n for s, n in rec.statuses.items() if s.startswith("2"))
    return {
        "requests": len(lat),
        "ok": ok,
        "rate": round(len(lat) / duration, 1),
        "ok_rate": round(ok / duration, 1),
        "p50_ms": q(50),
        "p90_ms": q(90),
        "p99_ms": q(99),
        "max_ms": round(1000 * lat[-1], 2) if lat else float("nan"),
        "statuses": dict(rec.statuses),
        "errors": dict(rec.errors),
        "client_cpu_pct": round(100 * cpu / max(wall, 1e-9), 1),
        "done": rec.done if rec.record else [],
    }


def main() -> None:
    uvloop.install()
    job = json.loads(sys.stdin.read())
    result = run(job)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
