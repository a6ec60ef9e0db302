"""Experiment behind a proposed change: the services' pool (``make_engine``: pool_size=10, max_overflow=10)
under more concurrent requests than pooled connections, against the same pool without overflow.
``python -m bench.pool_experiment [--seconds 5] [--concurrency 32]``."""

from __future__ import annotations

import argparse
import asyncio
import subprocess

from bench.common import create_db, drop_db
from bench.run import PY, ROOT, ceiling_body, loadgen, stop_process, usccs, wait_http
from phaseout_kit.ports import unused_port


async def main(seconds: float, concurrency: int) -> None:
    ids = usccs(80_000_000, 2000)
    for label, extra in (
        ("make_engine (10 + 10 overflow)", []),
        ("pool 10, no overflow", ["--max-overflow", "0"]),
    ):
        url = await create_db("pool")
        port = unused_port()
        app = subprocess.Popen(  # noqa: ASYNC220 (a long-lived child, not awaited)
            [PY, "-m", "bench.ceiling_app", "--port", str(port), "--database-url", url, *extra], cwd=ROOT
        )
        try:
            await wait_http(f"http://127.0.0.1:{port}/livez")
            target = {
                "host": "127.0.0.1",
                "port": port,
                "path": "/items-db",
                "body": ceiling_body(),
                "usccs": ids,
            }
            for c in (8, concurrency):
                job = {
                    "mode": "closed",
                    "concurrency": c,
                    "duration": seconds,
                    "warmup": 1.0,
                    "targets": [target],
                }
                r = await loadgen(job)
                print(
                    f"{label:32s} concurrency {c:3d}: {r['ok_rate']:7.0f} req/s, p99 {r['p99_ms']} ms",
                    flush=True,
                )
        finally:
            stop_process(app)
            await drop_db(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.concurrency))
