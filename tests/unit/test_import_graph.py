"""The product's modules import in one direction: no cycle between any two of them (imports inside functions and
under TYPE_CHECKING count too, since they tie the modules together just the same)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    start = next(i for i, part in enumerate(parts) if part.startswith("phaseout_"))
    names = parts[start:]
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def _product_modules() -> dict[str, Path]:
    paths = [p for top in ("services", "shared") for p in (ROOT / top).rglob("phaseout_*/**/*.py")]
    return {_module(p): p for p in paths if "migrations" not in p.parts}


def import_graph() -> dict[str, set[str]]:
    modules = _product_modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def test_the_graph_sees_the_product() -> None:
    graph = import_graph()
    assert "phaseout_coordinator.domain.engine" in graph and "phaseout_energy.checks" in graph
    assert "phaseout_energy.details" in graph["phaseout_energy.checks"]


def test_no_import_cycle_between_modules() -> None:
    try:
        tuple(TopologicalSorter(import_graph()).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def room_graph(depth: int) -> dict[str, set[str]]:
    """The graph between rooms: modules grouped by their first ``depth`` name parts (1: the packages,
    ``phaseout_kit``; 2: the rooms inside them, ``phaseout_coordinator.dashboard``)."""

    def room(module: str) -> str:
        return ".".join(module.split(".")[:depth])

    graph: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        graph.setdefault(room(module), set()).update(room(t) for t in targets if room(t) != room(module))
    return graph


@pytest.mark.parametrize("depth", [1, 2])
def test_no_import_cycle_between_packages_or_rooms(depth: int) -> None:
    try:
        tuple(TopologicalSorter(room_graph(depth)).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle between rooms: {' -> '.join(exc.args[1])}") from None


def test_the_kit_imports_no_other_package_and_nothing_imports_the_platform_command() -> None:
    packages = room_graph(1)
    assert packages["phaseout_kit"] == set()
    assert not [p for p, targets in packages.items() if "phaseout_platform" in targets]


def test_the_coordinators_layers_point_inwards() -> None:
    """domain ← adapters ← service_layer ← entrypoints, dashboard ← bootstrap, app; the API and the
    dashboard do not import each other (both reach the composition root through app.state)."""
    rooms = {
        r.removeprefix("phaseout_coordinator."): {t.removeprefix("phaseout_coordinator.") for t in ts}
        for r, ts in room_graph(2).items()
        if r.startswith("phaseout_coordinator.")
    }
    assert not rooms["domain"] & {"adapters", "service_layer", "entrypoints", "dashboard", "bootstrap", "app"}
    assert not rooms["service_layer"] & {"entrypoints", "dashboard", "app"}
    assert "dashboard" not in rooms["entrypoints"] and "entrypoints" not in rooms["dashboard"]


def test_a_cycle_would_be_found() -> None:
    graph = import_graph() | {"phaseout_kit.registry": {"phaseout_kit.settings"}}  # settings imports registry
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError:
        return
    raise AssertionError("the cycle settings <-> registry was not found")
