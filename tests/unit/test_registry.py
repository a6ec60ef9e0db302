"""The registry of units and bureaus: one unit per name, the plan's spellings resolved, a bad copy refused whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from phaseout_kit.registry import (
    BUREAUS,
    REGISTRY_FILE,
    SERVICE_PORTS,
    load_registry,
    same_unit,
    topic_for,
    unit,
    unit_name,
)


def test_the_plan_spellings_of_one_unit_are_one_unit() -> None:
    assert unit("区应急局") == unit("区应急管理局") == unit("emergency_management")
    assert same_unit("涪陵银保监局", "涪陵银保监分局")
    assert not same_unit("区财政局", "区税务局")
    assert unit_name("相关部门按职责分工负责") == "相关部门按职责分工负责"  # names no unit: kept as written


def test_every_service_has_its_own_port_and_topic() -> None:
    assert len(set(SERVICE_PORTS.values())) == len(SERVICE_PORTS) == len(BUREAUS) + 1
    assert len({topic_for(s) for s in SERVICE_PORTS}) == len(SERVICE_PORTS)


def _registry_with(tmp_path: Path, change: Any) -> Path:
    data = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _alias_taken_twice(data: dict[str, Any]) -> None:
    data["units"][1]["aliases"] = ["区应急局"]


def _unknown_responsible_unit(data: dict[str, Any]) -> None:
    data["bureaus"][0]["units"] = ["no_such_unit"]


def _a_bureau_missing(data: dict[str, Any]) -> None:
    data["bureaus"].pop()


def _shared_port(data: dict[str, Any]) -> None:
    data["bureaus"][1]["port"] = data["bureaus"][0]["port"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_alias_taken_twice, "declared twice"),
        (_unknown_responsible_unit, "unknown units"),
        (_a_bureau_missing, "bureaus must be exactly"),
        (_shared_port, "share a default port"),
    ],
)
def test_a_copy_that_contradicts_itself_is_refused(tmp_path: Path, change: Any, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        load_registry(_registry_with(tmp_path, change))


def test_the_shipped_registry_loads() -> None:
    assert load_registry(REGISTRY_FILE).units
