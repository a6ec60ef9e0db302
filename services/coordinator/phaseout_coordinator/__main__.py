"""``python -m phaseout_coordinator`` (or ``phaseout-coordinator``) serves; ``python -m phaseout_coordinator rebuild`` rebuilds projections."""

import argparse
import asyncio

from phaseout_coordinator.app import build_app
from phaseout_coordinator.bootstrap import Coordinator
from phaseout_coordinator.service_layer.rebuild import rebuild
from phaseout_kit.db import upgrade_to_head
from phaseout_kit.settings import CoordinatorSettings
from phaseout_kit.web import serve


async def _rebuild() -> None:
    coordinator = Coordinator(CoordinatorSettings(service="coordinator"))
    runtime = coordinator.runtime
    await upgrade_to_head(runtime.engine, runtime.migrations)
    try:
        count = await rebuild(runtime.sessions, coordinator.projector)
        print(f"rebuilt the projections of {count} enterprises")
    finally:
        await runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="phaseout-coordinator", description="协调中心")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "rebuild"])
    args = parser.parse_args()
    if args.command == "rebuild":
        asyncio.run(_rebuild())
        return
    app = build_app()
    serve(app, app.state.runtime)


if __name__ == "__main__":
    main()
