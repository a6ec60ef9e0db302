"""What the coordinator accepts from the bus and the feeds (pure): an event of the bureau whose channel (topic or
feed) it came on, signed by one of that bureau's keys, of a known type, with a valid payload. Bureau, channel
and key must agree: an event claiming another bureau, unsigned, or signed by a key not the bureau's, is refused
and never stored as that bureau's."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from phaseout_bureau.contracts import FindingRecorded, payload_models
from phaseout_bureau.results import ResultInvalid, typed_result
from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage, source_uri
from phaseout_kit.events.signing import KeyRing
from phaseout_kit.registry import BUREAUS, topic_for

_SOURCES = {source_uri(b): b for b in BUREAUS}
_BUREAU_OF_TOPIC = {topic_for(b): b for b in BUREAUS}


def bureau_of(envelope: EventEnvelope) -> str:
    bureau = _SOURCES.get(envelope.source)
    if bureau is None:
        raise PoisonMessage(f"unknown source: {envelope.source!r}")
    return bureau


def validate_bureau_event(envelope: EventEnvelope, channel: str, keys: KeyRing) -> BaseModel:
    """The typed payload of an event that came on bureau ``channel``'s topic or feed, or PoisonMessage with the
    reason it can never be handled."""
    bureau = bureau_of(envelope)
    if bureau != channel:
        raise PoisonMessage(f"source mismatch: an event claiming {bureau} came on the channel of {channel}")
    keys.verify(envelope, bureau)
    return validate_payload(envelope)


def validate_payload(envelope: EventEnvelope) -> BaseModel:
    """The typed payload of an event of a known bureau (whose channel has been checked)."""
    bureau = bureau_of(envelope)
    model = payload_models(bureau).get(envelope.type)
    if model is None:
        raise PoisonMessage(f"unknown type: {envelope.type!r} from {bureau}")
    try:
        payload = model.model_validate(envelope.data)
    except ValidationError as exc:
        raise PoisonMessage(f"payload failing its schema: {exc.errors(include_url=False)[:3]}") from exc
    if isinstance(payload, FindingRecorded):
        try:
            typed_result(bureau, payload.finding_type, payload.derived)
        except ResultInvalid as exc:
            raise PoisonMessage(str(exc)) from exc
    if getattr(payload, "uscc", envelope.subject) != envelope.subject:
        raise PoisonMessage(f"wrong key: subject {envelope.subject!r} is not the payload's enterprise")
    if envelope.sequence < 1:
        raise PoisonMessage(f"sequence must be positive, got {envelope.sequence}")
    return payload


def check_bureau_event(envelope: EventEnvelope, topic: str, keys: KeyRing) -> None:
    """The consumer's check of a message: raises PoisonMessage, returns nothing."""
    channel = _BUREAU_OF_TOPIC.get(topic)
    if channel is None:
        raise PoisonMessage(f"unknown topic: {topic!r}")
    validate_bureau_event(envelope, channel, keys)
