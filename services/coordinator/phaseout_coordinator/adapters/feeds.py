"""HTTP client for the bureaus' ordered event feeds (``GET /api/v1/events?after=SEQ``)."""

from __future__ import annotations

import httpx

from phaseout_kit.events.envelope import EventEnvelope


class BureauFeeds:
    def __init__(
        self,
        urls: dict[str, str],
        token: str,
        timeout_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._urls = urls
        self._client = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=timeout_s, transport=transport
        )

    def knows(self, bureau: str) -> bool:
        return bureau in self._urls

    async def read(self, bureau: str, *, after: int, limit: int = 500) -> tuple[list[EventEnvelope], int]:
        """Events after ``after`` and the bureau's last sequence number."""
        response = await self._client.get(
            f"{self._urls[bureau]}/api/v1/events", params={"after": after, "limit": limit}
        )
        response.raise_for_status()
        body = response.json()
        return [EventEnvelope.from_json(doc) for doc in body["events"]], int(body["last_sequence"])

    async def close(self) -> None:
        await self._client.aclose()
