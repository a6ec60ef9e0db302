"""What the bureau's service layer refuses, as exceptions without HTTP status: the kit's refusals are answered
by the kit (phaseout_kit.web), DetailsInvalid by the routes (it carries FastAPI's list of field errors)."""

from __future__ import annotations

from typing import Any

from phaseout_kit.refusals import Conflict, NotFound


class IdempotencyConflict(Conflict):
    def __init__(self, key: str) -> None:
        super().__init__(
            "同一幂等键已用于内容不同的请求",
            "idempotency key reused with a different body",
            idempotency_key=key,
        )
        self.key = key


class DetailsInvalid(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


class CaseNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("案件不存在", "no such case")
