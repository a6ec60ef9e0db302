"""cosmic-ray filter: skip the mutants of annotations nothing evaluates, which are equivalent.

The mutated modules postpone the evaluation of annotations (`from __future__ import annotations`), and
nothing evaluates the annotations of a function's parameters, return and locals, of module-level names or of
a dataclass's fields at run time, so a mutant there (`int | None` → `int & None`) cannot change behaviour.
Other class-level annotations are kept: pydantic evaluates a model's field annotations.
Usage: python mutation/annotations_filter.py SESSION
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

from cosmic_ray.work_db import use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult

Span = tuple[tuple[int, int], tuple[int, int]]


@cache
def annotation_spans(path: Path) -> tuple[Span, ...]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if not any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(a.name == "annotations" for a in node.names)
        for node in tree.body
    ):
        return ()  # annotations evaluated at definition time: a mutant there may not be equivalent
    annotated: list[ast.expr] = [n.annotation for n in tree.body if isinstance(n, ast.AnnAssign)]
    for cls in ast.walk(tree):  # a dataclass keeps its field annotations as strings
        if isinstance(cls, ast.ClassDef) and any(_is_dataclass(d) for d in cls.decorator_list):
            annotated += [n.annotation for n in cls.body if isinstance(n, ast.AnnAssign)]
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = function.args
        annotated += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.annotation]
        annotated += [a.annotation for a in (args.vararg, args.kwarg) if a is not None and a.annotation]
        if function.returns is not None:
            annotated.append(function.returns)
        annotated += [n.annotation for n in ast.walk(function) if isinstance(n, ast.AnnAssign)]
    return tuple(
        ((node.lineno, node.col_offset), (node.end_lineno or node.lineno, node.end_col_offset or 0))
        for node in annotated
    )


def _is_dataclass(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "dataclass"


def inside(span: Span, spans: tuple[Span, ...]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def main(session: str) -> int:
    skipped = 0
    with use_db(session) as db:
        for item in db.work_items:
            if item.mutations and all(
                inside((tuple(m.start_pos), tuple(m.end_pos)), annotation_spans(Path(m.module_path)))  # type: ignore[arg-type]
                for m in item.mutations
            ):
                db.set_result(
                    item.job_id,
                    WorkResult(
                        output=None, test_outcome=None, diff=None, worker_outcome=WorkerOutcome.SKIPPED
                    ),
                )
                skipped += 1
    print(f"annotations filter: {skipped} mutants of function annotations skipped (equivalent)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
