"""Stress load of one agent: a 0-100 workload and recovery exposure index (docs/stress.md).

An effort-recovery model (Meijman & Mulder 1998): work adds load, rest takes it away, and
recovery depends on how long the rest is and how much load came before it. The load is the
sum of six components in points, and the score is its bounded transform
`100 (1 - exp(-load / scale))`, so a brutal day keeps rising instead of sitting at a ceiling:

- decaying loads, fed by impulses: `workload_intensity` (each finished contact, answer to end
  of wrap-up as docs/metrics.md, adds its handle hours x an intensity that rises with last-hour
  occupancy, more steeply above the healthy band), `emotional_load` (each contact's graded
  difficulty: sentiment, complaints, escalations, transfers, holds, queue wait, repeat
  contacts, handle time against the agent's own baseline) and `back_to_back` (each contact adds
  points x exp(-gap / scale)). Each decays exponentially with a time constant per state class.
- levels: `continuous_work` (time on task: grows with work, decays exponentially at rest),
  `missed_breaks` (work beyond a break rule's limit since that rule's rest; a rest shorter than
  the rule asks credits smoothly, from half its length to all of it) and `shift_overrun`.

Every response is continuous in its inputs: no cut-off where the score jumps. The score never
rises during a rest: levels stop, loads decay, and an impulse that arrives then (e.g. post-call
sentiment) is held and added when the rest ends. Inputs are workload events and customer-side
signals only, never agent biometrics (EU AI Act Art. 5(1)(f)). Functions take `StressConfig`
(MetricConfig.stress, whose rest requirements come from the break policy).
"""

from __future__ import annotations

from floorwatch.core.stress.config import RestRequirement, StressBand, StressConfig, band_of, band_of_load
from floorwatch.core.stress.dynamics import advance
from floorwatch.core.stress.figures import StressComponents, StressFigures, view
from floorwatch.core.stress.history import occupancy_ratio
from floorwatch.core.stress.hooks import (
    Stepped,
    initial,
    on_contact,
    on_schedule,
    on_state,
    scheduled_shift_seconds,
    step_contact,
    step_contact_work,
    step_state,
    step_state_work,
)
from floorwatch.core.stress.state import (
    Loads,
    StressBandChanged,
    StressTrack,
    load_of,
    missed_break_points,
    rest_credit,
    score_of,
    shift_overrun_points,
    time_on_task_points,
)
from floorwatch.core.stress.work import StressWork

__all__ = [
    "Loads",
    "RestRequirement",
    "Stepped",
    "StressBand",
    "StressBandChanged",
    "StressComponents",
    "StressConfig",
    "StressFigures",
    "StressTrack",
    "StressWork",
    "advance",
    "band_of",
    "band_of_load",
    "initial",
    "load_of",
    "missed_break_points",
    "occupancy_ratio",
    "on_contact",
    "on_schedule",
    "on_state",
    "rest_credit",
    "scheduled_shift_seconds",
    "score_of",
    "shift_overrun_points",
    "step_contact",
    "step_contact_work",
    "step_state",
    "step_state_work",
    "time_on_task_points",
    "view",
]
