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
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import httpx

from phaseout_kit.auth import DEMO_TOKENS, Role
from phaseout_kit.clock import DistrictClock
from phaseout_kit.events.broker import EmbeddedBroker, die_with_parent
from phaseout_kit.ports import LOOPBACK, listen, port_of
from phaseout_kit.registry import (
    BUREAUS,
    COORDINATOR,
    SERVICE_PORTS,
    SERVICES,
    unit_name,
)
from phaseout_kit.settings import EMBEDDED_BROKER_PORT
from phaseout_platform.admin import create_token, department_unit, revoke_tokens, signing_keys_env


class Platform:
    """The broker and the services as child processes, each service on a port the platform owns.

    Ports: the platform binds every service's listening socket itself (``phaseout_kit.ports.listen``; port 0
    lets the kernel choose) and keeps it for its whole life; each service process serves the inherited
    descriptor. So two services can never be given one port, a busy fixed port fails here, loudly, before
    anything starts, and a service restarted by a test gets its port back. Readiness: a service counts as
    ready only when ``/readyz`` is answered by the very process started (service code and instance id).
    """

    def __init__(
        self,
        data_dir: Path,
        broker_port: int,
        ports: Mapping[str, int],
        *,
        services: tuple[str, ...] = SERVICES,
        env: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.logs = data_dir / "logs"
        self.broker = EmbeddedBroker(broker_port, log_file=self.logs / "broker.log")
        self.services = services
        self.env = env or {}
        self.modules: dict[str, str] = {s: f"phaseout_{s}" for s in services}
        self.listeners: dict[str, socket.socket] = {}
        self.ports: dict[str, int] = {}
        self.instances: dict[str, str] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for service in services:
                self._bind(service, ports.get(service, 0))
        except OSError:
            self.close_listeners()
            raise

    def _bind(self, name: str, port: int) -> None:
        try:
            self.listeners[name] = listen(port)
        except OSError as exc:
            raise OSError(
                exc.errno, f"{name}: {exc.strerror} (is another Phaseout platform running?)"
            ) from exc
        self.ports[name] = port_of(self.listeners[name])

    def add(self, name: str, *, service: str, env: dict[str, str]) -> None:
        """Another process beside the platform's (e.g. a second coordinator), on a port of its own."""
        self.modules[name] = f"phaseout_{service}"
        self.env[name] = env
        self._bind(name, 0)

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap

    @property
    def broker_port(self) -> int:
        return self.broker.port

    def url(self, service: str) -> str:
        return f"http://{LOOPBACK}:{self.ports[service]}"

    def service_of(self, name: str) -> str:
        return self.modules[name].removeprefix("phaseout_")

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
            **({"PHASEOUT_COORDINATOR_URL": self.url("coordinator")} if "coordinator" in self.ports else {}),
            **self.env.get(service, {}),
        }

    def start_broker(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes["broker"] = self.broker.start()

    def kill_broker(self) -> None:
        """Fault injection: the memory broker dies and loses every topic and offset."""
        self.processes.pop("broker", None)
        self.broker.kill()

    def start_service(self, service: str) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{service}.log", "ab")
        fd = self.listeners[service].fileno()
        self.instances[service] = secrets.token_hex(8)
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", self.modules[service]],
            env={
                **self.env_for(service),
                "PHASEOUT_LISTEN_FD": str(fd),
                "PHASEOUT_INSTANCE_ID": self.instances[service],
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(fd,),
            preexec_fn=die_with_parent,
        )

    def kill_service(self, service: str) -> None:
        """Fault injection: ``kill -9``; the port stays the platform's, so a restart gets it back."""
        process = self.processes.pop(service)
        process.kill()
        process.wait()

    async def start(self, *, timeout_s: float = 60.0) -> None:
        self.start_broker()
        await self.broker.wait_ready()
        for service in self.services:
            self.start_service(service)
        await self.wait_ready(self.services, timeout_s=timeout_s)

    async def wait_ready(self, services: tuple[str, ...], *, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        pending = set(services)
        async with httpx.AsyncClient(timeout=2.0) as client:
            while pending:
                for name in sorted(pending):
                    if await answered_ready(
                        client,
                        self.url(name),
                        service=self.service_of(name),
                        instance=self.instances[name],
                        process=self.processes[name],
                        log=self.logs / f"{name}.log",
                    ):
                        pending.discard(name)
                if pending and time.monotonic() > deadline:
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
        self.broker.process = None
        self.close_listeners()

    def close_listeners(self) -> None:
        for sock in self.listeners.values():
            sock.close()


async def answered_ready(
    client: httpx.AsyncClient,
    url: str,
    *,
    service: str,
    instance: str | None,
    process: subprocess.Popen[bytes],
    log: Path,
) -> bool:
    """Whether ``process`` (service ``service``, instance ``instance``) answers ``/readyz`` at ``url`` as
    ready. Raises if the process has exited, or if another process answers there: never mistaken for ready."""
    if process.poll() is not None:
        raise RuntimeError(f"{service} exited with {process.returncode}; see {log}")
    try:
        response = await client.get(f"{url}/readyz")
    except httpx.HTTPError:
        return False
    try:
        body = response.json()
    except ValueError:
        body = None
    answered = (body.get("service"), body.get("instance")) if isinstance(body, dict) else (None, None)
    if answered[0] != service or (instance is not None and answered[1] != instance):
        raise RuntimeError(
            f"{url} is answered by another process ({answered[0] or 'not a Phaseout service'}, instance "
            f"{answered[1]}), not by the {service} service started (instance {instance}); see {log}"
        )
    return response.status_code == 200 and body.get("ready") is True


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
            f"{' / ' + unit_name(p.department) if p.department else ''}"
            for token, p in DEMO_TOKENS.items()
        ),
        "",
        f"  数据 data: {platform.data_dir}   日志 logs: {platform.logs}",
        f"  演示数据 demo: {demo_summary}",
        f"  平台日期 today: {_business_date(platform)}",
        "  按 Ctrl-C 停止 (stops everything)",
        "",
    ]
    print("\n".join(lines), flush=True)


def shared_clock(data_dir: Path, today: date | None) -> dict[str, dict[str, str]]:
    """One clock file for all six services, set to ``today`` (None: the real date); the environment that points
    each service at it. PUT /api/v1/clock on the coordinator then moves the date for all of them together."""
    data_dir.mkdir(parents=True, exist_ok=True)
    clock_file = data_dir / "clock.json"
    DistrictClock(shared_file=clock_file).set(today)
    return {s: {"PHASEOUT_CLOCK_FILE": str(clock_file)} for s in SERVICES}


def _business_date(platform: Platform) -> str:
    file = platform.env.get(COORDINATOR, {}).get("PHASEOUT_CLOCK_FILE")
    clock = DistrictClock(shared_file=Path(file)) if file else DistrictClock()
    return (
        f"{clock.today()}（演示日期，六个服务共用 fixed for all six）"
        if clock.is_fixed
        else "真实日期 real date"
    )


async def _run(data_dir: Path, *, demo: bool) -> None:
    from phaseout_demo.loader import DEMO_TODAY, load_demo  # only `run` needs the demo package
    from phaseout_policy import load_policy  # the command line is a composition root too

    # The demo tells the story of the 2020 plan year, so the business date is fixed in it; without the demo the
    # platform follows the real date.
    clock = shared_clock(data_dir, DEMO_TODAY if demo else None)
    try:
        platform = Platform(data_dir, EMBEDDED_BROKER_PORT, dict(SERVICE_PORTS), env=clock)
    except OSError as exc:  # a fixed port is taken: say so, without a traceback
        raise SystemExit(f"phaseout: {exc.strerror}") from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        started = time.monotonic()
        await platform.start()
        summary = await load_demo(platform.url, data_dir, load_policy()) if demo else "skipped (--no-demo)"
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="phaseout", description="落后产能退出协同平台")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the whole platform on embedded defaults with demo data")
    run.add_argument("--data-dir", default=os.environ.get("PHASEOUT_DATA_DIR", "var"))
    run.add_argument("--reset", action="store_true", help="delete the data folder first")
    run.add_argument("--no-demo", action="store_true", help="do not load the demo data set")
    token = sub.add_parser(
        "token",
        help="issue an API token into a service's database (prints it once), or `token revoke` one",
    )
    token.add_argument(
        "action", nargs="?", choices=["issue", "revoke"], default="issue", help="issue (default) or revoke"
    )
    token.add_argument("--database-url", required=True, help="the service's PHASEOUT_DATABASE_URL")
    token.add_argument(
        "--actor",
        help="who acts with it, e.g. the name of a bureau's enforcement system (revoke: all its tokens)",
    )
    token.add_argument("--token", help="revoke: the token itself (as it was printed)")
    token.add_argument("--role", choices=[r.value for r in Role])
    token.add_argument("--bureau", choices=BUREAUS)
    token.add_argument(
        "--department",
        help="role department: the unit it answers for (registry code or a name the plan uses)",
    )
    token.add_argument("--days", type=int, default=0, help="expires after this many days (0: never)")
    sub.add_parser(
        "keys", help="make a signing key per service and the coordinator's PHASEOUT_BUREAU_KEYS (.env lines)"
    )
    args = parser.parse_args()
    if args.command == "keys":
        print(signing_keys_env())
        return
    if args.command == "token" and args.action == "revoke":
        if bool(args.token) == bool(args.actor):
            parser.error("token revoke needs either --token or --actor")
        revoked = asyncio.run(revoke_tokens(args.database_url, token=args.token, actor=args.actor))
        print(f"revoked {revoked} token(s); services stop accepting them within 10 s")
        return
    if args.command == "token":
        if not args.actor or not args.role:
            parser.error("issuing a token needs --actor and --role")
        # A bureau or department token without its scope would be scoped to nothing, and read as everyone's.
        if (args.role == Role.BUREAU.value) != bool(args.bureau):
            parser.error(
                "--role bureau needs --bureau (the bureau it writes for)"
                if args.role == Role.BUREAU.value
                else "--bureau is for --role bureau only"
            )
        args.department = department_unit(parser, args.role, args.department)
        print(asyncio.run(create_token(args)))
        return
    data_dir = Path(args.data_dir).resolve()
    if args.reset and data_dir.exists():
        shutil.rmtree(data_dir)
    asyncio.run(_run(data_dir, demo=not args.no_demo))


if __name__ == "__main__":
    main()
