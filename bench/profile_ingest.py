"""Profiles the ingest path under load: the platform on PostgreSQL, the five bureaus driven at a fixed rate,
``py-spy record`` on one bureau and on the coordinator at the same time (bench/results/profiles/*.txt), then
prints the function-level summary. ``python -m bench.profile_ingest [--rate 60] [--seconds 20]``."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
from pathlib import Path

from bench.run import PY, RESULTS, PgPlatform, bureau_targets, loadgen, log, usccs, wait_caught_up


async def main(rate: float, seconds: float) -> None:
    out = RESULTS / "profiles"
    out.mkdir(parents=True, exist_ok=True)
    spy = str(Path(PY).parent / "py-spy")
    async with PgPlatform() as pg:
        await loadgen(
            {
                "mode": "open",
                "rate": 10,
                "duration": 2,
                "targets": bureau_targets(pg.ports, usccs(70_000_000, 30)),
            }
        )
        await wait_caught_up(pg, 60)
        procs = pg.procs()
        spies = [
            subprocess.Popen(  # noqa: ASYNC220 (py-spy runs alongside the load)
                [
                    spy,
                    "record",
                    "-r",
                    "100",
                    "-f",
                    "raw",
                    "-d",
                    str(int(seconds)),
                    "-p",
                    str(procs[name]),
                    "-o",
                    str(out / f"ingest-{name}.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name in ("energy", "coordinator")
        ]
        result = await loadgen(
            {
                "mode": "open",
                "rate": rate,
                "duration": seconds,
                "targets": bureau_targets(pg.ports, usccs(71_000_000, 5000)),
            }
        )
        for s in spies:
            s.wait()
        log(f"load: { ({k: result[k] for k in ('ok_rate', 'p50_ms', 'p99_ms', 'statuses')}) }")
        log(f"caught up (ingest, projection): {await wait_caught_up(pg, 120)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=60)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds))
