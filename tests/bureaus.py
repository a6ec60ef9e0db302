"""The five bureaus' specifications by name, for tests that speak to each bureau."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_environment.domain import SPEC as ENVIRONMENT
from phaseout_quality.domain import SPEC as QUALITY
from phaseout_safety.domain import SPEC as SAFETY
from phaseout_technology.domain import SPEC as TECHNOLOGY

SPECS: dict[str, BureauSpec] = {s.name: s for s in (ENERGY, ENVIRONMENT, QUALITY, SAFETY, TECHNOLOGY)}
