"""Whose data a principal may read or write in the coordinator, beyond the role a route requires: the rules
that look at the principal's own unit (the dashboard and the API both ask here)."""

from __future__ import annotations

from phaseout_kit.auth import Principal, Role
from phaseout_kit.refusals import Invalid, NotPermitted
from phaseout_kit.registry import bureau, is_bureau, same_unit, unit, unit_name


def unit_in_scope(principal: Principal, requested: str | None) -> str | None:
    """Whose measures a reader sees: a department only its own unit's ("" if its account names none: it sees
    nothing); anyone else the unit asked for (by code or a name the plan uses), or every unit (None).
    Raises UnknownUnit for a name the registry does not know."""
    if principal.role is Role.DEPARTMENT:
        return principal.department or ""
    return unit(requested).code if requested else None


def dimension_in_scope(principal: Principal) -> str | None:
    """Which list entries a reader sees: a bureau user those of its own dimension (as on the dashboard), anyone
    else every dimension (None)."""
    return (principal.bureau or "") if principal.role is Role.BUREAU else None


def check_may_answer(principal: Principal, target_unit: str | None) -> None:
    """A department answers only the measures addressed to its own unit; the office answers any."""
    if principal.role is Role.DEPARTMENT and principal.department != target_unit:
        raise NotPermitted("该措施不是发给本部门的", "measure addressed to another department")


def reporting_unit(principal: Principal, requested: str | None) -> str:
    """Who reports on an annex task: a department or bureau user for its own unit (by default), the office
    for a unit it names. Returns the unit as requested (the task's check turns it into what is stored)."""
    if principal.role is Role.DEPARTMENT:
        allowed: tuple[str, ...] | None = (principal.department,) if principal.department else ()
    elif principal.role is Role.BUREAU:
        allowed = bureau(principal.bureau).units if principal.bureau and is_bureau(principal.bureau) else ()
    else:
        allowed = None
    department = requested or (allowed[0] if allowed else None)
    if department is None:
        raise Invalid("请填写报送部门", "department_zh is required", "department_zh")
    if allowed is not None and not any(same_unit(department, a) for a in allowed):
        own = "、".join(unit_name(a) for a in allowed)
        raise NotPermitted(f"只能报送本单位的情况：{own}", "report for your own unit")
    return department
