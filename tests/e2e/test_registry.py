"""The registry is the one place a unit's or a bureau's label lives: change it in a copy of registry.json
(``PHASEOUT_REGISTRY``) and the coordinator's pages, its AsyncAPI document and its exports say the new label."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import pytest

from phaseout_kit.registry import REGISTRY_ENV, REGISTRY_FILE, bureau, unit
from tests.apps import auth, sign_in
from tests.conftest import BACKENDS
from tests.e2e.platform import running_platform

RENAMED_DIMENSION = "测试领域甲"  # safety's 安全, renamed
RENAMED_UNIT = "测试应急单位乙"  # 区应急管理局, renamed


def renamed_copy(directory: Path) -> Path:
    data = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    for record in data["bureaus"]:
        if record["code"] == "safety":
            record["dimension_zh"] = RENAMED_DIMENSION
    for record in data["units"]:
        if record["code"] == "emergency_management":
            record["name_zh"] = RENAMED_UNIT
    path = directory / "registry.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_label_changed_in_the_registry_changes_on_pages_asyncapi_and_exports(
    backend: str, tmp_path: Path
) -> None:
    old_dimension, old_unit = bureau("safety").dimension_zh, unit("emergency_management").name_zh
    env = {"coordinator": {REGISTRY_ENV: str(renamed_copy(tmp_path))}}
    async with running_platform(backend, tmp_path, services=("coordinator",), env=env) as platform:
        base = platform.url("coordinator")
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            # a page: the safety bureau's user is named by its unit; the search offers the dimension
            await sign_in(client, "demo-safety-writer")
            page = await client.get("/dashboard/enterprises")
            assert page.status_code == 200, page.text[:300]
            assert RENAMED_UNIT in page.text and RENAMED_DIMENSION in page.text
            assert old_unit not in page.text

            # the AsyncAPI document: the safety channel's title and its sender
            asyncapi = (await client.get("/api/v1/asyncapi.json")).text
            assert f"{RENAMED_DIMENSION}事件（{RENAMED_UNIT}）" in asyncapi
            assert f"{old_dimension}事件" not in asyncapi and old_unit not in asyncapi

            # an export: the enterprise search's column per dimension
            export = await client.get(
                "/api/v1/enterprises/export", params={"format": "csv"}, headers=auth("demo-office-admin")
            )
            assert export.status_code == 200, export.text[:300]
            header = next(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
            assert f"{RENAMED_DIMENSION}状态" in header and f"{old_dimension}状态" not in header
