"""Stress load of one agent: a 0-100 workload and recovery exposure index (docs/stress.md).

The score is the sum of five components, each in points, capped at 100 (docs/stress.md):

- decaying loads, fed by impulses (the fatigue half of the impulse-response model):
  (a) `workload_intensity`: each finished contact adds its handle hours x the excess of the
      agent's last-hour occupancy over the healthy band; (c) `emotional_load`: each difficult
      contact adds its difficulty points x a length factor; (d) `back_to_back`: each contact
      taken with under ~10 s available since the last one adds a few points. Loads decay
      exponentially with a time constant per state class: slow while handling, moderate while
      available or in other work, fast while resting (break, lunch, logged out).
- levels: (b) `continuous_work`: work since the last real rest (a rest of >= 5 min) ramps
  from 0 to a maximum between two durations; (e) `shift_overrun`: work beyond the scheduled
  shift length ramps likewise.

The score never rises during a rest: levels freeze, loads decay, and an impulse that
arrives then (e.g. a late sentiment reading) is held and added when the rest ends.
Inputs are workload events and customer-side signals only, never agent biometrics
(EU AI Act Art. 5(1)(f)). The handle-time baseline is the agent's own running mean: the
queue's average would need a cross-partition join, and the agent's own is the fairer yardstick.

Choices made on purpose (docs/stress.md): a logout of >= 5 min counts as a real rest like
BREAK or LUNCH (the agent is off work); workload intensity is a decaying load fed at each
contact's end rather than the raw last-hour ratio (so a break can lower it); the baseline is
the agent's own mean, not the queue's. Functions take `StressConfig` (MetricConfig.stress).
"""

from __future__ import annotations

from floorwatch.core.stress.config import StressBand, StressConfig, band_of
from floorwatch.core.stress.dynamics import advance
from floorwatch.core.stress.figures import StressComponents, StressFigures, view
from floorwatch.core.stress.history import occupancy_ratio
from floorwatch.core.stress.hooks import initial, on_contact, on_schedule, on_state
from floorwatch.core.stress.state import (
    Loads,
    StressBandChanged,
    StressTrack,
    continuous_work_points,
    score_of,
    shift_overrun_points,
)

__all__ = [
    "Loads",
    "StressBand",
    "StressBandChanged",
    "StressComponents",
    "StressConfig",
    "StressFigures",
    "StressTrack",
    "advance",
    "band_of",
    "continuous_work_points",
    "initial",
    "occupancy_ratio",
    "on_contact",
    "on_schedule",
    "on_state",
    "score_of",
    "shift_overrun_points",
    "view",
]
