"""Who is looking: the platform's bearer token kept in an HttpOnly, SameSite=Strict cookie, the roles' page
rights, a per-session CSRF token for every form, and the route class that turns "sign in first" and
"not for your role" into a redirect and a page."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from phaseout_coordinator.dashboard.rendering import render
from phaseout_coordinator.service_layer.dashboard_sessions import session_token_hash
from phaseout_kit.auth import Principal, Role
from phaseout_kit.clock import utcnow
from phaseout_kit.registry import BUREAU_UNITS_ZH, office_label_zh, short_name, unit_name
from phaseout_kit.runtime import ServiceRuntime

COOKIE = "phaseout_session"
PREFIX = "/dashboard"
OFFICE_ROLES = (Role.OFFICE_ADMIN, Role.OFFICE_VIEWER, Role.READER)
ROLE_ZH = {
    Role.OFFICE_ADMIN: f"{short_name('office')}（管理员）",
    Role.OFFICE_VIEWER: f"{short_name('office')}（查阅）",
    Role.READER: "只读用户",
    Role.BUREAU: "责任单位",
    Role.DEPARTMENT: "执行部门",
    Role.FEED: "服务间事件读取",
}


@dataclass(frozen=True)
class Viewer:
    """The signed-in user and what the dashboard lets them do."""

    principal: Principal
    csrf: str
    session_id: str = ""  # the dashboard session (closed at logout)

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def office(self) -> bool:
        return self.role in OFFICE_ROLES

    @property
    def admin(self) -> bool:
        return self.role is Role.OFFICE_ADMIN

    @property
    def bureau(self) -> str | None:
        return self.principal.bureau if self.role is Role.BUREAU else None

    @property
    def department(self) -> str | None:
        return self.principal.department if self.role is Role.DEPARTMENT else None

    @property
    def sees_cases(self) -> bool:
        """Overview, lists, enterprises and dossiers: the office and the bureaus."""
        return self.office or self.role is Role.BUREAU

    @property
    def sees_measures(self) -> bool:
        return self.office or self.role is Role.DEPARTMENT

    @property
    def answers_measures(self) -> bool:
        return self.admin or self.role is Role.DEPARTMENT

    @property
    def label_zh(self) -> str:
        p = self.principal
        unit = unit_name(p.department) if p.department else BUREAU_UNITS_ZH.get(p.bureau or "", "")
        return f"{ROLE_ZH.get(self.role, self.role.value)}{'　' + unit if unit else ''}"

    def home(self) -> str:
        return f"{PREFIX}/" if self.sees_cases else f"{PREFIX}/measures"


class SignInRequired(Exception):
    pass


class Forbidden(Exception):
    pass


class CsrfRejected(Exception):
    pass


class FormUnreadable(Exception):
    """A form body that is not UTF-8 (no browser sends one)."""


class CrossSite(Exception):
    """A form posted from another site (its Origin is not this dashboard's)."""


def csrf_token(session_id: str, pepper: str) -> str:
    """Bound to the session (stateless double-submit): forms carry it, the server recomputes it."""
    return hmac.new(pepper.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


async def principal_for(runtime: ServiceRuntime, token: str) -> Principal | None:
    """The person a dashboard token belongs to; a service's feed token is no one's and signs no one in."""
    principal = await runtime.tokens.authenticate(runtime.sessions, token, runtime.settings.token_pepper)
    return None if principal is None or principal.role is Role.FEED else principal


async def current_viewer(request: Request) -> Viewer:
    """The cookie holds a session id; the server knows whose token it was opened with (and that it is live)."""
    runtime: ServiceRuntime = request.app.state.runtime
    session_id = request.cookies.get(COOKIE, "")
    token_hash = None
    if session_id:
        async with runtime.sessions() as session:
            token_hash = await session_token_hash(session, session_id, utcnow())
    principal = await runtime.tokens.authenticate_hash(runtime.sessions, token_hash) if token_hash else None
    if principal is None or principal.role is Role.FEED:
        raise SignInRequired
    return Viewer(principal, csrf_token(session_id, runtime.settings.token_pepper), session_id)


def allowed(check: Callable[[Viewer], bool]) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency: the signed-in viewer, if ``check`` lets them see the page."""

    async def dependency(request: Request) -> Viewer:
        viewer = await current_viewer(request)
        if not check(viewer):
            raise Forbidden
        return viewer

    return dependency


async def form_fields(request: Request, viewer: Viewer | None = None) -> dict[str, str]:
    """An urlencoded form (no multipart dependency); with a viewer, its CSRF token must match."""
    try:
        parsed = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise FormUnreadable from exc
    fields = {k: v[-1].strip() for k, v in parsed.items()}
    if viewer is not None and not hmac.compare_digest(fields.get("csrf", ""), viewer.csrf):
        raise CsrfRejected
    return fields


def set_session(response: Response, request: Request, session_id: str) -> None:
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=PREFIX,
        max_age=12 * 3600,
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")


def safe_next(target: str | None) -> str:
    """Only a path inside the dashboard (no open redirect)."""
    if target and target.startswith(f"{PREFIX}/") and "//" not in target and "\\" not in target:
        return target
    return f"{PREFIX}/"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


class PageRoute(APIRoute):
    """Dashboard routes: no session → the login page (coming back afterwards); wrong role → a 403 page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return see_other(f"{PREFIX}/login?next={quote(here, safe='')}")
            except Forbidden:
                return render(request, "message.html", {"title": "无权访问", "message": FORBIDDEN_ZH}, 403)
            except CsrfRejected:
                return render(request, "message.html", {"title": "请求已失效", "message": CSRF_ZH}, 403)
            except CrossSite:
                return render(request, "message.html", {"title": "请求已拒绝", "message": CROSS_SITE_ZH}, 403)
            except FormUnreadable:
                return render(
                    request, "message.html", {"title": "无法读取表单", "message": UNREADABLE_ZH}, 400
                )

        return run


FORBIDDEN_ZH = f"当前账号的角色无权查看此页面。如需访问，请联系{office_label_zh()}。"
CSRF_ZH = "表单已失效（安全校验未通过），请返回上一页刷新后重新提交。"
CROSS_SITE_ZH = "此表单只能从本平台的页面提交（来源校验未通过）。"
UNREADABLE_ZH = "表单内容不是 UTF-8 编码，无法读取，请从本平台的页面重新提交。"


def same_origin(request: Request) -> None:
    """CrossSite unless the form was posted from this dashboard: a browser sends Origin with every POST; a
    request without it (a script, an old client) carries no cross-site intent of a page and is let through."""
    origin = request.headers.get("origin")
    # The host only: behind a TLS-terminating proxy the scheme the service sees differs from the browser's.
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise CrossSite
