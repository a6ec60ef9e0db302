"""The coordinator's FastAPI application: the API's and the dashboard's routers over one Coordinator (bootstrap)."""

from __future__ import annotations

from fastapi import FastAPI

from phaseout_coordinator.bootstrap import Coordinator
from phaseout_coordinator.dashboard.public_pages import public_pages_router
from phaseout_coordinator.dashboard.views import dashboard_router
from phaseout_coordinator.entrypoints.api import coordinator_router
from phaseout_coordinator.entrypoints.office_api import office_router
from phaseout_coordinator.entrypoints.public_api import public_router
from phaseout_kit.registry import short_name
from phaseout_kit.settings import CoordinatorSettings
from phaseout_kit.web import create_app


def build_app(settings: CoordinatorSettings | None = None) -> FastAPI:
    coordinator = Coordinator(settings or CoordinatorSettings(service="coordinator"))
    app = create_app(
        coordinator.runtime,
        title="协调中心 · 落后产能退出协同平台",
        description=(
            f"{short_name('office')}：按统一社会信用代码汇总五个委办局的认定与案件，依规作出黄牌、红牌、退出、联合惩戒和电价决定，"
            "每项决定均可说明依据。认证：`Authorization: Bearer <令牌>`。"
        ),
        routers=[
            office_router(),  # office first: /enterprises/export
            public_router(),
            coordinator_router(),
            dashboard_router(),  # GET / → /dashboard/; pages, static assets, ECharts from node_modules
            public_pages_router(),
        ],
        on_start=[coordinator.start],
        on_stop=[coordinator.stop],
    )
    app.state.coordinator = coordinator
    return app
