"""Labels and state groups the office's reports share."""

from __future__ import annotations

ON_LIST_TREND = ("yellow", "red")
EXECUTION_ZH = {"pending": "待反馈", "executed": "已执行", "refused": "不予执行"}
REPORT_KIND_ZH = {"plan": "方案制定", "enforcement": "执法监管", "annual_summary": "年度总结"}
SUPERVISION_ZH = {"circulated_notice": "通报", "summons_interview": "约谈"}
