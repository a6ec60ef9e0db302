"""The environment bureau's finding types and typed details (pure: no I/O)."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FreeTextDetails

SPEC = BureauSpec(
    name="environment",
    title_zh="环保",
    department_zh="区生态环境局",
    finding_types={"emission": "超标排放"},
    details_models={"emission": FreeTextDetails},
)
