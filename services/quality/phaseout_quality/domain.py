"""The quality bureau's finding types and typed details (pure: no I/O)."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FreeTextDetails

SPEC = BureauSpec(
    name="quality",
    title_zh="质量",
    department_zh="区市场监管局",
    finding_types={"product": "产品质量不符合强制性标准"},
    details_models={"product": FreeTextDetails},
)
