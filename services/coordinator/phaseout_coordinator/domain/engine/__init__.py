"""The policy engine (pure): one enterprise's facts, a date and the policy book → its decisions, explained.

Each case (a finding and the steps its bureau recorded) is replayed into a timeline of statuses in business
time: 黄牌 while it is open, 红牌 from the day after a missed deadline, after a failed re-inspection or a
closure proposal, 已退出 from the executed closure, 合规 from a passed re-inspection. Lists, joint-punishment
measures and electricity-price instructions are read off those timelines; each carries the rules (document,
clause) and the events it rests on. Where the plan is silent the engine follows the local operating rules of
``coordinator_rules.json`` and cites them.

Facts dated after ``as_of`` are ignored and intervals still running on ``as_of`` are shown open, so an
assessment is what the office could know that day; ``next_change_on`` is when the next one will differ.

The sections: common (helpers), timeline (one case), lists, punishment (joint measures), prices, assessment
(`evaluate`), diff (`decision_diff`, the decision events).
"""

from __future__ import annotations

from phaseout_coordinator.domain.engine.assessment import evaluate
from phaseout_coordinator.domain.engine.common import EXIT_WAY_ZH
from phaseout_coordinator.domain.engine.diff import decision_diff

__all__ = ["EXIT_WAY_ZH", "decision_diff", "evaluate"]
