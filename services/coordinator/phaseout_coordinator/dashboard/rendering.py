"""Jinja2 templates, their Chinese labels, and the browser assets (ours, and ECharts from node_modules)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from phaseout_bureau.domain.cases import ACTION_ZH, STATE_ZH, Action, CaseState
from phaseout_coordinator.domain.model import STATUS_ZH, Status
from phaseout_coordinator.service_layer.reports import EXECUTION_ZH
from phaseout_kit.registry import BUREAU_LABEL_ZH, DIMENSION_ZH, short_name, unit_name

HERE = Path(__file__).parent
STATIC = HERE / "static"
ECHARTS = Path("echarts") / "dist" / "echarts.min.js"
BUREAU_ZH = BUREAU_LABEL_ZH  # 区生态环境局（环保）: the registry's units and dimension
CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低（待确认）"}


def _label(table: dict[Any, str], enum: type[Any], value: Any) -> str:
    try:
        return table[enum(value)]
    except ValueError:
        return str(value)


def status_zh(value: str | None) -> str:
    return _label(STATUS_ZH, Status, value) if value else "评估中"


def state_zh(value: str | None) -> str:
    return _label(STATE_ZH, CaseState, value) if value else ""


def action_zh(value: str | None) -> str:
    return _label(ACTION_ZH, Action, value) if value else ""


def badge(status: str | None, text: str | None = None) -> Markup:
    """A coloured status label (colour and text, never colour alone)."""
    css = status if status in {s.value for s in Status} | set(EXECUTION_ZH) else "none"
    label = text or (EXECUTION_ZH.get(status or "") or status_zh(status))
    return Markup('<span class="badge badge-{}">{}</span>').format(css, label)


def to_json(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&`` in it at all (escaped as
    \\u003c …), so stored text such as ``<!--`` or ``</script>`` cannot change how the page parses the block."""
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def echarts_file() -> Path | None:
    """ECharts as npm installed it: the repository's node_modules, or the working directory's (the image)."""
    for root in (Path.cwd(), *HERE.parents):
        candidate = root / "node_modules" / ECHARTS
        if candidate.is_file():
            return candidate
    return None


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals |= {
    "DIMENSION_ZH": DIMENSION_ZH,
    "BUREAU_ZH": BUREAU_ZH,
    "OFFICE_ZH": unit_name("office"),
    "OFFICE_SHORT_ZH": short_name("office"),
    "CONFIDENCE_ZH": CONFIDENCE_ZH,
    "EXECUTION_ZH": EXECUTION_ZH,
    "badge": badge,
    "status_zh": status_zh,
    "state_zh": state_zh,
    "action_zh": action_zh,
}
templates.env.filters["json"] = to_json
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response: HTMLResponse = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
