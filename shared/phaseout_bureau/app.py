"""Wires one bureau service: settings → runtime → FastAPI app (the only place dependencies are built)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI

from phaseout_bureau.domain.findings import BureauSpec
from phaseout_bureau.views import bureau_router
from phaseout_kit.runtime import ServiceRuntime
from phaseout_kit.settings import ServiceSettings
from phaseout_kit.web import create_app, serve
from phaseout_policy import load_policy

MIGRATIONS = str(files("phaseout_bureau") / "adapters" / "migrations")


def build_app(spec: BureauSpec, settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings(service=spec.name)
    runtime = ServiceRuntime(settings=settings, migrations=MIGRATIONS)
    policy = load_policy()  # the composition root: built once, handed to whatever needs it
    return create_app(
        runtime,
        title=f"{spec.title_zh} · 落后产能退出协同平台",
        description=f"{spec.department_zh}的认定与整改案件接口。认证：`Authorization: Bearer <令牌>`。",
        routers=[bureau_router(spec, policy), *(make(policy) for make in spec.extra_routers)],
    )


def run(spec: BureauSpec) -> None:
    app = build_app(spec)
    serve(app, app.state.runtime)
