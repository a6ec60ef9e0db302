"""The office's reports, one module per kind: statistics, annex tasks (reports, overdue summaries, supervision),
table rows (measures, enterprises) and the annual report; labels holds their Chinese labels."""

from __future__ import annotations

from phaseout_coordinator.service_layer.reports.annex import (
    annex_progress,
    overdue_summaries,
    plan_note_zh,
    plan_view,
    record_report,
    record_supervision,
    summary_due,
)
from phaseout_coordinator.service_layer.reports.annual import annual_report, annual_report_sheets
from phaseout_coordinator.service_layer.reports.labels import EXECUTION_ZH
from phaseout_coordinator.service_layer.reports.statistics import statistics
from phaseout_coordinator.service_layer.reports.tables import (
    ENTERPRISE_COLUMNS,
    MEASURE_COLUMNS,
    MeasureFilter,
    enterprise_rows,
    enterprise_table,
    measure_rows,
    measure_table,
)

__all__ = [
    "ENTERPRISE_COLUMNS",
    "EXECUTION_ZH",
    "MEASURE_COLUMNS",
    "MeasureFilter",
    "annex_progress",
    "annual_report",
    "annual_report_sheets",
    "enterprise_rows",
    "enterprise_table",
    "measure_rows",
    "measure_table",
    "overdue_summaries",
    "plan_note_zh",
    "plan_view",
    "record_report",
    "record_supervision",
    "statistics",
    "summary_due",
]
