"""Turning stored bureau events into the engine's facts about one enterprise (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from phaseout_bureau.results import typed_result
from phaseout_coordinator.domain.model import CaseStep, EnterpriseFacts, Finding


@dataclass(frozen=True)
class StoredFact:
    event_id: str
    bureau: str
    sequence: int
    type: str
    data: dict[str, Any]


def facts_of(uscc: str, events: Iterable[StoredFact], affiliates: Iterable[str] = ()) -> EnterpriseFacts:
    findings: list[Finding] = []
    steps: list[CaseStep] = []
    for e in events:
        d = e.data
        if e.type.endswith(".finding.recorded"):
            findings.append(
                Finding(
                    event_id=e.event_id,
                    case_id=d["finding_id"],
                    bureau=e.bureau,
                    uscc=uscc,
                    enterprise_name=d["enterprise_name"],
                    finding_type=d["finding_type"],
                    found_on=date.fromisoformat(d["found_on"]),
                    severity=d["severity"],
                    industry=d["industry"],
                    legal_basis=d["legal_basis"],
                    production_line=d.get("production_line"),
                    derived=d.get("derived") or {},
                    result=typed_result(e.bureau, d["finding_type"], d.get("derived") or {}),
                )
            )
        elif ".case." in e.type:
            steps.append(
                CaseStep(
                    event_id=e.event_id,
                    case_id=d["case_id"],
                    bureau=e.bureau,
                    action=d["action"],
                    from_state=d["from_state"],
                    to_state=d["to_state"],
                    occurred_on=date.fromisoformat(d["occurred_on"]),
                    deadline=date.fromisoformat(d["deadline"]) if d.get("deadline") else None,
                    details=d.get("details") or {},
                    rule=d.get("rule"),
                    sequence=e.sequence,
                )
            )
    findings.sort(key=lambda f: (f.found_on, f.bureau, f.case_id))
    steps.sort(key=lambda s: (s.occurred_on, s.bureau, s.sequence))
    name = findings[-1].enterprise_name if findings else ""
    return EnterpriseFacts(
        uscc=uscc,
        name=name,
        findings=tuple(findings),
        steps=tuple(steps),
        affiliates=tuple(sorted(set(affiliates))),
    )


@dataclass(frozen=True)
class Registration:
    """What the registry knows of an enterprise, as its latest finding describes it."""

    name: str
    town: str
    industrial_park: str | None
    industry: str
    first_found_on: date
    finding_count: int
    lines: list[dict[str, Any]]


def registration_of(events: Iterable[StoredFact]) -> Registration | None:
    findings = sorted(
        (e for e in events if e.type.endswith(".finding.recorded")),
        key=lambda e: (e.data["found_on"], e.bureau, e.sequence),
    )
    if not findings:
        return None
    latest = findings[-1].data
    lines: dict[str, dict[str, Any]] = {}
    for e in findings:
        line = e.data.get("production_line")
        if line:
            lines[line["name"]] = line
    return Registration(
        name=latest["enterprise_name"],
        town=latest["town"],
        industrial_park=next(
            (e.data["industrial_park"] for e in reversed(findings) if e.data.get("industrial_park")), None
        ),
        industry=latest["industry"],
        first_found_on=date.fromisoformat(findings[0].data["found_on"]),
        finding_count=len(findings),
        lines=[lines[k] for k in sorted(lines)],
    )
