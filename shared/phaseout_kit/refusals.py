"""What a use case refuses, in the users' words and without HTTP: the service layers raise these, and
``phaseout_kit.web`` answers each kind with its status in one place (the dashboard shows the Chinese text)."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A request the rules do not allow. ``zh`` for the user, ``en`` for the API reader in brackets, ``field``
    the input at fault (if any), ``extra`` more facts for the answer (e.g. the state that prevents it)."""

    def __init__(self, zh: str, en: str, field: str | None = None, **extra: Any) -> None:
        super().__init__(f"{zh} ({en})")
        self.zh, self.en, self.field, self.extra = zh, en, field, extra

    @property
    def detail(self) -> str:
        return f"{self.zh} ({self.en})"


class NotFound(Refused):
    """The thing asked about does not exist (or is not visible to the asker)."""


class NotPermitted(Refused):
    """The principal may not do this to this thing."""


class Invalid(Refused):
    """The input breaks a rule; ``field`` names it."""


class FieldErrors(Invalid):
    """Several inputs at fault, answered in the shape of FastAPI's own validation errors (``loc``, ``msg``…),
    so a client handles a rule's refusal and a malformed request alike."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("请求中的字段不符合要求", "invalid fields")
        self.errors = errors


class Conflict(Refused):
    """The thing's current state does not allow it (e.g. publishing twice)."""
