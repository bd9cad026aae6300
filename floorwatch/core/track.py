"""The pattern every part of an agent's figures follows: occupancy, stress and breaks.

Each is a module of pure functions over one immutable track (a NamedTuple or frozen
dataclass), with its own part of MetricConfig. No clock, no I/O: time arrives as event
time in seconds, and every function returns a new track (or the same one if nothing
changed) and, where something happened, a tuple of outputs (frozen records in the order
they were noticed) that `agent` wraps in AgentOutput. `agent.apply` calls, for one event
applied at `at_seconds`: `advance` from the track's own clock to `at_seconds` in the
current state, then `on_state` or `on_contact`; a schedule goes to `on_schedule` alone;
`agent.view` calls `advance` on a copy and `view`. Breaks skip contact events
(`on_contact` is the identity) and catch up at the next state change or view. Two
shortcuts on the hot path give the same tracks and outputs: occupancy's `advance` is the
identity and is not called, and stress takes an event in one pass (`stress.step_state`,
`stress.step_contact`: advance then the hook on one working copy).

Each track also has a mutable twin, its *working state* (`OccupancyWork`, `StressWork`,
`BreakWork` with its schedule adherence's `AdherenceWork`, and `agent.AgentWork` holding
them), with `Work.of(track)` to thaw, `freeze()` to get the track back, and `*_work` functions
that do the same steps in place. The rules are written once, on the working state; the
functions above thaw, step and freeze. The replay's fold keeps one `AgentWork` per agent and
one `queue.QueueWork` per queue across all their events (`agent.step`, `queue.apply_work`)
and freezes only at the end, or when a caller looks (`replay.BeforeEvent`): no track is
rebuilt per event. (A break rule's progress is still an immutable record per rule.)

One level up, the per-key reducers `agent` and `queue` share a smaller shape:
`initial(key, ...)`, `apply(track | None, event, config)` -> (new track, outputs or
none, verdict), `view(track, now_seconds, config)` -> figures.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from floorwatch.core.events import AgentState, AnyEvent, SchedulePublishedData

TrackT = TypeVar("TrackT")
ConfigT = TypeVar("ConfigT", contravariant=True)
FiguresT = TypeVar("FiguresT", covariant=True)


class SubTrack(Protocol[TrackT, ConfigT, FiguresT]):
    """A module of an agent's sub-track (floorwatch.core.occupancy, .stress, .breaks) as a type."""

    def initial(self, config: ConfigT, /) -> TrackT:
        """The track of an agent never seen before."""
        ...

    def advance(
        self, track: TrackT, state: AgentState | None, from_seconds: float, to_seconds: float, config: ConfigT, /
    ) -> tuple[TrackT, tuple[object, ...]]:
        """Time passing in one state. Composes: from a to b, then b to c, equals a to c, outputs included."""
        ...

    def on_state(
        self, track: TrackT, old: AgentState | None, new: AgentState, at_seconds: float, config: ConfigT, /
    ) -> tuple[TrackT, tuple[object, ...]]:
        """The agent changed state at `at_seconds` (the track is already advanced to it)."""
        ...

    def on_contact(
        self, track: TrackT, event: AnyEvent, at_seconds: float, config: ConfigT, /
    ) -> tuple[TrackT, tuple[object, ...]]:
        """One of the agent's contact events, applied at `at_seconds`."""
        ...

    def on_schedule(self, track: TrackT, schedule: SchedulePublishedData, config: ConfigT, /) -> TrackT:
        """A published schedule replaces the previous one: a plan, so no time passes and nothing is output."""
        ...

    def view(self, track: TrackT, state: AgentState | None, now_seconds: float, config: ConfigT, /) -> FiguresT:
        """The figures at `now_seconds`; a track behind `now` is advanced on a copy, never stored."""
        ...
