"""``make bench ARGS=--quick`` runs end to end, so the benchmark harness never rots.

Behaviour only, no timing: every stage ran without error, every finding of P1 became visible in the
coordinator, the rebuild projected the whole store, every query answered 200, and the table shows every
measure. The figures themselves are the benchmark's business (README, "Benchmarks").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"broker", "coordinator", "energy", "environment", "quality", "safety", "technology", "launcher"}


def test_quick_benchmark_runs_every_stage(tmp_path: Path) -> None:
    out = tmp_path / "quick.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=220,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["size"] == "quick" and r["errors"] == {}, r["errors"]
    assert set(r["stage_seconds"]) == {"ceilings", "embedded", "pg", "store"}

    ceilings = r["ceilings"]
    assert ceilings["fastapi"]["ok_rate"] > 0 and ceilings["fastapi_pg_insert"]["ok_rate"] > 0
    assert r["pg"]["kafka_ceiling"]["produce_consume_per_s"] > 0
    assert r["store"]["copy_ceiling"]["rows"] > 0

    p1 = r["pg"]["p1"]
    # Every finding a bureau accepted becomes visible; near capacity a bureau may only shed load as 503.
    assert p1["findings"] > 0 and p1["not_visible"] == 0
    assert set(p1["statuses"]) <= {"201", "503"}, p1["statuses"]
    sampled_ok, sampled = p1["dossier_sample_ok"].split("/")
    assert sampled_ok == sampled
    final = r["pg"]["p2"]["final"]
    # Near the bureaus' capacity an overloaded service may shed load, but only as 503 with Retry-After.
    assert final["accepted_per_s"] > 0 and "201" in final["statuses"]
    assert set(final["statuses"]) <= {"201", "503"}, final["statuses"]

    rebuild, dataset = r["store"]["rebuild"], r["store"]["dataset"]
    assert not rebuild["capped"] and rebuild["events_done"] == dataset["events"] > 0
    assert rebuild["enterprises_done"] == rebuild["enterprises_total"] > 0
    queries = r["store"]["queries"]
    for name in ("dossier", "search_status_town", "list_red_now", "list_yellow_as_of_past", "stats"):
        assert set(queries[name]["statuses"]) == {"200"}, (name, queries[name]["statuses"])

    embedded = r["embedded"]
    assert embedded["ready_s"] > 0 and set(embedded["idle"]) == SERVICES
    for measure in ("P1 ", "P2 ", "P3 ", "P4 dossier", "P5 ", "P6 "):
        assert f"| {measure}" in r["table"], measure
