"""The safety bureau's finding types and typed details (pure: no I/O)."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FreeTextDetails

SPEC = BureauSpec(
    name="safety",
    title_zh="安全",
    department_zh="区应急管理局",
    finding_types={"hazard": "重大生产安全事故隐患"},
    details_models={"hazard": FreeTextDetails},
)
