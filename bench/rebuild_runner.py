"""Times ``rebuild()`` of the coordinator in its own process (so py-spy can attach to it).

``--time-cap S`` stops after the first batch that ends past S seconds and reports the rate over what was done.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time


class TimeCap(Exception):
    pass


async def main(args: argparse.Namespace) -> dict[str, object]:
    import sqlalchemy as sa

    from phaseout_coordinator.service_layer.projector import Projector
    from phaseout_coordinator.service_layer.rebuild import analyze_projections, rebuild
    from phaseout_kit.clock import DistrictClock
    from phaseout_kit.db import make_engine, make_session_factory
    from phaseout_policy import load_policy

    engine = make_engine(args.url)
    sessions = make_session_factory(engine)
    projector = Projector(sessions, DistrictClock(), load_policy())
    state = {"done": 0, "total": 0, "projection_started": 0.0}
    called = time.monotonic()

    def progress(done: int, total: int, started: float) -> None:
        state.update(done=done, total=total, projection_started=started)
        if args.time_cap and time.monotonic() - called > args.time_cap and done < total:
            raise TimeCap

    capped = False
    try:
        await rebuild(sessions, projector, progress=progress)
    except TimeCap:
        capped = True
    elapsed = time.monotonic() - called
    if capped:  # what rebuild() does at its end, so P4 queries what a finished rebuild leaves
        await analyze_projections(sessions)
    async with sessions() as session:
        if capped and state["done"]:
            last = await session.scalar(
                sa.text(
                    "SELECT uscc FROM (SELECT DISTINCT uscc FROM received_events ORDER BY uscc) s "
                    "OFFSET :n LIMIT 1"
                ),
                {"n": state["done"] - 1},
            )
            events = await session.scalar(
                sa.text("SELECT count(*) FROM received_events WHERE uscc <= :u"), {"u": last}
            )
        else:
            events = await session.scalar(sa.text("SELECT count(*) FROM received_events"))
    await engine.dispose()
    return {
        "capped": capped,
        "enterprises_done": state["done"],
        "enterprises_total": state["total"],
        "events_done": int(events or 0),
        "seconds": round(elapsed, 2),
        "setup_seconds": round(state["projection_started"] - called, 2),
        "events_per_s": round(int(events or 0) / elapsed, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--time-cap", type=float, default=0)
    result = asyncio.run(main(parser.parse_args()))
    print(json.dumps(result), flush=True)
