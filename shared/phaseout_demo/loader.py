"""Loads the demo data set through the bureaus' own REST APIs, so the demo exercises the real path."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx

from phaseout_demo.dataset import findings

MARKER = "demo-loaded"


async def load_demo(url_of: Callable[[str], str], data_dir: Path) -> str:
    marker = data_dir / MARKER
    if marker.exists():
        return f"already loaded ({marker.read_text().strip()}); `make reset` starts afresh"
    posted = 0
    async with httpx.AsyncClient(timeout=10.0) as client:

        async def post(bureau: str, body: dict[str, object]) -> None:
            nonlocal posted
            response = await client.post(
                f"{url_of(bureau)}/api/v1/findings",
                json=body,
                headers={"Authorization": f"Bearer demo-{bureau}-writer"},
            )
            if response.status_code not in (200, 201):
                raise RuntimeError(
                    f"demo finding rejected by {bureau}: {response.status_code} {response.text}"
                )
            posted += 1

        await asyncio.gather(*(post(f.bureau, f.body) for f in findings()))
    summary = f"{posted} findings posted to the five bureaus"
    marker.write_text(summary + "\n")
    return summary
