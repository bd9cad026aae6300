"""The per-agent reducer: one event in, the agent's new track and outputs out.

Rules (docs/metrics.md, "Time"): a duplicate event id changes nothing; an event more than
`allowed_lateness_seconds` behind the agent's own clock is "late" and changes nothing (customer
sentiment has a window of its own, `stress.late_sentiment_window_seconds`: post-call analytics);
anything else is applied at max(its time, the agent's clock), so time never runs
backwards. Before an event's hook runs, the sub-tracks are advanced through the time the
agent spent in its current state (each from its own clock; see `apply` for the one
shortcut). These rules depend only on the order of one agent's events, which Kafka keeps
per partition, so the live stream and a replay agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from floorwatch.core import breaks, occupancy, routing, stress
from floorwatch.core.breaks import BreakFigures, BreakTrack
from floorwatch.core.config import MetricConfig
from floorwatch.core.events import (
    AgentState,
    AgentStateChanged,
    AnyEvent,
    ContactSentimentObserved,
    SchedulePublished,
    SchedulePublishedData,
)
from floorwatch.core.occupancy import OccupancyFigures, OccupancyTrack
from floorwatch.core.stress import StressBandChanged, StressFigures, StressTrack

Verdict = Literal["accepted", "duplicate", "late"]


@dataclass(frozen=True, slots=True)
class AgentIdentity:
    agent_id: str
    team_id: str | None  # None until the agent's first state change says
    site_id: str | None
    queues: tuple[str, ...]


class AgentTrack(NamedTuple):
    """Immutable; a NamedTuple because it is rebuilt on every event and an 8-field frozen
    dataclass costs ~4x more to build. The stream tables store it (via pydantic) as a JSON array."""

    identity: AgentIdentity
    state: AgentState | None  # None before the first state change
    last_event_seconds: float | None  # the agent's event clock
    recent_event_ids: tuple[tuple[str, float], ...]  # (event_id, applied at) within allowed lateness of the clock
    occupancy: OccupancyTrack
    stress: StressTrack
    breaks: BreakTrack
    schedule: SchedulePublishedData | None

    @property
    def agent_id(self) -> str:
        return self.identity.agent_id

    @property
    def team_id(self) -> str | None:
        return self.identity.team_id

    @property
    def site_id(self) -> str | None:
        return self.identity.site_id

    @property
    def queues(self) -> tuple[str, ...]:
        return self.identity.queues


@dataclass(frozen=True, slots=True)
class AgentOutput:
    """A sub-track's output (a handled contact, a violation...) with the agent it concerns."""

    agent_id: str
    team_id: str | None
    site_id: str | None
    # Any sub-track's output record. Typed Any, not object: mypyc cannot compile a dataclass
    # field annotated `object` (KeyError 'object' at import).
    output: Any


class Applied(NamedTuple):
    """What one event did. A NamedTuple: it lives for one call, and is the cheapest record to build."""

    track: AgentTrack
    outputs: tuple[AgentOutput, ...]
    verdict: Verdict
    lateness_seconds: float  # how far behind the agent's clock the event was; 0 when it was not


@dataclass(frozen=True)
class AgentFigures:
    agent_id: str
    team_id: str | None
    site_id: str | None
    queues: tuple[str, ...]
    state: str | None
    state_since_seconds: float | None  # when the current state began (as applied)
    as_of_seconds: float
    last_event_seconds: float | None
    occupancy: OccupancyFigures
    stress: StressFigures
    breaks: BreakFigures


def agent_id_of(event: AnyEvent) -> str | None:
    """The agent an event belongs to, or None for queue-only events (offered, abandoned in queue)."""
    return routing.route(event).agent_id


def initial(agent_id: str, config: MetricConfig) -> AgentTrack:
    identity = AgentIdentity(agent_id=agent_id, team_id=None, site_id=None, queues=())
    return AgentTrack(
        identity=identity,
        state=None,
        last_event_seconds=None,
        recent_event_ids=(),
        occupancy=occupancy.initial(config.occupancy),
        stress=stress.initial(config.stress),
        breaks=breaks.initial(config.breaks),
        schedule=None,
    )


def apply(track: AgentTrack | None, event: AnyEvent, config: MetricConfig) -> Applied:
    """Fold one of this agent's events (state change, agent-attributed contact event, schedule)."""
    if track is None:
        agent_id = agent_id_of(event)
        if agent_id is None:
            raise ValueError(f"{type(event).__name__} names no agent; route it to its queue")
        track = initial(agent_id, config)
    if type(event) is SchedulePublished:
        return _apply_schedule(track, event.data, config)
    event_id = event.event_id
    for seen_id, _ in track.recent_event_ids:
        if seen_id == event_id:
            return Applied(track=track, outputs=(), verdict="duplicate", lateness_seconds=0.0)
    event_seconds = event.occurred_at.timestamp()
    clock = track.last_event_seconds
    at = event_seconds
    if clock is not None:
        lateness = clock - event_seconds
        if lateness > config.allowed_lateness_seconds and not _late_sentiment_accepted(event, lateness, config):
            return Applied(track=track, outputs=(), verdict="late", lateness_seconds=lateness)
        if lateness > 0:
            at = clock
    identity, state = track.identity, track.state
    # Occupancy's advance is the identity (time is measured at view), so it is not called here.
    # Stress advances and takes the event in one pass (`stress.step_*`: the same as `advance`
    # then the hook); its outputs from advancing come first, as with two calls.
    occ = track.occupancy
    load = track.stress
    since = load.clock_seconds if load.clock_seconds is not None else clock
    brk = track.breaks
    outputs: tuple[object, ...]  # what the sub-tracks report, in the order they report it
    if type(event) is AgentStateChanged:
        data = event.data
        new_state = data.state
        stepped = stress.step_state(load, since, state, new_state, at, config.stress)
        load = stepped.track
        brk, more = _breaks_to(track, at, config)
        if data.team_id != identity.team_id or data.site_id != identity.site_id or data.queues != identity.queues:
            identity = AgentIdentity(
                agent_id=identity.agent_id, team_id=data.team_id, site_id=data.site_id, queues=data.queues
            )
        occ, on_occ = occupancy.on_state(occ, state, new_state, at, config.occupancy)
        brk, on_brk = breaks.on_state(brk, state, new_state, at, config.breaks)
        outputs = stepped.advanced
        if more or on_occ or stepped.outputs or on_brk:
            outputs += more + on_occ + stepped.outputs + on_brk
        state = new_state
    else:
        # Break compliance ignores contacts (breaks.on_contact is the identity), so its track
        # is not advanced here: it catches up from its own clock at the next state change or
        # view, which gives the same figures and violations because advance composes.
        stepped = stress.step_contact(load, since, state, event, at, config.stress)
        load = stepped.track
        occ, on_occ = occupancy.on_contact(occ, event, at, config.occupancy)
        outputs = stepped.advanced
        if on_occ or stepped.outputs:
            outputs += on_occ + stepped.outputs
    recent = _remember(track.recent_event_ids, event_id, at, config)
    new = AgentTrack(
        identity=identity,
        state=state,
        last_event_seconds=at,
        recent_event_ids=recent,
        occupancy=occ,
        stress=load,
        breaks=brk,
        schedule=track.schedule,
    )
    lateness = max(clock - event_seconds, 0.0) if clock is not None else 0.0
    return Applied(
        track=new, outputs=_wrap(identity, outputs) if outputs else (), verdict="accepted", lateness_seconds=lateness
    )


def view(track: AgentTrack, now_seconds: float, config: MetricConfig) -> tuple[AgentFigures, tuple[AgentOutput, ...]]:
    """The agent's figures at `now` (never before its clock), and the outputs advancing to `now`
    would produce. Nothing is stored: a live timer and the replay's final report both call this."""
    clock = track.last_event_seconds
    now = now_seconds if clock is None else max(now_seconds, clock)
    load, outputs = _stress_to(track, now, config)
    brk, more = _breaks_to(track, now, config)
    state = track.state
    figures = AgentFigures(
        agent_id=track.agent_id,
        team_id=track.team_id,
        site_id=track.site_id,
        queues=track.queues,
        state=track.state.value if track.state is not None else None,
        state_since_seconds=track.occupancy.since_seconds,
        as_of_seconds=now,
        last_event_seconds=clock,
        occupancy=occupancy.view(track.occupancy, state, now, config.occupancy),
        stress=stress.view(load, state, now, config.stress),
        breaks=breaks.view(brk, state, now, config.breaks),
    )
    return figures, _wrap(track.identity, outputs + more)


# --- helpers ---------------------------------------------------------------------------------


def _stress_to(
    track: AgentTrack, to_seconds: float, config: MetricConfig
) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    """The stress track advanced, in the current state, from its own clock to `to_seconds`."""
    load = track.stress
    since = load.clock_seconds if load.clock_seconds is not None else track.last_event_seconds
    if since is None or to_seconds <= since:
        return load, ()
    return stress.advance(load, track.state, since, to_seconds, config.stress)


def _breaks_to(track: AgentTrack, to_seconds: float, config: MetricConfig) -> tuple[BreakTrack, tuple[object, ...]]:
    """The break track advanced, in the current state, from its own clock to `to_seconds`."""
    brk = track.breaks
    since = brk.clock_seconds if brk.clock_seconds is not None else track.last_event_seconds
    if since is None or to_seconds <= since:
        return brk, ()
    return breaks.advance(brk, track.state, since, to_seconds, config.breaks)


def _apply_schedule(track: AgentTrack, schedule: SchedulePublishedData, config: MetricConfig) -> Applied:
    """A schedule replaces the previous one (compacted topic: newest wins). It is a plan, not
    something that happened, so it neither moves the clock nor is subject to lateness."""
    if track.schedule == schedule:
        return Applied(track=track, outputs=(), verdict="duplicate", lateness_seconds=0.0)
    occ = occupancy.on_schedule(track.occupancy, schedule, config.occupancy)
    load = stress.on_schedule(track.stress, schedule, config.stress)
    brk = breaks.on_schedule(track.breaks, schedule, config.breaks)
    new = AgentTrack(
        identity=track.identity,
        state=track.state,
        last_event_seconds=track.last_event_seconds,
        recent_event_ids=track.recent_event_ids,
        occupancy=occ,
        stress=load,
        breaks=brk,
        schedule=schedule,
    )
    return Applied(track=new, outputs=(), verdict="accepted", lateness_seconds=0.0)


def _late_sentiment_accepted(event: AnyEvent, lateness_seconds: float, config: MetricConfig) -> bool:
    """Post-call sentiment arrives minutes after the call: accepted within its own window and applied
    at the clock, so it weighs its contact without rewriting the rest the agent has since taken
    (docs/stress.md "Late sentiment"). A redelivery is harmless: a contact's reading counts once."""
    return type(event) is ContactSentimentObserved and lateness_seconds <= config.stress.late_sentiment_window_seconds


def _remember(
    recent: tuple[tuple[str, float], ...], event_id: str, at_seconds: float, config: MetricConfig
) -> tuple[tuple[str, float], ...]:
    # Applied times never decrease, so the entries to forget are always a prefix. An id
    # forgotten here can only come back as an event older than the allowed lateness: late.
    cutoff = at_seconds - config.allowed_lateness_seconds
    drop = 0
    while drop < len(recent) and recent[drop][1] < cutoff:
        drop += 1
    return recent[drop:] + ((event_id, at_seconds),)


def _wrap(identity: AgentIdentity, outputs: tuple[object, ...]) -> tuple[AgentOutput, ...]:
    agent_id, team_id, site_id = identity.agent_id, identity.team_id, identity.site_id
    return tuple(
        [AgentOutput(agent_id=agent_id, team_id=team_id, site_id=site_id, output=output) for output in outputs]
    )  # a list is cheaper than a generator
