"""Ports that belong to whoever chose them: the one helper the launcher, the tests and the benchmarks use.

The old ``free_port()`` bound port 0, closed the socket and returned the number. Between that close and the
service's own bind the port belonged to nobody: two calls could return the same number, the second service
then failed to bind, and the launcher took the first service's ``/readyz`` for the second's.

- **A service's port is a listening socket** that the parent binds (port 0: the kernel picks one) and keeps
  open for the service's whole life. The child serves the inherited descriptor (``PHASEOUT_LISTEN_FD``,
  uvicorn ``sockets=``). The kernel gives a bound port to no one else, so no two services can share one, and a
  service restarted by a test gets the same port back with no window in which another process could take it.
  Requests sent while it is down wait in the socket's backlog instead of being refused.
- **The Tansu broker binds its own listener** (it cannot take a descriptor). For it ``unused_port()`` picks a
  random port below the kernel's ephemeral range, so the port is never taken by an outgoing connection's
  local port, and never hands out the same number twice in one process. Whatever race remains is made loud,
  not silent: the broker is started with a cluster id of its own and is ready only when the broker that
  answers on the port reports that id (``events.broker.EmbeddedBroker``).
- **Readiness checks identity**: ``/readyz`` names the service and the instance that answers; a launcher
  accepts a service only when the one it started answers (``launcher.wait_ready``).
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"
# Below Linux's default ephemeral range (32768-60999), above the well-known and registered ports in use here.
_UNUSED_RANGE = (20_000, 32_000)
_issued: set[int] = set()


def listen(port: int = 0, host: str = LOOPBACK) -> socket.socket:
    """A listening TCP socket that a child process can inherit; raises ``OSError`` if the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT of an earlier run is no owner
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


def port_of(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def unused_port(host: str = LOOPBACK) -> int:
    """A port nobody listens on now, for a program that binds it itself (the broker); see the module note."""
    low, high = _UNUSED_RANGE
    ephemeral_low, _ = _ephemeral_range()
    high = min(high, ephemeral_low - 1)
    for _attempt in range(200):
        port = random.randint(low, high)
        if port in _issued:
            continue
        try:
            listen(port, host).close()
        except OSError:
            continue
        _issued.add(port)
        return port
    raise RuntimeError(f"no unused port found in {low}-{high}")
