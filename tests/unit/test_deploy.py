"""Checks the production deployment files (docker-compose.yml, deploy/) against the project's conventions.

The compose file is validated by the real Docker Compose v2 client (`docker compose config`), which
deploy/install-compose-client.sh installs; the remaining tests read the YAML directly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from phaseout_kit.settings import CoordinatorSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy"

# The PHASEOUT_* settings the services read, straight from the settings classes.
_SERVICE_FIELDS = {f"PHASEOUT_{name.upper()}" for name in ServiceSettings.model_fields} - {"PHASEOUT_SERVICE"}
KNOWN_SETTINGS = frozenset(
    _SERVICE_FIELDS | {f"PHASEOUT_{n.upper()}" for n in CoordinatorSettings.model_fields}
)
COORDINATOR_ONLY = KNOWN_SETTINGS - _SERVICE_FIELDS

BUREAUS = ("energy", "environment", "quality", "safety", "technology")
DEFAULT_PORTS = {
    "coordinator": 8000,
    "energy": 8001,
    "environment": 8002,
    "quality": 8003,
    "safety": 8004,
    "technology": 8005,
}
SERVICES = frozenset(DEFAULT_PORTS)
TOPICS = frozenset(
    {f"phaseout.{b}.events" for b in BUREAUS} | {"phaseout.coordinator.decisions", "phaseout.deadletter"}
)
# Compose must refuse to start while any of these is missing.
REQUIRED_SECRETS = (
    "PHASEOUT_TOKEN_PEPPER",
    "PHASEOUT_FEED_TOKEN",
    "POSTGRES_PASSWORD",
    "DB_PASSWORD",
    "PHASEOUT_BUREAU_KEYS",
    *(f"{service.upper()}_SIGNING_KEY" for service in DEFAULT_PORTS),
)

COMPOSE_TEXT = COMPOSE_FILE.read_text(encoding="utf-8")
# `${VAR}`, `${VAR:-x}`, `${VAR:?x}`; `$$` is compose's escape for a literal `$` and is skipped.
INTERPOLATED = frozenset(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE_TEXT))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)  # SafeLoader resolves anchors and `<<` merges
    return data


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # compose also allows ["KEY=value", ...]
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services running Phaseout code: the ones built from deploy/Dockerfile."""
    return {name: svc for name, svc in compose["services"].items() if "build" in svc}


def strings_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings_in(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings_in(v)]
    return [node] if isinstance(node, str) else []


# ---------------------------------------------------------------- validation by the compose client


@pytest.fixture(scope="module")
def compose_cli() -> list[str]:
    try:
        ok = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0
    except FileNotFoundError:
        ok = False
    if not ok:
        pytest.fail("`docker compose` is not available: run deploy/install-compose-client.sh")
    return ["docker", "compose"]


def run_config(cli: list[str], secrets: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # Only the given secrets: nothing from the caller's shell or a local .env may leak in.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in INTERPOLATED and not k.startswith(("PHASEOUT_", "COMPOSE_"))
    }
    cmd = [
        *cli,
        "-f",
        str(COMPOSE_FILE),
        "--project-directory",
        str(ROOT),
        "--env-file",
        os.devnull,
        "config",
        *args,
    ]
    return subprocess.run(cmd, env=env | secrets, capture_output=True, text=True, timeout=60)


DUMMY_SECRETS = {name: f"test-{name.lower()}" for name in REQUIRED_SECRETS}


def test_compose_file_is_valid(compose_cli: list[str]) -> None:
    result = run_config(compose_cli, DUMMY_SECRETS, "-q")
    assert result.returncode == 0, result.stderr


def test_compose_resolves_shared_definition_for_every_service(compose_cli: list[str]) -> None:
    # The compose client, not PyYAML, decides what the anchors and merge keys mean.
    result = run_config(compose_cli, DUMMY_SECRETS, "--format", "json")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert SERVICES <= services.keys()
    for name in SERVICES:
        svc = services[name]
        assert "/readyz" in " ".join(svc["healthcheck"]["test"]), name
        assert svc["environment"]["PHASEOUT_PROFILE"] == "production", name
        assert svc["environment"]["PHASEOUT_TOKEN_PEPPER"] == DUMMY_SECRETS["PHASEOUT_TOKEN_PEPPER"], name
        assert svc["environment"]["PHASEOUT_HOST"] == "0.0.0.0", name


@pytest.mark.parametrize("secret", REQUIRED_SECRETS)
def test_compose_refuses_to_start_without_secret(compose_cli: list[str], secret: str) -> None:
    secrets = {k: v for k, v in DUMMY_SECRETS.items() if k != secret}
    result = run_config(compose_cli, secrets, "-q")
    assert result.returncode != 0, f"compose accepted a missing {secret}"
    assert secret in result.stderr


# ---------------------------------------------------------------- conventions, read from the files


def test_phaseout_services_match_packages(compose: dict[str, Any]) -> None:
    apps = app_services(compose)
    assert apps.keys() == SERVICES
    for name, svc in apps.items():
        assert svc["command"] == ["python", "-m", f"phaseout_{name}"], name
        package = ROOT / "services" / name / f"phaseout_{name}"
        assert (package / "__main__.py").is_file(), f"{package} has no __main__.py for `python -m`"
        assert svc["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / "Dockerfile").is_file()


def test_other_services_use_pinned_images(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        if name in SERVICES:
            continue
        image = svc["image"]
        tag = image.rpartition(":")[2] if ":" in image else ""
        assert re.fullmatch(r"\d+(\.\d+)+.*", tag), f"{name}: image {image!r} is not pinned to a version"


def test_service_wiring(compose: dict[str, Any]) -> None:
    init_sql = (DEPLOY / "postgres" / "init.sql").read_text(encoding="utf-8")
    for name, svc in app_services(compose).items():
        env = env_of(svc)
        port = DEFAULT_PORTS[name]
        assert env["PHASEOUT_PORT"] == str(port), name
        assert svc["ports"] == [f"{port}:{port}"] or name == "coordinator", name
        assert str(svc["ports"][0]).endswith(f":{port}"), name
        assert env["PHASEOUT_DATABASE_URL"].startswith("postgresql+asyncpg://phaseout:"), name
        assert env["PHASEOUT_DATABASE_URL"].endswith(f"@postgres:5432/phaseout_{name}"), name
        assert f"CREATE DATABASE phaseout_{name} OWNER phaseout;" in init_sql, name
        for dep in ("postgres", "kafka"):
            assert svc["depends_on"][dep]["condition"] == "service_healthy", (name, dep)
    for name, svc in compose["services"].items():
        assert name in SERVICES or "ports" not in svc, f"{name} must not be published on the host"
    assert "healthcheck" in compose["services"]["postgres"]
    assert "healthcheck" in compose["services"]["kafka"]


def test_coordinator_reads_every_bureau_feed(compose: dict[str, Any]) -> None:
    urls = json.loads(env_of(compose["services"]["coordinator"])["PHASEOUT_BUREAU_URLS"])
    assert urls == {b: f"http://{b}:{DEFAULT_PORTS[b]}" for b in BUREAUS}


def test_only_documented_settings_are_used(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        used = {k for k in env_of(svc) if k.startswith("PHASEOUT_")}
        assert used <= KNOWN_SETTINGS, f"{name}: unknown settings {sorted(used - KNOWN_SETTINGS)}"
        if name != "coordinator":
            assert not used & COORDINATOR_ONLY, (
                f"{name}: coordinator-only settings {sorted(used & COORDINATOR_ONLY)}"
            )
    interpolated = {v for v in INTERPOLATED if v.startswith("PHASEOUT_")}
    assert interpolated <= KNOWN_SETTINGS, sorted(interpolated - KNOWN_SETTINGS)
    in_dockerfile = set(re.findall(r"PHASEOUT_[A-Z_]+", (DEPLOY / "Dockerfile").read_text(encoding="utf-8")))
    assert in_dockerfile <= KNOWN_SETTINGS, sorted(in_dockerfile - KNOWN_SETTINGS)


def test_every_compose_variable_is_documented() -> None:
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert INTERPOLATED <= documented, (
        f"missing from deploy/.env.example: {sorted(INTERPOLATED - documented)}"
    )
    for secret in REQUIRED_SECRETS:  # no `:-default` fallback for a secret anywhere
        assert re.search(rf"\$\{{{secret}:-", COMPOSE_TEXT) is None, secret
        assert re.search(rf"\$\{{{secret}:\?", COMPOSE_TEXT), f"{secret} is not required by compose"


def test_topics_follow_naming(compose: dict[str, Any]) -> None:
    # A topic name stands alone: not part of a path or file name such as /x/10-phaseout.sql.
    pattern = r"(?<![\w./-])phaseout\.[a-z0-9_.-]+"
    named = {m.rstrip(".") for s in strings_in(compose) for m in re.findall(pattern, s)}
    assert named <= TOPICS, f"unknown topics: {sorted(named - TOPICS)}"
    assert named == TOPICS, f"topics compose does not create: {sorted(TOPICS - named)}"
