"""Who is who on the platform, declared once: the five bureau services, the coordinator, and every unit of
the district the plan names (member units of the leading group, the departments that execute measures).

Everything else derives from here: ports, topics, service titles, dimension labels, department accounts,
the departments of the policy data's measures and annex tasks. It lives in the kit (not in the policy data)
because every service, the launcher and the token tool need it before any policy data is loaded, and it
changes when the district's organisation changes, not when a law or a plan year does. The policy data refers
to units by code (or by a name the plan uses, resolved through the aliases) and is checked against it.

The facts are data, ``registry.json`` next to this module (checked whole at import: codes, names and aliases
unique, bureaus exactly the five, no shared port); a deployment whose district renames a unit points
``PHASEOUT_REGISTRY`` at its own copy. Names are as the body of 涪经信发〔2020〕85号 writes them; ``aliases``
are the other spellings the plan uses (its annex table abbreviates some), each resolved to the one unit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

BureauCode = Literal["energy", "environment", "quality", "safety", "technology"]
UnitKind = Literal["office", "member", "executing", "group"]
COORDINATOR = "coordinator"
DECISIONS_TOPIC = "phaseout.coordinator.decisions"
DEADLETTER_TOPIC = "phaseout.deadletter"
REGISTRY_FILE = Path(__file__).with_name("registry.json")
REGISTRY_ENV = "PHASEOUT_REGISTRY"  # path of a deployment's own copy (same shape), read once at import


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z_]*$")
    name_zh: str = Field(min_length=2)  # the plan's name, used on every page, list and document
    kind: UnitKind  # office | member (成员单位) | executing (executes measures only) | group (several bodies)
    aliases: tuple[str, ...] = ()  # other spellings in the plan (annex table), same unit
    account: bool = False  # answers measures with a department account of its own
    plan_reference: str = ""  # where the plan names it


class Bureau(BaseModel):
    """A bureau service: one dimension of the five comprehensive standards, run by its responsible units."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: BureauCode  # = the dimension, the service name and the topic's middle part
    dimension_zh: str = Field(min_length=1)  # 能耗 …
    units: tuple[str, ...] = Field(
        min_length=1
    )  # responsible units (责任单位), as the plan's main task names them
    port: int = Field(ge=1, le=65535)  # default HTTP port (embedded profile)
    clause: str  # the plan's main task

    @property
    def topic(self) -> str:
        return topic_for(self.code)

    @property
    def department_zh(self) -> str:
        """The responsible units' names, e.g. 区经济信息委、区发展改革委."""
        return "、".join(unit(u).name_zh for u in self.units)

    @property
    def label_zh(self) -> str:
        """How a page names the bureau: 区生态环境局（环保）."""
        return f"{self.department_zh}（{self.dimension_zh}）"


class _Coordinator(BaseModel):
    port: int = Field(ge=1, le=65535)


class RegistryFile(BaseModel):
    """The shape of registry.json; checked whole before anything uses it."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    document: str
    source: str
    coordinator: _Coordinator
    units: tuple[Unit, ...]
    bureaus: tuple[Bureau, ...]

    @model_validator(mode="after")
    def _consistent(self) -> RegistryFile:
        codes = [u.code for u in self.units]
        names = [n for u in self.units for n in (u.name_zh, *u.aliases)]
        if len(set(codes)) != len(codes) or len(set(names)) != len(names):
            raise ValueError("a unit code, name or alias is declared twice")
        if sorted(b.code for b in self.bureaus) != sorted(get_args(BureauCode)):
            raise ValueError(f"bureaus must be exactly {get_args(BureauCode)}")
        unknown = {u for b in self.bureaus for u in b.units} - set(codes)
        if unknown:
            raise ValueError(f"bureaus name unknown units: {sorted(unknown)}")
        ports = [self.coordinator.port, *(b.port for b in self.bureaus)]
        if len(set(ports)) != len(ports):
            raise ValueError("two services share a default port")
        return self


def load_registry(path: Path) -> RegistryFile:
    return RegistryFile.model_validate(json.loads(path.read_text(encoding="utf-8")))


_REGISTRY = load_registry(Path(os.environ.get(REGISTRY_ENV) or REGISTRY_FILE))
UNITS: tuple[Unit, ...] = _REGISTRY.units
BUREAU_RECORDS: tuple[Bureau, ...] = tuple(
    sorted(_REGISTRY.bureaus, key=lambda b: get_args(BureauCode).index(b.code))
)
BUREAUS: tuple[BureauCode, ...] = tuple(b.code for b in BUREAU_RECORDS)
COORDINATOR_PORT = _REGISTRY.coordinator.port
SERVICES: tuple[str, ...] = (COORDINATOR, *BUREAUS)
SERVICE_PORTS: dict[str, int] = {COORDINATOR: COORDINATOR_PORT, **{b.code: b.port for b in BUREAU_RECORDS}}

_BY_CODE = {u.code: u for u in UNITS}
_BY_NAME = {name: u for u in UNITS for name in (u.name_zh, *u.aliases)}
_BUREAUS: dict[str, Bureau] = {b.code: b for b in BUREAU_RECORDS}


class UnknownUnit(LookupError):
    """A unit that the registry does not know by code, name or alias."""


def topic_for(service: str) -> str:
    return DECISIONS_TOPIC if service == COORDINATOR else f"phaseout.{service}.events"


def unit(ref: str) -> Unit:
    """The unit a code, a name or an alias refers to."""
    found = _BY_CODE.get(ref) or _BY_NAME.get(ref.strip())
    if found is None:
        raise UnknownUnit(ref)
    return found


def find_unit(ref: str | None) -> Unit | None:
    if not ref:
        return None
    try:
        return unit(ref)
    except UnknownUnit:
        return None


def unit_name(ref: str) -> str:
    """The registry's name for a unit; text that names no unit (e.g. 相关部门按职责分工负责) stays as it is."""
    found = find_unit(ref)
    return found.name_zh if found else ref


def bureau(code: str) -> Bureau:
    return _BUREAUS[code]


def is_bureau(code: str | None) -> bool:
    return code in _BUREAUS


def dimension_zh(code: str | None) -> str:
    """能耗 … for a bureau code; anything else as it is."""
    return _BUREAUS[code].dimension_zh if code in _BUREAUS else (code or "")


def bureau_label_zh(code: str | None) -> str:
    return _BUREAUS[code].label_zh if code in _BUREAUS else (code or "")


def short_name(code: str) -> str:
    """The short form a page uses where the full name is too long (the office: 区领导小组办公室)."""
    found = unit(code)
    return found.aliases[0] if found.aliases else found.name_zh


def office_label_zh() -> str:
    """The office as a user is told to contact it: 区领导小组办公室（区经济信息委）."""
    host = unit("economy").name_zh  # 四、(五): the office sits in the economy and information commission
    return f"{short_name('office')}（{host}）"


def same_unit(a: str, b: str) -> bool:
    """Whether two names (codes, names or aliases) mean one unit: 区应急局 is 区应急管理局."""
    found = find_unit(a)
    return a == b or (found is not None and found == find_unit(b))


DIMENSION_ZH: dict[str, str] = {b.code: b.dimension_zh for b in BUREAU_RECORDS}  # energy → 能耗
BUREAU_UNITS_ZH: dict[str, str] = {b.code: b.department_zh for b in BUREAU_RECORDS}  # → 区生态环境局
BUREAU_LABEL_ZH: dict[str, str] = {b.code: b.label_zh for b in BUREAU_RECORDS}  # → 区生态环境局（环保）
ACCOUNT_UNITS: tuple[Unit, ...] = tuple(u for u in UNITS if u.account)
