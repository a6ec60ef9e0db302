"""Event templates built through the real bureau code paths.

The demo data set (its findings and every case step, five bureaus) is posted to the five bureau apps running
in-process (real FastAPI app, real service layer, SQLite in a temporary folder, no broker needed), and the
events they append to their outboxes are read back. Each template is one case: the ``finding.recorded``
event and the ``case.<action>`` events that followed, exactly as the coordinator would receive them.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import logging
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from phaseout_kit.registry import BUREAUS


@dataclass(frozen=True)
class TemplateEvent:
    bureau: str
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class CaseTemplate:
    bureau: str
    found_on: date
    events: tuple[TemplateEvent, ...]


async def _capture(tmp: Path) -> list[CaseTemplate]:
    from phaseout_bureau.app import build_app
    from phaseout_demo.dataset import DemoStep, case_steps, findings
    from phaseout_demo.loader import step_payload
    from phaseout_kit.events.outbox import OutboxRecord
    from phaseout_kit.ports import unused_port
    from phaseout_kit.settings import ServiceSettings
    from phaseout_policy import load_policy

    logging.getLogger().setLevel(logging.ERROR)
    nowhere = f"127.0.0.1:{unused_port()}"  # no broker: the relays just keep retrying in the background
    apps = {}
    for bureau in BUREAUS:
        spec = importlib.import_module(f"phaseout_{bureau}.domain").SPEC
        settings = ServiceSettings(
            service=bureau, database_url=f"sqlite+aiosqlite:///{tmp / bureau}.db", kafka_bootstrap=nowhere
        )
        apps[bureau] = build_app(spec, settings)
    steps: dict[str, list[DemoStep]] = defaultdict(list)
    policy = load_policy()  # the benchmark is a command of its own
    for step in case_steps(policy):
        steps[step.external_ref].append(step)
    lifespans = [app.router.lifespan_context(app) for app in apps.values()]
    for cm in lifespans:
        await cm.__aenter__()
    try:
        clients = {
            b: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://bureau",
                headers={"Authorization": f"Bearer demo-{b}-writer"},
            )
            for b, app in apps.items()
        }
        for number, finding in enumerate(findings(policy)):
            client = clients[finding.bureau]
            created = await client.post("/api/v1/findings", json=finding.body)
            created.raise_for_status()
            case_id = created.json()["finding_id"]
            ordered = sorted(steps.get(finding.body["external_ref"], []), key=lambda s: s.on)
            granted = next((s.deadline for s in ordered if s.kind == "extension_granted"), None)
            deadline = None
            for step in ordered:
                body = step_payload(step, finding, deadline, granted, number)
                r = await client.post(f"/api/v1/cases/{case_id}/{step.kind}", json=body)
                r.raise_for_status()
                deadline = step.deadline or deadline
        for c in clients.values():
            await c.aclose()
        by_case: dict[tuple[str, str], list[TemplateEvent]] = defaultdict(list)
        for bureau, app in apps.items():
            runtime = app.state.runtime
            async with runtime.sessions() as session:
                rows = await session.scalars(sa.select(OutboxRecord).order_by(OutboxRecord.sequence))
                for row in rows:
                    case = row.data.get("finding_id") or row.data["case_id"]
                    by_case[(bureau, case)].append(TemplateEvent(bureau, row.type, row.data))
    finally:
        for cm in reversed(lifespans):
            await cm.__aexit__(None, None, None)
    return [
        CaseTemplate(bureau, date.fromisoformat(events[0].data["found_on"]), tuple(events))
        for (bureau, _case), events in by_case.items()
    ]


ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "results" / "templates.json"
SOURCES = ("shared/phaseout_bureau", "shared/phaseout_demo", "shared/phaseout_policy", "shared/phaseout_kit")


def _source_hash() -> str:
    """The templates depend on the bureau, demo, policy and kit code: a change of any re-captures them."""
    digest = hashlib.sha256()
    paths = [p for s in SOURCES for p in (ROOT / s).rglob("*") if p.suffix in (".py", ".json")]
    paths += [p for b in BUREAUS for p in (ROOT / "services" / b).rglob("*.py")]
    for p in sorted(paths):
        digest.update(str(p.relative_to(ROOT)).encode())
        digest.update(p.read_bytes())
    return digest.hexdigest()


async def capture_templates() -> list[CaseTemplate]:
    key = _source_hash()
    if CACHE.exists():
        cached = json.loads(CACHE.read_text())
        if cached.get("key") == key:
            return [
                CaseTemplate(
                    t["bureau"],
                    date.fromisoformat(t["found_on"]),
                    tuple(TemplateEvent(**e) for e in t["events"]),
                )
                for t in cached["templates"]
            ]
    with tempfile.TemporaryDirectory(prefix="phaseout-bench-") as tmp:
        templates = await _capture(Path(tmp))
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_text(
        json.dumps(
            {
                "key": key,
                "templates": [
                    {
                        "bureau": t.bureau,
                        "found_on": t.found_on.isoformat(),
                        "events": [asdict(e) for e in t.events],
                    }
                    for t in templates
                ],
            },
            ensure_ascii=False,
        )
    )
    return templates


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    templates = asyncio.run(capture_templates())
    print(
        f"{len(templates)} templates, {sum(len(t.events) for t in templates)} events "
        f"in {time.perf_counter() - started:.1f} s"
    )
    t = max(templates, key=lambda t: len(t.events))
    for e in t.events[:3]:
        print(e.type, json.dumps(e.data, ensure_ascii=False)[:1500])
