"""Migrations that rewrite data, tried on data written by the revision before them (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from phaseout_coordinator.adapters import orm_policy, orm_reports  # noqa: F401  (their tables belong to Base.metadata)
from phaseout_coordinator.adapters.orm import Base
from phaseout_coordinator.bootstrap import MIGRATIONS
from phaseout_kit.db import make_engine, upgrade_to_head

NOW = datetime(2021, 5, 1, tzinfo=UTC)


def _measure(key: str, department: str) -> dict[str, Any]:
    return {
        "key": key,
        "source_uscc": "91500102MA5U0000X0",
        "uscc": "91500102MA5U0000X0",
        "via_affiliate_of": None,
        "measure_code": "safety_permit_restriction",
        "title_zh": "安全许可方面联合惩戒",
        "target_department_zh": department,
        "start_on": date(2021, 4, 1),
        "end_on": None,
        "earliest_lift_on": None,
        "explanation": "{}",
    }


async def test_0006_names_departments_by_unit_code(database_url: str) -> None:
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS, "coordinator_0005")
    meta = sa.MetaData()
    async with engine.begin() as conn:
        await conn.run_sync(meta.reflect, only=["measures", "measure_feedback", "api_tokens"])
        await conn.execute(
            meta.tables["measures"].insert(),
            [_measure("m-safety", "区应急局"), _measure("m-other", "某个方案未列的部门")],
        )
        feedback = {"measure_key": "m-safety", "outcome": "executed", "executed_on": date(2021, 4, 2)}
        await conn.execute(
            meta.tables["measure_feedback"].insert(),
            [{**feedback, "reported_at": NOW, "reported_by": "t", "department": "区应急管理局"}],
        )
        token = {"actor": "t", "role": "department", "bureau": None, "expires_at": None, "created_at": NOW}
        await conn.execute(
            meta.tables["api_tokens"].insert(),
            [{**token, "token_hash": "a" * 64, "department": "国网重庆涪陵供电公司"}],
        )
    await upgrade_to_head(engine, MIGRATIONS)
    async with engine.connect() as conn:
        units = dict((await conn.execute(sa.text("SELECT key, target_unit FROM measures"))).all())
        answered_by = (await conn.execute(sa.text("SELECT department FROM measure_feedback"))).scalar_one()
        account = (await conn.execute(sa.text("SELECT department FROM api_tokens"))).scalar_one()
        drift = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    await engine.dispose()
    assert units == {"m-safety": "emergency_management", "m-other": "某个方案未列的部门"}
    assert answered_by == "emergency_management" and account == "power_company"
    assert not [d for d in drift if "measures" in str(d)], drift


async def test_0007_names_reporting_units_by_code(database_url: str) -> None:
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS, "coordinator_0006")
    meta = sa.MetaData()
    report = {"task_number": 4, "period": "2020", "kind": "annual_summary", "submitted_on": date(2020, 12, 1)}
    async with engine.begin() as conn:
        await conn.run_sync(meta.reflect, only=["annex_task_reports", "supervision_actions"])
        await conn.execute(
            meta.tables["annex_task_reports"].insert(),
            [
                {**report, "department_zh": d, "summary_zh": "s", "recorded_at": NOW, "recorded_by": "t"}
                for d in ("区应急局", "某街道安监站")
            ],
        )
        action = {
            "task_number": 4,
            "kind": "summons_interview",
            "taken_on": date(2021, 1, 5),
            "reason_zh": "r",
        }
        await conn.execute(
            meta.tables["supervision_actions"].insert(),
            [{**action, "department_zh": "区应急管理局", "recorded_at": NOW, "recorded_by": "t"}],
        )
    await upgrade_to_head(engine, MIGRATIONS)
    async with engine.connect() as conn:
        reported = {r for (r,) in await conn.execute(sa.text("SELECT department FROM annex_task_reports"))}
        summoned = (await conn.execute(sa.text("SELECT department FROM supervision_actions"))).scalar_one()
        drift = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    await engine.dispose()
    assert reported == {"emergency_management", "某街道安监站"} and summoned == "emergency_management"
    assert not [d for d in drift if "annex_task_reports" in str(d) or "supervision_actions" in str(d)], drift
