"""What the bureau's service layer refuses, as exceptions without HTTP status (the routes map them)."""

from __future__ import annotations

from typing import Any


class IdempotencyConflict(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class DetailsInvalid(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


class CaseNotFound(Exception):
    pass
