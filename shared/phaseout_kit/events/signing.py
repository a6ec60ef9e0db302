"""Proof of origin for events. Each service signs the events it publishes with its own Ed25519 key, over the
canonical form of the CloudEvent (id, source, type, subject, sequence, time and data as sorted, compact JSON);
the signature and the signing key's id travel as the extension attributes ``signature`` and ``keyid`` on the
bus and in the HTTP feeds alike (Ed25519 is deterministic: both carry the same bytes). A receiver verifies
against the public keys it has configured for that source, two of them during a key change-over, so a message
anyone else put on a topic is refused (after the CloudEvents verifiability work, without its HTTP parts)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage

DEV_KEY_CONTEXT = "phaseout-dev-signing-key-not-a-secret:"


class KeyInvalid(ValueError):
    """A configured key that is not a base64-encoded 32-byte Ed25519 key."""


def canonical(envelope: EventEnvelope) -> bytes:
    """The bytes a signature covers: every attribute a receiver acts on, and the data."""
    document = {
        "id": envelope.id,
        "source": envelope.source,
        "type": envelope.type,
        "subject": envelope.subject,
        "sequence": envelope.sequence,
        "time": envelope.time.astimezone(UTC).isoformat(),
        "data": envelope.data,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _raw(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyInvalid(f"{what} is not base64") from exc
    if len(raw) != 32:
        raise KeyInvalid(f"{what} must be 32 bytes (base64 of an Ed25519 key), got {len(raw)}")
    return raw


def private_key(text: str) -> Ed25519PrivateKey:
    """A private key from its base64 32-byte seed (the form `phaseout keys` prints)."""
    return Ed25519PrivateKey.from_private_bytes(_raw(text, "signing key"))


def public_key(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_raw(text, "public key"))


def public_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A key's id: the first 16 hex digits of the SHA-256 of its public key (names it without revealing it)."""
    return hashlib.sha256(base64.b64decode(public_text(key))).hexdigest()[:16]


def dev_private_key(service: str) -> Ed25519PrivateKey:
    """The embedded/dev profile's key of ``service``: derived from its name, so public knowledge — the
    production profile refuses it (phaseout_kit.settings)."""
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"{DEV_KEY_CONTEXT}{service}".encode()).digest()
    )


def new_private_text() -> str:
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    key = Ed25519PrivateKey.generate()
    return base64.b64encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())).decode()


class Signer:
    """Signs the events of one service with its key."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.key_id = key_id(key)

    def sign(self, envelope: EventEnvelope) -> EventEnvelope:
        signature = base64.b64encode(self._key.sign(canonical(envelope))).decode()
        return replace(envelope, signature=signature, keyid=self.key_id)


class KeyRing:
    """The public keys a receiver accepts, per source service: usually one, two while a key is changed."""

    def __init__(self, keys: Mapping[str, Iterable[Ed25519PublicKey]]) -> None:
        self._keys = {service: {key_id(k): k for k in ks} for service, ks in keys.items()}

    def key_ids(self, service: str) -> list[str]:
        return sorted(self._keys.get(service, {}))

    def verify(self, envelope: EventEnvelope, service: str) -> None:
        """PoisonMessage unless ``envelope`` carries a valid signature by one of ``service``'s keys."""
        if not envelope.signature or not envelope.keyid:
            raise PoisonMessage(f"signature missing: an event of {service} must be signed")
        key = self._keys.get(service, {}).get(envelope.keyid)
        if key is None:
            raise PoisonMessage(f"signature by an unknown key: {envelope.keyid!r} is not a key of {service}")
        try:
            key.verify(base64.b64decode(envelope.signature, validate=True), canonical(envelope))
        except (InvalidSignature, binascii.Error, ValueError) as exc:
            raise PoisonMessage(f"signature invalid: the event is not as {service} signed it") from exc
