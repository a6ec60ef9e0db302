from __future__ import annotations

from datetime import UTC, datetime

import pytest

from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage, event_type, source_uri

USCC = "91500102MA5U7RGE16"


def make(**overrides: object) -> EventEnvelope:
    fields: dict[str, object] = {
        "source": source_uri("energy"),
        "type": event_type("energy", "finding", "recorded"),
        "subject": USCC,
        "sequence": 7,
        "data": {"uscc": USCC, "value": 1.5, "名称": "涪陵"},
        "time": datetime(2020, 7, 1, 8, 30, tzinfo=UTC),
    }
    fields.update(overrides)
    return EventEnvelope(**fields)  # type: ignore[arg-type]


def test_binary_content_mode_headers_key_and_value() -> None:
    key, value, headers = make().to_kafka()
    names = dict(headers)
    assert key == USCC.encode()
    assert names["ce_type"] == b"cn.gov.fuling.phaseout.energy.finding.recorded"
    assert names["ce_source"] == b"/phaseout/energy"
    assert names["ce_subject"] == USCC.encode()
    assert names["ce_sequence"] == b"7"
    assert names["ce_specversion"] == b"1.0"
    assert names["content-type"] == b"application/json"
    assert names["ce_time"] == b"2020-07-01T08:30:00Z"
    assert b'"value"' in value and b"ce_" not in value


def test_round_trip_keeps_every_attribute() -> None:
    original = make()
    assert EventEnvelope.from_kafka(*original.to_kafka()) == original
    assert EventEnvelope.from_json(original.as_json()) == original


def test_ids_are_unique() -> None:
    assert len({make().id for _ in range(100)}) == 100


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda k, v, h: (k, v, [x for x in h if x[0] != "ce_sequence"]), "missing headers ce_sequence"),
        (lambda k, v, h: (b"91500102MA5U7RGE1X", v, h), "wrong key"),
        (lambda k, v, h: (k, b"{not json", h), "not JSON"),
        (lambda k, v, h: (k, b"[1, 2]", h), "JSON object"),
        (
            lambda k, v, h: (k, v, [(n, b"x" if n == "ce_sequence" else b) for n, b in h]),
            "sequence is not an integer",
        ),
    ],
)
def test_poison_messages_say_why(mutate, reason: str) -> None:  # type: ignore[no-untyped-def]
    key, value, headers = mutate(*make().to_kafka())
    with pytest.raises(PoisonMessage, match=reason):
        EventEnvelope.from_kafka(key, value, headers)
