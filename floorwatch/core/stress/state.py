"""One agent's frozen stress state, and the levels and the load read from it (docs/stress.md).

`StressTrack` is rebuilt on every event; `Loads` are the three decaying loads; the levels
(time on task, missed breaks, shift overrun) are functions of worked time; the load is their
sum, and the score its bounded transform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from floorwatch.core.events import AgentState
from floorwatch.core.stress.config import REST, StressBand, StressConfig
from floorwatch.core.stress.contacts import StressContacts
from floorwatch.core.stress.history import Span


@dataclass(frozen=True, slots=True)
class StressBandChanged:
    band: str
    previous_band: str
    score: float
    at_seconds: float


class Loads(NamedTuple):
    """Built several times per event: a NamedTuple costs a fifth of a frozen dataclass."""

    workload: float = 0.0
    emotional: float = 0.0
    back_to_back: float = 0.0

    def total(self) -> float:
        return self.workload + self.emotional + self.back_to_back

    def plus(self, other: Loads) -> Loads:
        return Loads(
            workload=self.workload + other.workload,
            emotional=self.emotional + other.emotional,
            back_to_back=self.back_to_back + other.back_to_back,
        )


NO_LOAD = Loads()
History = tuple[Span, ...]  # the spans over the occupancy window, oldest first


class StressTrack(NamedTuple):
    """Immutable like the other tracks, but a NamedTuple: it is rebuilt on every event, and a
    frozen dataclass of this size costs ~10x more to build. Serialised by pydantic as a JSON array."""

    clock_seconds: float | None
    state: AgentState | None  # as of the last on_state
    loads: Loads
    held: Loads  # impulses that arrived during a rest, added when it ends
    time_on_task_seconds: float  # grows with work, decays exponentially at rest
    unrested_seconds: tuple[float, ...]  # per rest requirement: work since its rest (frozen during a rest)
    rest_run_seconds: float
    logged_out_seconds: float
    shift_seconds: float  # staffed time since the shift began (rest included)
    overrun_seconds: float  # work done beyond the shift's allowed length
    scheduled_shift_seconds: float | None
    history: History
    contacts: StressContacts
    handle_ended_at_seconds: float | None  # when the agent last left the handle states
    band: StressBand
    peak_load: float
    peak_at_seconds: float | None
    back_to_back_contacts: int


def rest_credit(rest_seconds: float, required_seconds: float, config: StressConfig) -> float:
    """The share of unrested work a rest of `rest_seconds` still leaves: 1 up to a fraction of
    the required rest, 0 from the required rest on, a smoothstep between (no cliff at the minimum)."""
    start = config.rest_credit_from_ratio * required_seconds
    if rest_seconds <= start:
        return 1.0
    if rest_seconds >= required_seconds:
        return 0.0
    u = (rest_seconds - start) / (required_seconds - start)
    return 1.0 - u * u * (3.0 - 2.0 * u)


def time_on_task_points(seconds: float, config: StressConfig) -> float:
    return config.time_on_task_points_per_hour * seconds / 3600.0


def missed_break_points(
    unrested: Sequence[float], rest_run_seconds: float, resting: bool, config: StressConfig
) -> float:
    """Work beyond each rule's limit (and grace) since that rule's rest, in points."""
    total = 0.0
    if resting and rest_run_seconds > 0.0:
        for seconds, need in zip(unrested, config.rest_requirements):
            seconds *= rest_credit(rest_run_seconds, need.rest_seconds, config)
            beyond = seconds - need.max_work_seconds - need.grace_seconds
            if beyond > 0.0:
                total += beyond
    else:  # the usual case, at work: no credit to apply
        for seconds, need in zip(unrested, config.rest_requirements):
            beyond = seconds - need.max_work_seconds - need.grace_seconds
            if beyond > 0.0:
                total += beyond
    if total == 0.0:
        return 0.0
    return config.missed_break_points_per_hour * total / 3600.0


def shift_overrun_points(seconds: float, config: StressConfig) -> float:
    return config.shift_overrun_points_per_hour * max(seconds, 0.0) / 3600.0


def allowed_shift_seconds(scheduled_shift_seconds: float | None, config: StressConfig) -> float:
    return scheduled_shift_seconds if scheduled_shift_seconds is not None else config.default_shift_seconds


def load_of(track: StressTrack, state: AgentState | None, config: StressConfig) -> float:
    """The unbounded load: decaying loads plus levels, in points."""
    resting = state in REST
    return (
        track.loads.total()
        + time_on_task_points(track.time_on_task_seconds, config)
        + missed_break_points(track.unrested_seconds, track.rest_run_seconds, resting, config)
        + shift_overrun_points(track.overrun_seconds, config)
    )


def score_of(track: StressTrack, state: AgentState | None, config: StressConfig) -> float:
    return config.score_of_load(load_of(track, state, config))
