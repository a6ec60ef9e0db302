"""Summaries of py-spy's collapsed stacks (``py-spy record -f raw``): where the samples are, by function.

``python -m bench.profile FILE [--focus SUBSTRING] [--top N]`` prints the inclusive share of every function
(a function counted once per stack) and the self share of the leaf functions.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def _short(frame: str) -> str:
    m = _FRAME.match(frame)
    if not m:
        return frame
    path = m["file"]
    for marker in ("site-packages/", "/shared/", "/services/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m['func']} ({path})"


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ") and not f.startswith("thread ")]
        stacks.append(([_short(f) for f in frames], int(count)))
    return stacks


def summarize(path: Path, *, focus: str | None = None, top: int = 25) -> dict[str, list[tuple[str, float]]]:
    stacks = load(path)
    if focus:
        stacks = [(s, c) for s, c in stacks if any(focus in f for f in s)]
    total = sum(c for _, c in stacks) or 1
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, count in stacks:
        for f in set(frames):
            inclusive[f] += count
        if frames:
            own[frames[-1]] += count
    return {
        "samples": [("total", float(total))],
        "inclusive": [(f, round(100 * c / total, 1)) for f, c in inclusive.most_common(top)],
        "self": [(f, round(100 * c / total, 1)) for f, c in own.most_common(top)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--focus")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--grep", help="only functions whose name or file contains this")
    args = parser.parse_args()
    result = summarize(args.file, focus=args.focus, top=10_000 if args.grep else args.top)
    print(f"samples: {int(result['samples'][0][1])}")
    for kind in ("inclusive", "self"):
        print(f"--- {kind} %")
        rows = [r for r in result[kind] if not args.grep or args.grep in r[0]][: args.top]
        for name, share in rows:
            print(f"{share:6.1f}  {name}")


if __name__ == "__main__":
    main()
