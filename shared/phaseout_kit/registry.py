"""Who is who on the platform, declared once: the five bureau services, the coordinator, and every unit of
the district the plan names (member units of the leading group, the departments that execute measures).

Everything else derives from here: ports, topics, service titles, dimension labels, department accounts,
the departments of the policy data's measures and annex tasks. It lives in the kit (not in the policy data)
because every service, the launcher and the token tool need it before any policy data is loaded, and it
changes when the district's organisation changes, not when a law or a plan year does. The policy data refers
to units by code (or by a name the plan uses, resolved through the aliases) and is checked against it.

Names are as the body of 涪经信发〔2020〕85号 writes them; ``aliases`` are the other spellings the plan
uses (its annex table abbreviates some), each resolved to the one unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

BureauCode = Literal["energy", "environment", "quality", "safety", "technology"]
UnitKind = Literal["office", "member", "executing", "group"]


@dataclass(frozen=True)
class Unit:
    code: str
    name_zh: str  # the plan's name, used on every page, list and document
    kind: UnitKind  # office | member (成员单位) | executing (executes measures only) | group (several bodies)
    aliases: tuple[str, ...] = ()  # other spellings in the plan (annex table), same unit
    account: bool = False  # answers measures with a department account of its own
    note: str = ""  # where the plan names it, or why it is here


UNITS: tuple[Unit, ...] = (
    Unit(
        "office",
        "涪陵区利用综合标准依法依规推动落后产能退出工作领导小组办公室",
        "office",
        aliases=("区领导小组办公室", "领导小组办公室"),
        note="方案落款；设在区经济信息委（四、(五)）",
    ),
    Unit(
        "economy",
        "区经济信息委",
        "member",
        aliases=("区经济和信息化委员会", "重庆市涪陵区经济和信息化委员会"),
        note="二、(一)(五) 责任单位；附件 第1、5、6、8、9、13–16项",
    ),
    Unit(
        "development_reform",
        "区发展改革委",
        "member",
        aliases=("区发展改革委及各相关职能部门",),
        account=True,
        note="二、(五)；三、(三)(八) 责任单位；附件 第1、5、8、9、14–16项",
    ),
    Unit("ecology_environment", "区生态环境局", "member", note="二、(二) 责任单位；附件 第2、13、15、16项"),
    Unit(
        "market_supervision",
        "区市场监管局",
        "member",
        account=True,
        note="二、(三) 责任单位；附件 第3、5、13–16项；生产许可方面联合惩戒",
    ),
    Unit(
        "emergency_management",
        "区应急管理局",
        "member",
        aliases=("区应急局",),
        account=True,
        note="二、(四)；三、(二) 责任单位；附件写作“区应急局”（第4、13–16项）；安全许可方面联合惩戒",
    ),
    Unit("finance", "区财政局", "member", account=True, note="三、(一)(六) 责任单位；附件 第7、12、14项"),
    Unit("human_resources", "区人力社保局", "member", note="三、(五) 责任单位；附件 第7、11项"),
    Unit(
        "planning_natural_resources",
        "区规划自然资源局",
        "member",
        aliases=("区规划自然资源",),
        account=True,
        note="三、(六) 责任单位（抄告单的接收部门）；附件 第12、14项",
    ),
    Unit("pboc_fuling", "人行涪陵中心支行", "member", note="三、(四) 责任单位；附件 第10项"),
    Unit(
        "banking_regulator",
        "涪陵银保监分局",
        "member",
        aliases=("涪陵银保监局",),
        note="三、(四) 责任单位；附件 第10项；附件 第14项写作“涪陵银保监局”",
    ),
    Unit("tax", "区税务局", "member", account=True, note="附件 第14项；税收管理方面联合惩戒"),
    Unit(
        "power_company",
        "电力公司（供电部门）",
        "executing",
        aliases=("电力公司", "区供电部门", "国网重庆涪陵供电公司", "国网重庆市电力公司涪陵供电分公司"),
        account=True,
        note="附件 第9项“函告电力公司”执行差别电价、阶梯电价；二、(五)2 “区供电部门”报告异常用电（方案未写全称）",
    ),
    Unit(
        "banks",
        "银行业机构（经人行涪陵中心支行、涪陵银保监分局督促）",
        "group",
        aliases=("银行业机构", "银行业机构（经人行涪陵中心支行、涪陵银保监分局引导）"),
        account=True,
        note="三、(四)：严控新增授信，压缩退出存量贷款",
    ),
    Unit(
        "credit_platform",
        "相关职能部门（市公共信用信息平台；“信用重庆”；国家企业信用信息公示系统（重庆））",
        "group",
        aliases=("市公共信用信息平台",),
        account=True,
        note="三、(八)：信用信息纳入市公共信用信息平台并公示",
    ),
)


@dataclass(frozen=True)
class Bureau:
    """A bureau service: one dimension of the five comprehensive standards, run by its responsible units."""

    code: BureauCode  # = the dimension, the service name and the topic's middle part
    dimension_zh: str  # 能耗 …
    units: tuple[str, ...]  # responsible units (责任单位), as the plan's main task names them
    port: int  # default HTTP port (embedded profile)
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


BUREAU_RECORDS: tuple[Bureau, ...] = (
    Bureau("energy", "能耗", ("economy",), 8001, "二、(一)"),
    Bureau("environment", "环保", ("ecology_environment",), 8002, "二、(二)"),
    Bureau("quality", "质量", ("market_supervision",), 8003, "二、(三)"),
    Bureau("safety", "安全", ("emergency_management",), 8004, "二、(四)"),
    Bureau("technology", "技术", ("economy", "development_reform"), 8005, "二、(五)"),
)
BUREAUS: tuple[BureauCode, ...] = tuple(b.code for b in BUREAU_RECORDS)
COORDINATOR = "coordinator"
COORDINATOR_PORT = 8000
SERVICES: tuple[str, ...] = (COORDINATOR, *BUREAUS)
SERVICE_PORTS: dict[str, int] = {COORDINATOR: COORDINATOR_PORT, **{b.code: b.port for b in BUREAU_RECORDS}}
DECISIONS_TOPIC = "phaseout.coordinator.decisions"
DEADLETTER_TOPIC = "phaseout.deadletter"

if set(get_args(BureauCode)) != set(BUREAUS):  # the static type and the records name the same bureaus
    raise RuntimeError("BureauCode and BUREAU_RECORDS disagree")

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
