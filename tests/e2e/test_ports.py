"""A port, once chosen for a service, is that service's; a service is ready only when the one started answers.

Before: ``free_port()`` closed its socket and returned the number, two services could be given one port, the
second failed to bind and the launcher took the first one's ``/readyz`` for the second's (a chaos test then
posted quality findings to the energy bureau). See ``phaseout_kit.ports``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from phaseout_kit.events.broker import EmbeddedBroker, die_with_parent
from phaseout_kit.ports import listen, port_of
from phaseout_platform.launcher import Platform, answered_ready
from tests.conftest import wait_until


async def test_two_services_told_the_same_port_fail_loudly_and_none_is_taken_for_the_other(
    tmp_path: Path,
) -> None:
    with listen() as probe:
        port = port_of(probe)  # a port that is free once the probe closes
    platform: Platform | None = None
    with pytest.raises(OSError, match=f"quality.*{port}|{port}.*quality"):
        platform = Platform(tmp_path, 0, {"energy": port, "quality": port}, services=("energy", "quality"))
        await platform.start(timeout_s=60)
    assert platform is None  # refused before any process was started
    with listen(port):
        pass  # and the energy bureau's socket was released with it


async def test_readiness_is_the_started_process_answering_not_whoever_holds_the_port(tmp_path: Path) -> None:
    """A quality bureau told the energy bureau's port, binding it itself as under Compose: the launcher's
    readiness check names the energy bureau that answers there and fails, instead of taking it for ready."""
    platform = Platform(tmp_path, 0, {}, services=("energy",))
    log = tmp_path / "quality.log"
    try:
        await platform.start(timeout_s=60)
        impostor = subprocess.Popen(  # noqa: ASYNC220 (a long-lived child, not awaited)
            [sys.executable, "-m", "phaseout_quality"],
            env={
                **platform.env_for("energy"),
                "PHASEOUT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'quality.db'}",
                "PHASEOUT_INSTANCE_ID": "quality-1",
            },
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        platform.processes["quality-impostor"] = impostor  # stopped with the platform
        async with httpx.AsyncClient(timeout=2.0) as client:
            answer = (await client.get(f"{platform.url('energy')}/readyz")).json()
            assert (answer["service"], answer["instance"]) == ("energy", platform.instances["energy"])

            async def quality_ready() -> bool:
                return await answered_ready(
                    client,
                    platform.url("energy"),
                    service="quality",
                    instance="quality-1",
                    process=impostor,
                    log=log,
                )

            with pytest.raises(
                RuntimeError, match=r"answered by another process \(energy.*not by the quality"
            ):
                await wait_until(quality_ready, timeout_s=30)
        # the impostor itself could not bind, and says why
        await wait_until(lambda: impostor.poll() is not None, timeout_s=30, message="the impostor exits")
        assert impostor.returncode != 0
        assert "address already in use" in log.read_text().lower()
    finally:
        platform.stop()


async def test_a_broker_that_could_not_bind_is_not_taken_for_the_one_holding_its_port(tmp_path: Path) -> None:
    first = await EmbeddedBroker(log_file=tmp_path / "first.log").started()
    second = EmbeddedBroker(first.port, log_file=tmp_path / "second.log")
    try:
        second.start()
        with pytest.raises(RuntimeError, match=r"another broker \(cluster 'phaseout-|not running"):
            await second.wait_ready(timeout_s=20)
        await first.wait_ready(timeout_s=5)  # the first one is still the one there
    finally:
        second.kill()
        first.kill()
