"""``phaseout run``: the whole platform on embedded defaults — Tansu broker, six services, demo data.

A small supervisor rather than honcho, because it must also wait for readiness, load the demo through the
bureaus' REST APIs, and guarantee no orphans: every child gets PR_SET_PDEATHSIG, so even a ``kill -9`` of
the launcher takes the platform down with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx

from phaseout_kit.auth import DEMO_TOKENS, Role
from phaseout_kit.db import utcnow
from phaseout_kit.events.broker import die_with_parent, port_in_use, start_embedded_broker, wait_for_broker
from phaseout_kit.settings import BUREAUS, EMBEDDED_BROKER_PORT, SERVICE_PORTS, ServiceSettings

SERVICES = ("coordinator", *BUREAUS)


class Platform:
    def __init__(
        self,
        data_dir: Path,
        broker_port: int,
        ports: dict[str, int],
        *,
        services: tuple[str, ...] = SERVICES,
        env: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.broker_port = broker_port
        self.ports = ports
        self.services = services
        self.env = env or {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.logs = data_dir / "logs"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def env_for(self, service: str) -> dict[str, str]:
        return {
            **os.environ,
            "PHASEOUT_PROFILE": "embedded",
            "PHASEOUT_DATA_DIR": str(self.data_dir),
            "PHASEOUT_PORT": str(self.ports[service]),
            "PHASEOUT_KAFKA_BOOTSTRAP": self.bootstrap,
            "PHASEOUT_BUREAU_URLS": "{"
            + ",".join(f'"{b}": "{self.url(b)}"' for b in BUREAUS if b in self.ports)
            + "}",
            **self.env.get(service, {}),
        }

    def start_broker(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes["broker"] = start_embedded_broker(
            self.broker_port, log_file=str(self.logs / "broker.log")
        )

    def kill_broker(self) -> None:
        """Fault injection: the memory broker dies and loses every topic and offset."""
        broker = self.processes.pop("broker")
        broker.kill()
        broker.wait()

    def start_service(self, service: str) -> None:
        log = open(self.logs / f"{service}.log", "ab")
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", f"phaseout_{service}"],
            env=self.env_for(service),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )

    async def start(self, *, timeout_s: float = 60.0) -> None:
        busy = [f"{s}:{self.ports[s]}" for s in self.services if port_in_use(self.ports[s])]
        if busy:
            raise RuntimeError(
                f"ports already in use ({', '.join(busy)}): is another Phaseout platform running?"
            )
        self.start_broker()
        await wait_for_broker(self.bootstrap)
        for service in self.services:
            self.start_service(service)
        await self.wait_ready(self.services, timeout_s=timeout_s)

    async def wait_ready(self, services: tuple[str, ...], *, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        pending = set(services)
        async with httpx.AsyncClient(timeout=2.0) as client:
            while pending:
                for service in sorted(pending):
                    process = self.processes[service]
                    if process.poll() is not None:
                        raise RuntimeError(
                            f"{service} exited with {process.returncode}; see {self.logs}/{service}.log"
                        )
                    try:
                        if (await client.get(f"{self.url(service)}/readyz")).status_code == 200:
                            pending.discard(service)
                    except httpx.HTTPError:
                        pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"not ready after {timeout_s} s: {', '.join(sorted(pending))}")
                await asyncio.sleep(0.1)

    def stop(self, timeout_s: float = 10.0) -> None:
        for name, process in reversed(self.processes.items()):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM if name != "broker" else signal.SIGKILL)
        deadline = time.monotonic() + timeout_s
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


def _print_banner(platform: Platform, demo_summary: str) -> None:
    lines = [
        "",
        "落后产能退出协同平台 Phaseout — 已启动 (embedded profile)",
        f"  消息总线 Kafka (Tansu)   {platform.bootstrap}",
        f"  协调中心 coordinator     {platform.url('coordinator')}/docs",
        *(f"  {b:<12} 委办局接口     {platform.url(b)}/docs" for b in BUREAUS),
        "",
        "  认证 Authentication: header `Authorization: Bearer <token>`; demo tokens:",
        *(
            f"    {token:<24} {p.role.value}{' / ' + p.bureau if p.bureau else ''}"
            for token, p in DEMO_TOKENS.items()
        ),
        "",
        f"  数据 data: {platform.data_dir}   日志 logs: {platform.logs}",
        f"  演示数据 demo: {demo_summary}",
        f"  平台日期 today: {platform.env.get('coordinator', {}).get('PHASEOUT_CLOCK_DATE', '真实日期 real date')}",
        "  按 Ctrl-C 停止 (stops everything)",
        "",
    ]
    print("\n".join(lines), flush=True)


async def _run(data_dir: Path, *, demo: bool) -> None:
    from phaseout_demo.loader import DEMO_TODAY, load_demo  # only `run` needs the demo package

    # The demo tells the story of the 2020 plan year, so the coordinator's "today" is fixed in it (change it
    # with PUT /api/v1/clock); without the demo the platform follows the real date.
    clock = {"coordinator": {"PHASEOUT_CLOCK_DATE": DEMO_TODAY.isoformat()}} if demo else {}
    platform = Platform(data_dir, EMBEDDED_BROKER_PORT, dict(SERVICE_PORTS), env=clock)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        started = time.monotonic()
        await platform.start()
        summary = await load_demo(platform.url, data_dir) if demo else "skipped (--no-demo)"
        print(f"ready in {time.monotonic() - started:.1f} s", flush=True)
        _print_banner(platform, summary)
        while not stop.is_set():
            for name, process in platform.processes.items():
                if process.poll() is not None:
                    print(
                        f"{name} exited with {process.returncode}; stopping (see {platform.logs}/{name}.log)"
                    )
                    stop.set()
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                pass
    finally:
        print("stopping…", flush=True)
        platform.stop()


async def _create_token(args: argparse.Namespace) -> str:
    """Issue a token into one service's database; only its hash is stored, so it is shown once."""
    from phaseout_kit.auth import add_token
    from phaseout_kit.db import make_engine, make_session_factory

    settings = ServiceSettings(service="cli")
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=args.days) if args.days else None
    engine = make_engine(args.database_url)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            await add_token(
                session,
                token,
                settings.token_pepper,
                actor=args.actor,
                role=Role(args.role),
                bureau=args.bureau,
                department=args.department,
                expires_at=expires,
            )
    finally:
        await engine.dispose()
    return token


def main() -> None:
    parser = argparse.ArgumentParser(prog="phaseout", description="落后产能退出协同平台")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the whole platform on embedded defaults with demo data")
    run.add_argument("--data-dir", default=os.environ.get("PHASEOUT_DATA_DIR", "var"))
    run.add_argument("--reset", action="store_true", help="delete the data folder first")
    run.add_argument("--no-demo", action="store_true", help="do not load the demo data set")
    token = sub.add_parser("token", help="issue an API token into a service's database (prints it once)")
    token.add_argument("--database-url", required=True, help="the service's PHASEOUT_DATABASE_URL")
    token.add_argument("--actor", required=True, help="who acts with it, e.g. 区生态环境局执法系统")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--bureau", choices=BUREAUS)
    token.add_argument("--department")
    token.add_argument("--days", type=int, default=0, help="expires after this many days (0: never)")
    args = parser.parse_args()
    if args.command == "token":
        print(asyncio.run(_create_token(args)))
        return
    data_dir = Path(args.data_dir).resolve()
    if args.reset and data_dir.exists():
        shutil.rmtree(data_dir)
    asyncio.run(_run(data_dir, demo=not args.no_demo))


if __name__ == "__main__":
    main()
