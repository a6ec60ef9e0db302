"""The chaos layer's figures appear in pytest's terminal summary, so CI logs show them even under ``-q``."""

from __future__ import annotations

from typing import Any

from tests.chaos.support import FIGURES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("chaos figures (accepted / delivered / lost / duplicated)")
        for line in FIGURES:
            terminalreporter.write_line(line)
