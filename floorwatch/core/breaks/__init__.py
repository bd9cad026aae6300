"""Break compliance of one agent, live: is a break due, overdue, was a rule missed (docs/breaks.md).

The policy (`policy`, read from files by `profiles`) is a list of rules built from primitives;
this track follows the agent's working day against each of them (`rules`, `progress`) and
against the schedule (`adherence`). The framing is protective: the figures say when the next break is
*due*, and a rule is flagged only after its grace. `docs/breaks.md` has the definitions.

A working day starts at the first staffed state and ends when the agent has been logged out
for `policy.new_day_after_logged_out_seconds`; rules due "by the end of the day" are judged
then. Worked time counts every staffed state except unpaid breaks.
"""

from __future__ import annotations

from floorwatch.core.breaks.figures import (
    BreakFigures,
    BreakRequired,
    compliance_ratio_by_basis,
    team_compliance_ratio,
    view,
)
from floorwatch.core.breaks.hooks import on_contact, on_schedule, on_schedule_work, on_state, on_state_work
from floorwatch.core.breaks.policy import BASES, BreakPolicy, BreakRule, PolicyError
from floorwatch.core.breaks.profiles import PROFILES, default_policy, load_policy, load_profile, parse_policy
from floorwatch.core.breaks.progress import BreakRuleBreached
from floorwatch.core.breaks.track import BreakTaken, BreakTrack, BreakWork, advance, advance_work, initial

__all__ = [
    "BASES",
    "PROFILES",
    "BreakFigures",
    "BreakPolicy",
    "BreakRequired",
    "BreakRule",
    "BreakRuleBreached",
    "BreakTaken",
    "BreakTrack",
    "BreakWork",
    "PolicyError",
    "advance",
    "advance_work",
    "compliance_ratio_by_basis",
    "default_policy",
    "initial",
    "load_policy",
    "load_profile",
    "on_contact",
    "on_schedule",
    "on_schedule_work",
    "on_state",
    "on_state_work",
    "parse_policy",
    "team_compliance_ratio",
    "view",
]
