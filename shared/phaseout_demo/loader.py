"""Loads the demo data set through the bureaus' own REST APIs, so the demo exercises the real path:
findings first, then every later step of each case in date order, each with the payload its action needs."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from phaseout_demo.dataset import DEMO_TODAY, DemoFinding, DemoStep, case_steps, findings
from phaseout_policy import PolicyBook

MARKER = "demo-loaded"
__all__ = ["DEMO_TODAY", "load_demo", "step_payload"]


def _months_between(start: date, end: date) -> int:
    return max(1, (end.year - start.year) * 12 + end.month - start.month)


def step_payload(
    step: DemoStep,
    finding: DemoFinding,
    previous_deadline: date | None,
    granted_deadline: date | None,
    number: int,
) -> dict[str, Any]:
    """The body of ``POST /api/v1/cases/{id}/{step.kind}`` for a demo step (months from the granted deadline)."""
    body: dict[str, Any] = {"occurred_on": step.on.isoformat(), "note": step.note}
    if step.kind == "rectification_ordered" and step.deadline:
        body["deadline"] = step.deadline.isoformat()
    elif step.kind in ("extension_requested", "extension_granted"):
        body["months"] = (
            min(3, _months_between(previous_deadline, granted_deadline))
            if previous_deadline and granted_deadline
            else 3
        )
    elif step.kind == "closure_approved":
        body["document_no"] = f"涪府函〔{step.on.year}〕{100 + number}号"
    elif step.kind == "closure_executed":
        line = finding.body.get("production_line") or {}
        body.update(way=step.way or "closed", line_name=line.get("name"), capacity=line.get("capacity"))
    return body


async def load_demo(url_of: Callable[[str], str], data_dir: Path, policy: PolicyBook) -> str:
    """Post the demo through the bureaus' APIs; ``policy``: the book of the command that runs it."""
    marker = data_dir / MARKER
    if marker.exists():
        return f"already loaded ({marker.read_text().strip()}); `make reset` starts afresh"
    steps: dict[str, list[DemoStep]] = defaultdict(list)
    for step in case_steps(policy):
        steps[step.external_ref].append(step)
    posted = {"findings": 0, "steps": 0}
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def post(url: str, bureau: str, body: dict[str, Any]) -> dict[str, Any]:
            response = await client.post(
                url, json=body, headers={"Authorization": f"Bearer demo-{bureau}-writer"}
            )
            if response.status_code not in (200, 201):
                raise RuntimeError(
                    f"demo data rejected by {bureau} at {url}: {response.status_code} {response.text}"
                )
            result: dict[str, Any] = response.json()
            return result

        async def load_case(number: int, finding: DemoFinding) -> None:
            base = url_of(finding.bureau)
            case = await post(f"{base}/api/v1/findings", finding.bureau, finding.body)
            posted["findings"] += 1
            deadline: date | None = None
            ordered = sorted(steps.get(finding.body["external_ref"], []), key=lambda s: s.on)
            granted = next((s.deadline for s in ordered if s.kind == "extension_granted"), None)
            for step in ordered:
                body = step_payload(step, finding, deadline, granted, number)
                await post(f"{base}/api/v1/cases/{case['finding_id']}/{step.kind}", finding.bureau, body)
                deadline = step.deadline or deadline
                posted["steps"] += 1

        await asyncio.gather(*(load_case(n, f) for n, f in enumerate(findings(policy))))
    summary = f"{posted['findings']} findings and {posted['steps']} case steps posted to the five bureaus"
    marker.write_text(summary + "\n")
    return summary
