"""What the coordinator accepts from the bus (pure): known bureaus, known event types, valid payloads."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from phaseout_bureau.contracts import FindingRecorded, payload_models
from phaseout_bureau.results import ResultInvalid, typed_result
from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage, source_uri
from phaseout_kit.registry import BUREAUS

_SOURCES = {source_uri(b): b for b in BUREAUS}


def bureau_of(envelope: EventEnvelope) -> str:
    bureau = _SOURCES.get(envelope.source)
    if bureau is None:
        raise PoisonMessage(f"unknown source: {envelope.source!r}")
    return bureau


def validate_bureau_event(envelope: EventEnvelope) -> BaseModel:
    """The typed payload, or PoisonMessage with the reason it can never be handled."""
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


def check_bureau_event(envelope: EventEnvelope) -> None:
    """The consumer's validator: raises PoisonMessage, returns nothing."""
    validate_bureau_event(envelope)
