"""Stopping background tasks reliably."""

from __future__ import annotations

import asyncio
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel a background task and wait until it has really ended.

    On Python 3.11 ``asyncio.wait_for`` can swallow a cancellation that arrives just as the awaited thing
    completes (CPython gh-86296): a service loop around such a wait then simply goes on, and a plain
    ``task.cancel(); await task`` waits forever — a service that never finishes shutting down. So cancel
    again until the task is done.
    """
    if task is None:
        return
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)
    if not task.cancelled():
        task.exception()  # retrieved, so a failure that ended it is not reported as never retrieved
