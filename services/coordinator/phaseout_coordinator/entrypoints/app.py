"""Wires the coordinator: runtime, bus consumer, catch-up from the bureaus' feeds, API."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI

from phaseout_coordinator.adapters.feeds import BureauFeeds
from phaseout_coordinator.domain.intake import check_bureau_event
from phaseout_coordinator.entrypoints.api import coordinator_router
from phaseout_coordinator.service_layer.catchup import CatchUp
from phaseout_coordinator.service_layer.ingest import ensure_cursors, store_event
from phaseout_kit.events.inbox import IdempotentConsumer
from phaseout_kit.runtime import ServiceRuntime
from phaseout_kit.settings import BUREAUS, DEADLETTER_TOPIC, CoordinatorSettings, topic_for
from phaseout_kit.web import create_app

MIGRATIONS = str(files("phaseout_coordinator") / "adapters" / "migrations")


def build_app(settings: CoordinatorSettings | None = None) -> FastAPI:
    settings = settings or CoordinatorSettings(service="coordinator")
    runtime = ServiceRuntime(settings=settings, migrations=MIGRATIONS)
    consumer = IdempotentConsumer(
        runtime.sessions,
        bootstrap=settings.kafka_bootstrap,
        topics=[topic_for(b) for b in BUREAUS],
        group_id=settings.consumer_group,
        validate=check_bureau_event,
        handler=store_event,
        monitor=runtime.monitor,
        partitions=settings.topic_partitions,
        deadletter_topic=DEADLETTER_TOPIC,
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
    )
    catch_up = CatchUp(runtime.sessions, BureauFeeds(settings.bureau_urls, settings.feed_token))

    async def start(rt: ServiceRuntime) -> None:
        async with rt.unit_of_work() as session:
            await ensure_cursors(session)
        consumer.start()
        catch_up.start()

    async def stop(_rt: ServiceRuntime) -> None:
        await consumer.stop()
        await catch_up.stop()

    app = create_app(
        runtime,
        title="协调中心 · 落后产能退出协同平台",
        description="领导小组办公室：按统一社会信用代码汇总五个委办局的认定与案件。认证：`Authorization: Bearer <令牌>`。",
        routers=[coordinator_router()],
        on_start=[start],
        on_stop=[stop],
    )
    app.state.consumer = consumer
    app.state.catch_up = catch_up
    return app
