from __future__ import annotations

import pytest
from pydantic import ValidationError

from phaseout_kit.events.signing import new_private_text
from phaseout_kit.settings import DEV_TOKEN_PEPPER, CoordinatorSettings, Profile, ServiceSettings


def test_embedded_defaults_give_each_service_its_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHASEOUT_PORT", raising=False)
    monkeypatch.delenv("PHASEOUT_DATABASE_URL", raising=False)
    energy = ServiceSettings(service="energy")
    assert energy.port == 8001
    assert energy.database_url.endswith("energy.db") and energy.database_url.startswith("sqlite+aiosqlite")
    assert energy.topic == "phaseout.energy.events"
    assert ServiceSettings(service="coordinator").topic == "phaseout.coordinator.decisions"


def test_environment_variables_are_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEOUT_DATABASE_URL", "postgresql+asyncpg://u@db/energy")
    monkeypatch.setenv("PHASEOUT_TOPIC_PARTITIONS", "6")
    settings = ServiceSettings(service="energy")
    assert settings.database_url == "postgresql+asyncpg://u@db/energy"
    assert settings.topic_partitions == 6


def test_production_refuses_the_development_pepper() -> None:
    with pytest.raises(ValidationError, match="PHASEOUT_TOKEN_PEPPER"):
        ServiceSettings(service="energy", profile=Profile.PRODUCTION)
    assert ServiceSettings(service="energy", profile=Profile.EMBEDDED).token_pepper == DEV_TOKEN_PEPPER


def test_production_never_seeds_demo_tokens_and_needs_a_real_feed_token() -> None:
    settings = ServiceSettings(
        service="energy",
        profile=Profile.PRODUCTION,
        token_pepper="s3cret-" * 5,
        feed_token="feed-" * 8,
        signing_key=new_private_text(),
    )
    assert settings.seed_demo_tokens is False
    with pytest.raises(ValidationError, match="PHASEOUT_FEED_TOKEN"):
        CoordinatorSettings(service="coordinator", profile=Profile.PRODUCTION, token_pepper="x" * 32)


@pytest.mark.parametrize(
    ("setting", "value"),
    [("token_pepper", "x"), ("token_pepper", "p" * 31), ("feed_token", "f" * 31)],
)
def test_production_refuses_a_short_secret(setting: str, value: str) -> None:
    secrets = {"token_pepper": "p" * 32, "feed_token": "f" * 32, "signing_key": new_private_text()}
    with pytest.raises(ValidationError, match="must be at least 32 characters"):
        ServiceSettings(service="energy", profile=Profile.PRODUCTION, **{**secrets, setting: value})
    assert ServiceSettings(service="energy", profile=Profile.PRODUCTION, **secrets).token_pepper == "p" * 32
