"""Service settings from environment variables prefixed ``PHASEOUT_``.

One process runs one service, so one prefix is enough; the service name and its default port are given by
the entrypoint. Outside the embedded/dev profile the built-in development secrets are refused.
"""

from __future__ import annotations

import secrets
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from phaseout_kit.clock import DistrictClock
from phaseout_kit.events.signing import KeyInvalid, KeyRing, Signer, dev_private_key, private_key, public_key
from phaseout_kit.registry import BUREAUS, SERVICE_PORTS, topic_for

DEV_TOKEN_PEPPER = "phaseout-embedded-dev-pepper-not-a-secret"
# The shortest pepper and feed token production accepts: 32 characters (`secrets.token_hex(32)` gives 64).
MIN_SECRET_LENGTH = 32

EMBEDDED_BROKER_PORT = 19092


class Profile(StrEnum):
    EMBEDDED = "embedded"
    DEV = "dev"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PHASEOUT_", extra="ignore")

    service: str = Field(default="", description="set by the entrypoint")
    profile: Profile = Profile.EMBEDDED
    host: str = "127.0.0.1"
    port: int = 0
    # A listening socket inherited from the launcher (phaseout_kit.ports); when set, host and port are unused.
    listen_fd: int | None = Field(default=None, ge=0)
    # Which process answers /readyz: a launcher sets it per start and accepts only the process it started.
    instance_id: str = Field(default_factory=lambda: secrets.token_hex(8), min_length=1, max_length=64)
    data_dir: Path = Path("var")
    database_url: str = ""
    kafka_bootstrap: str = f"127.0.0.1:{EMBEDDED_BROKER_PORT}"
    topic_partitions: int = Field(default=3, ge=1, le=256)
    token_pepper: str = DEV_TOKEN_PEPPER
    log_level: str = "INFO"
    # Freshness is capped by how long the broker holds a fetch; Tansu answers only at this wait.
    fetch_max_wait_ms: int = Field(default=20, ge=1, le=500)
    linger_ms: int = Field(default=5, ge=0, le=100)
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    seed_demo_tokens: bool = True
    # The coordinator reads every bureau's event feed with this token; each service registers it (hashed)
    # as a read-only token at start, so production needs no manual token set-up for the feeds.
    feed_token: str = "demo-coordinator-feed"
    # A bureau reads the office's approved policy changes from the coordinator (with the feed token) this
    # often; none set: the bureau judges by the shipped policy data and the changes it has already received.
    coordinator_url: str | None = None
    policy_sync_interval_s: float = Field(default=10.0, ge=0.05, le=3600)
    # A fixed business date for the demo and tests (deadlines pass when it moves), or the embedded profile's
    # shared clock file that moves all six services together (phaseout_kit.clock); refused in production.
    clock_date: date | None = None
    clock_file: Path | None = None
    # The service's Ed25519 signing key (base64 of the 32-byte seed; `phaseout keys` makes one): every event it
    # publishes is signed with it. Unset: the key derived from the service's name, for embedded/dev only.
    signing_key: str = ""

    @model_validator(mode="after")
    def _defaults_and_secrets(self) -> ServiceSettings:
        if not self.port and self.service in SERVICE_PORTS:
            self.port = SERVICE_PORTS[self.service]
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / (self.service or 'phaseout')}.db"
        if self.profile is Profile.PRODUCTION:
            if self.token_pepper == DEV_TOKEN_PEPPER:
                raise ValueError(
                    "PHASEOUT_TOKEN_PEPPER must be set to a real secret in the production profile"
                )
            if self.feed_token.startswith("demo-"):
                raise ValueError(
                    "PHASEOUT_FEED_TOKEN must be set to a real read-only token in the production profile"
                )
            for name, secret in (
                ("PHASEOUT_TOKEN_PEPPER", self.token_pepper),
                ("PHASEOUT_FEED_TOKEN", self.feed_token),
            ):
                if len(secret) < MIN_SECRET_LENGTH:
                    raise ValueError(
                        f"{name} must be at least {MIN_SECRET_LENGTH} characters in the production profile "
                        f"(got {len(secret)})"
                    )
            # Demo tokens are public knowledge (README); production never creates them.
            self.seed_demo_tokens = False
            if not self.signing_key:
                raise ValueError(
                    "PHASEOUT_SIGNING_KEY must be set to the service's own key in the production profile"
                )
            if self.clock_date is not None or self.clock_file is not None:
                raise ValueError(
                    "PHASEOUT_CLOCK_DATE and PHASEOUT_CLOCK_FILE are for the demo and tests; "
                    "production follows the real date"
                )
        if self.signing_key:
            try:
                private_key(self.signing_key)
            except KeyInvalid as exc:
                raise ValueError(f"PHASEOUT_SIGNING_KEY: {exc}") from exc
        return self

    def signer(self) -> Signer:
        return Signer(private_key(self.signing_key) if self.signing_key else dev_private_key(self.service))

    def clock(self) -> DistrictClock:
        return DistrictClock(self.clock_date, self.clock_file)

    @property
    def topic(self) -> str:
        return topic_for(self.service)


def _default_bureau_urls() -> dict[str, str]:
    return {b: f"http://127.0.0.1:{SERVICE_PORTS[b]}" for b in BUREAUS}


class CoordinatorSettings(ServiceSettings):
    scheduler_interval_s: float = Field(default=30.0, gt=0, le=86_400)
    bureau_urls: dict[str, str] = Field(default_factory=lambda: _default_bureau_urls())
    feed_token: str = "demo-coordinator-feed"
    consumer_group: str = "phaseout-coordinator"
    # Each bureau's public keys (base64, 32 bytes): its events are accepted only signed by one of them. Two
    # during a key change-over. Unset for a bureau: its embedded/dev key; production needs all five.
    bureau_keys: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _feed_token_secret(self) -> CoordinatorSettings:
        if self.profile is Profile.PRODUCTION and self.feed_token.startswith("demo-"):
            raise ValueError(
                "PHASEOUT_FEED_TOKEN must be set to a real read-only token in the production profile"
            )
        unknown = sorted(set(self.bureau_keys) - set(BUREAUS))
        if unknown:
            raise ValueError(f"PHASEOUT_BUREAU_KEYS: not bureaus: {', '.join(unknown)}")
        if self.profile is Profile.PRODUCTION:
            missing = [b for b in BUREAUS if not self.bureau_keys.get(b)]
            if missing:
                raise ValueError(f"PHASEOUT_BUREAU_KEYS must give the public keys of {', '.join(missing)}")
        try:
            self.key_ring()
        except KeyInvalid as exc:
            raise ValueError(f"PHASEOUT_BUREAU_KEYS: {exc}") from exc
        return self

    def key_ring(self) -> KeyRing:
        return KeyRing(
            {
                b: [public_key(k) for k in self.bureau_keys[b]]
                if self.bureau_keys.get(b)
                else [dev_private_key(b).public_key()]
                for b in BUREAUS
            }
        )
