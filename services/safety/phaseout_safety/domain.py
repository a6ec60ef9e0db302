"""The safety bureau: its finding types, each declared once (code, title, details, check); the checks are in
checks.py, the details in details.py."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FindingType
from phaseout_safety.checks import check_major_hazard, check_suspension
from phaseout_safety.details import MajorHazardDetails, StandardisationDetails, SuspensionDetails

SPEC = BureauSpec(
    name="safety",
    types=(
        FindingType("major_hazard", "重大生产安全事故隐患", MajorHazardDetails, check_major_hazard),
        FindingType("standardisation_not_met", "安全生产标准化未达标", StandardisationDetails),
        FindingType("suspension_order", "责令停产停业整顿", SuspensionDetails, check_suspension),
    ),
)
