"""The technology bureau's finding types and typed details (pure: no I/O)."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FreeTextDetails

SPEC = BureauSpec(
    name="technology",
    title_zh="技术",
    department_zh="区经济信息委、区发展改革委",
    finding_types={"equipment": "淘汰类工艺装备"},
    details_models={"equipment": FreeTextDetails},
)
