"""The product's modules import in one direction: no cycle between any two of them (imports inside functions and
under TYPE_CHECKING count too, since they tie the modules together just the same)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

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


def test_a_cycle_would_be_found() -> None:
    graph = import_graph() | {"phaseout_kit.registry": {"phaseout_kit.settings"}}  # settings imports registry
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError:
        return
    raise AssertionError("the cycle settings <-> registry was not found")
