"""What the policy book holds, for the office: each data file, and each instrument's chain of editions with the
dates it is in force, what each replaces and what of it is on file (pure: reads the book)."""

from __future__ import annotations

from datetime import date
from typing import Any

from phaseout_policy import PolicyBook, Rule
from phaseout_policy.book import in_force


def _dates(r: Rule) -> dict[str, Any]:
    return {
        "valid_from": r.valid_from.isoformat() if r.valid_from else None,
        "valid_to": r.valid_to.isoformat() if r.valid_to else None,
        "confidence": r.confidence,
        "source": r.source,
    }


def _edition(r: Rule, on: date, **more: Any) -> dict[str, Any]:
    return {"document": r.document, "in_force_today": r.in_force(on), **_dates(r), **more}


def chains(policy: PolicyBook, today: date) -> list[dict[str, Any]]:
    """Every instrument the engine or a bureau check uses, each edition with its dates and what is on file."""
    out: list[dict[str, Any]] = []
    energy: dict[str, list[dict[str, Any]]] = {}
    for e in sorted(policy.energy.editions, key=lambda e: (e.standard, e.valid_from or date.min)):
        energy.setdefault(e.standard, []).append(
            _edition(e, today, replaces=e.replaces, values_on_file=e.values_on_file)
        )
    out += [{"instrument_zh": f"{s} 单位产品能源消耗限额", "editions": eds} for s, eds in energy.items()]
    out.append(
        {
            "instrument_zh": "工贸企业重大事故隐患判定标准",
            "editions": [
                _edition(
                    d,
                    today,
                    title_zh=(d.model_extra or {}).get("title_zh"),
                    items_on_file=len(policy.safety.records)
                    if d.id == "standard_2017"
                    else len(policy.hazards_2023.records),
                )
                for d in policy.safety.documents
            ],
        }
    )
    catalogues = [d for d in policy.catalogue.documents if d.id.startswith("catalogue_")]
    out.append(
        {
            "instrument_zh": "产业结构调整指导目录（淘汰类）",
            "editions": [
                _edition(
                    d,
                    today,
                    title_zh=(d.model_extra or {}).get("title_zh"),
                    items_on_file=sum(
                        1 for i in policy.catalogue.records if i.in_force(d.valid_from or d.valid_to or today)
                    ),
                )
                for d in catalogues
            ],
        }
    )
    credit = [i for i in policy.credit.records if i.chain == "ndrc_credit_repair"]
    out.append(
        {
            "instrument_zh": "信用修复（失信信息公示期限）",
            "editions": [_edition(i, today, title_zh=i.title_zh) for i in credit],
        }
    )
    out.append(
        {
            "instrument_zh": "区年度实施方案",
            "editions": [
                _edition(p, today, title_zh=p.title_zh, year=p.year, tasks=len(policy.annex_tasks(p.year)))
                for p in policy.plan.plan_years
            ],
        }
    )
    return out


def overview(policy: PolicyBook, today: date) -> dict[str, Any]:
    files: list[Any] = [  # each has file, description, unverified
        policy.plan,
        policy.energy,
        policy.electricity,
        policy.credit,
        policy.safety,
        policy.hazards_2023,
        policy.catalogue,
        policy.local,
        policy.coordinator,
    ]
    current_plan = in_force(policy.plan.plan_years, today)
    return {
        "policy_version": policy.version,
        "as_of": today.isoformat(),
        "plan_in_force": current_plan.year if current_plan else None,
        "files": [
            {
                "file": f.file,
                "description": f.description,
                "unverified": len(f.unverified),
            }
            for f in files
        ],
        "chains": chains(policy, today),
    }
