"""CloudEvents 1.0 in Kafka binary content mode, through the official ``cloudevents`` SDK.

Attributes travel as ``ce_*`` headers, ``datacontenttype`` as ``content-type`` (the Kafka binding's rule),
the data as JSON in the value. ``subject`` and the message key are the enterprise's USCC, so one
enterprise's events stay in order within a bureau's topic. ``sequence`` (the CloudEvents Sequence
extension) numbers a source's events without gaps so a consumer can see a missing one. ``signature`` and
``keyid`` (extensions) prove the source signed it (``phaseout_kit.events.signing``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from phaseout_kit.clock import utcnow

TYPE_PREFIX = "cn.gov.fuling.phaseout"
CONTENT_TYPE = "application/json"
_FORMAT = JSONFormat()
_REQUIRED_HEADERS = (
    "ce_id",
    "ce_source",
    "ce_type",
    "ce_specversion",
    "ce_subject",
    "ce_sequence",
    "ce_time",
)


class PoisonMessage(ValueError):
    """A message that can never be processed; it goes to the dead-letter topic with this reason."""


def event_type(service: str, entity: str, verb: str) -> str:
    return f"{TYPE_PREFIX}.{service}.{entity}.{verb}"


def source_uri(service: str) -> str:
    return f"/phaseout/{service}"


@dataclass(frozen=True)
class EventEnvelope:
    source: str
    type: str
    subject: str
    sequence: int
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=utcnow)
    signature: str | None = None  # base64 Ed25519 signature of the canonical form (signing.canonical)
    keyid: str | None = None  # which of the source's keys signed it

    def _proof(self) -> dict[str, str]:
        return {"signature": self.signature, "keyid": self.keyid} if self.signature and self.keyid else {}

    @property
    def service(self) -> str:
        return self.source.rsplit("/", 1)[-1]

    def to_kafka(self) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        """Key, value and headers for aiokafka's ``send``."""
        ce = CloudEvent(
            attributes={
                "id": self.id,
                "source": self.source,
                "type": self.type,
                "subject": self.subject,
                "time": self.time,
                "datacontenttype": CONTENT_TYPE,
                "sequence": str(self.sequence),
                **self._proof(),
            },
            data=self.data,
        )
        message = to_binary(ce, _FORMAT, key_mapper=lambda _e: self.subject)
        key = message.key.encode() if isinstance(message.key, str) else (message.key or b"")
        return key, message.value, list(message.headers.items())

    @classmethod
    def from_kafka(
        cls, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> EventEnvelope:
        """Parse a received record or raise PoisonMessage saying why it can never be processed."""
        header_map = {name.lower(): raw for name, raw in headers}
        missing = [h for h in _REQUIRED_HEADERS if h not in header_map]
        if missing:
            raise PoisonMessage(f"malformed envelope: missing headers {', '.join(missing)}")
        try:
            ce = from_binary(
                KafkaMessage(headers=header_map, key=key, value=value or b""), _FORMAT, CloudEvent
            )
        except Exception as exc:  # the SDK raises several types for bad input
            raise PoisonMessage(f"malformed envelope: {exc}") from exc
        attrs = ce.get_attributes()
        if attrs.get("specversion") != "1.0":
            raise PoisonMessage(f"unsupported specversion {attrs.get('specversion')!r}")
        data = ce.get_data()
        if isinstance(data, bytes | str):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise PoisonMessage(f"data is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise PoisonMessage("data must be a JSON object")
        try:
            sequence = int(attrs["sequence"])
        except (TypeError, ValueError) as exc:
            raise PoisonMessage(f"sequence is not an integer: {attrs.get('sequence')!r}") from exc
        subject = str(attrs["subject"])
        if key is not None and key.decode(errors="replace") != subject:
            raise PoisonMessage(f"wrong key: message key {key!r} differs from subject {subject!r}")
        time = attrs["time"]
        if not isinstance(time, datetime) or time.tzinfo is None:
            raise PoisonMessage("time must be an RFC 3339 timestamp with offset")
        return cls(
            id=str(attrs["id"]),
            source=str(attrs["source"]),
            type=str(attrs["type"]),
            subject=subject,
            sequence=sequence,
            data=data,
            time=time,
            signature=_text_or_none(attrs.get("signature")),
            keyid=_text_or_none(attrs.get("keyid")),
        )

    def as_json(self) -> dict[str, Any]:
        """The CloudEvents JSON (structured) form, used by the HTTP event feeds."""
        return {
            "specversion": "1.0",
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": CONTENT_TYPE,
            "sequence": str(self.sequence),
            **self._proof(),
            "data": self.data,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> EventEnvelope:
        return cls(
            id=doc["id"],
            source=doc["source"],
            type=doc["type"],
            subject=doc["subject"],
            sequence=int(doc["sequence"]),
            data=doc["data"],
            time=datetime.fromisoformat(doc["time"].replace("Z", "+00:00")),
            signature=_text_or_none(doc.get("signature")),
            keyid=_text_or_none(doc.get("keyid")),
        )


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
