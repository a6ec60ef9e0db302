"""Proof of origin (phaseout_kit.events.signing): what a signature covers, what the key ring accepts, and the
settings that carry the keys (the production profile refuses the embedded/dev keys)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage
from phaseout_kit.events.signing import (
    KeyRing,
    Signer,
    dev_private_key,
    new_private_text,
    private_key,
    public_text,
)
from phaseout_kit.settings import CoordinatorSettings, Profile, ServiceSettings

ENERGY = dev_private_key("energy")


def event(**overrides: object) -> EventEnvelope:
    fields: dict[str, object] = {
        "source": "/phaseout/energy",
        "type": "cn.gov.fuling.phaseout.energy.finding.recorded",
        "subject": "91500102MA5U3C8K0X",
        "sequence": 7,
        "data": {"measured_value": 13786.0, "enterprise_name": "重庆市涪陵区测试有限公司", "n": 3},
    }
    fields.update(overrides)
    return EventEnvelope(**fields)  # type: ignore[arg-type]


def reason(ring: KeyRing, envelope: EventEnvelope) -> str:
    with pytest.raises(PoisonMessage) as refused:
        ring.verify(envelope, "energy")
    return str(refused.value).split(":", 1)[0]


def test_a_signed_event_verifies_after_the_bus_and_the_feed() -> None:
    signed = Signer(ENERGY).sign(event())
    ring = KeyRing({"energy": [ENERGY.public_key()]})
    for received in (EventEnvelope.from_kafka(*signed.to_kafka()), EventEnvelope.from_json(signed.as_json())):
        assert (received.signature, received.keyid) == (signed.signature, signed.keyid)
        ring.verify(received, "energy")


@pytest.mark.parametrize(
    "change",
    [
        {"data": {"measured_value": 13785.0, "enterprise_name": "重庆市涪陵区测试有限公司", "n": 3}},
        {"sequence": 8},
        {"subject": "91500102MA5U4FJ20X"},
        {"type": "cn.gov.fuling.phaseout.energy.case.closed"},
        {"id": "another-id"},
        {"source": "/phaseout/safety"},
    ],
)
def test_any_change_after_signing_breaks_the_signature(change: dict[str, object]) -> None:
    signed = Signer(ENERGY).sign(event())
    assert (
        reason(KeyRing({"energy": [ENERGY.public_key()]}), replace(signed, **change)) == "signature invalid"
    )


def test_the_time_is_covered_and_equal_instants_agree() -> None:
    signed = Signer(ENERGY).sign(event())
    ring = KeyRing({"energy": [ENERGY.public_key()]})
    assert reason(ring, replace(signed, time=signed.time + timedelta(seconds=1))) == "signature invalid"
    ring.verify(replace(signed, time=signed.time.astimezone(ZoneInfo("Asia/Shanghai"))), "energy")


def test_unsigned_or_signed_by_another_key_is_refused() -> None:
    ring = KeyRing({"energy": [ENERGY.public_key()], "safety": [dev_private_key("safety").public_key()]})
    assert reason(ring, event()) == "signature missing"
    by_safety = Signer(dev_private_key("safety")).sign(event())
    assert reason(ring, by_safety) == "signature by an unknown key"
    assert reason(ring, replace(Signer(ENERGY).sign(event()), signature="bm90IGEgc2lnbmF0dXJl")) == (
        "signature invalid"
    )


def test_two_keys_during_a_change_over_then_only_the_new_one() -> None:
    old, new = private_key(new_private_text()), private_key(new_private_text())
    during = KeyRing({"energy": [old.public_key(), new.public_key()]})
    after = KeyRing({"energy": [new.public_key()]})
    by_old, by_new = Signer(old).sign(event()), Signer(new).sign(event(sequence=8))
    during.verify(by_old, "energy")
    during.verify(by_new, "energy")
    after.verify(by_new, "energy")
    assert reason(after, by_old) == "signature by an unknown key"
    assert during.key_ids("energy") == sorted([Signer(old).key_id, Signer(new).key_id])


def test_settings_carry_the_keys_and_production_refuses_the_dev_keys() -> None:
    secrets = {"token_pepper": "x" * 40, "feed_token": "feed-" + "y" * 40, "profile": Profile.PRODUCTION}
    with pytest.raises(ValueError, match="PHASEOUT_SIGNING_KEY must be set"):
        ServiceSettings(service="energy", **secrets)
    own = new_private_text()
    assert (
        ServiceSettings(service="energy", signing_key=own, **secrets).signer().key_id
        == Signer(private_key(own)).key_id
    )
    assert ServiceSettings(service="energy").signer().key_id == Signer(ENERGY).key_id  # embedded: the dev key
    with pytest.raises(ValueError, match="PHASEOUT_SIGNING_KEY: signing key is not base64"):
        ServiceSettings(service="energy", signing_key="not base64!")
    with pytest.raises(ValueError, match="must give the public keys of energy, environment"):
        CoordinatorSettings(service="coordinator", signing_key=own, **secrets)
    with pytest.raises(ValueError, match="not bureaus: coordinator"):
        CoordinatorSettings(service="coordinator", bureau_keys={"coordinator": [public_text(ENERGY)]})
    with pytest.raises(ValueError, match="must be 32 bytes"):
        CoordinatorSettings(service="coordinator", bureau_keys={"energy": ["c2hvcnQ="]})
    ring = CoordinatorSettings(service="coordinator", bureau_keys={"energy": [public_text(private_key(own))]})
    assert ring.key_ring().key_ids("energy") == [Signer(private_key(own)).key_id]
    assert ring.key_ring().key_ids("safety") == [Signer(dev_private_key("safety")).key_id]
