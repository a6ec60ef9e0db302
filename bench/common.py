"""Shared helpers of the benchmark: PostgreSQL scratch databases, percentiles, process sampling (/proc)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from tests.scratch_db import create_database, drop_database, drop_databases

POSTGRES_URL = os.environ.get(
    "PHASEOUT_BENCH_POSTGRES_URL",
    os.environ.get("PHASEOUT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
)
DB_PREFIX = "phaseout_bench_"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


async def create_db(name: str) -> str:
    """A fresh database ``phaseout_bench_<name>_<random>``; returns its SQLAlchemy URL."""
    return await create_database(POSTGRES_URL, f"{DB_PREFIX}{name}")


async def drop_db(url: str) -> None:
    assert url.rsplit("/", 1)[1].startswith(DB_PREFIX), url
    await drop_database(POSTGRES_URL, url)


async def drop_stale_dbs() -> list[str]:
    """Drop databases left by an interrupted benchmark run (only ``phaseout_bench_*``)."""
    return await drop_databases(POSTGRES_URL, DB_PREFIX.rstrip("_"))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": round(pct(ms, 50), 2),
        "p90_ms": round(pct(ms, 90), 2),
        "p99_ms": round(pct(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
    }


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# ---- processes (from /proc: no dependency) ---------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20


def pss_mb(pid: int) -> float:
    """Proportional set size: shared pages (the Python interpreter, libraries) counted once across processes."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss_mb(pid)


def children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            out += [int(c) for c in text]
    except OSError:
        pass
    return out


@dataclass
class ProcSample:
    name: str
    pid: int
    cpu_s: float
    rss_mb: float
    pss_mb: float


def sample(procs: dict[str, int]) -> dict[str, ProcSample]:
    out = {}
    for name, pid in procs.items():
        try:
            out[name] = ProcSample(name, pid, cpu_seconds(pid), rss_mb(pid), pss_mb(pid))
        except OSError:
            continue
    return out


class CpuMeter:
    """CPU % (of one core) and peak RSS of named processes between start() and stop()."""

    def __init__(self, procs: dict[str, int]) -> None:
        self.procs = procs
        self.t0 = 0.0
        self.first: dict[str, ProcSample] = {}
        self.peak_rss: dict[str, float] = {}

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.first = sample(self.procs)
        self.peak_rss = {n: s.rss_mb for n, s in self.first.items()}

    def poll(self) -> None:
        for n, s in sample(self.procs).items():
            self.peak_rss[n] = max(self.peak_rss.get(n, 0.0), s.rss_mb)

    def stop(self) -> dict[str, dict[str, float]]:
        elapsed = time.monotonic() - self.t0
        last = sample(self.procs)
        out = {}
        for n, s in last.items():
            if n not in self.first:
                continue
            out[n] = {
                "cpu_pct": round(100 * (s.cpu_s - self.first[n].cpu_s) / elapsed, 1),
                "rss_mb": round(s.rss_mb, 1),
                "pss_mb": round(s.pss_mb, 1),
                "peak_rss_mb": round(max(self.peak_rss.get(n, 0.0), s.rss_mb), 1),
            }
        return out


def system_cpu_busy() -> tuple[float, float]:
    """(busy jiffies, total jiffies) of the whole machine, for machine-wide CPU use."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)
