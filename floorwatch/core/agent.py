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


@dataclass(slots=True)
class AgentWork:
    """One agent's working state: an AgentTrack that `step` updates in place, event after event.

    The replay's fold keeps one per agent and freezes it (`freeze`) only where something
    stores or views the track; `apply` is the immutable API over it (thaw, step, freeze). A
    plain class with slots (mypyc compiles it to a native class): no record is rebuilt per event."""

    identity: AgentIdentity
    state: AgentState | None
    last_event_seconds: float | None
    # The track's recent (event_id, applied at) as two parallel lists, oldest first: mypyc
    # unboxes a whole pair to read one of its parts, and the ids are read on every event.
    recent_ids: list[str]
    recent_at_seconds: list[float]
    occupancy: occupancy.OccupancyWork
    stress: stress.StressWork
    breaks: breaks.BreakWork
    schedule: SchedulePublishedData | None

    @classmethod
    def of(cls, track: AgentTrack, config: MetricConfig) -> AgentWork:
        return cls(
            identity=track.identity,
            state=track.state,
            last_event_seconds=track.last_event_seconds,
            recent_ids=[event_id for event_id, _ in track.recent_event_ids],
            recent_at_seconds=[at for _, at in track.recent_event_ids],
            occupancy=occupancy.OccupancyWork.of(track.occupancy),
            stress=stress.StressWork.of(track.stress, config.stress),
            breaks=breaks.BreakWork.of(track.breaks),
            schedule=track.schedule,
        )

    def freeze(self) -> AgentTrack:
        return AgentTrack(
            identity=self.identity,
            state=self.state,
            last_event_seconds=self.last_event_seconds,
            recent_event_ids=tuple(zip(self.recent_ids, self.recent_at_seconds, strict=True)),
            occupancy=self.occupancy.freeze(),
            stress=self.stress.freeze(),
            breaks=self.breaks.freeze(),
            schedule=self.schedule,
        )


# What one event did to a working state: (outputs, verdict, lateness in seconds behind the
# agent's clock, 0 when it was not). A plain tuple: the cheapest record, made once per event.
Step = tuple[tuple[AgentOutput, ...], Verdict, float]


def apply(track: AgentTrack | None, event: AnyEvent, config: MetricConfig) -> Applied:
    """Fold one of this agent's events (state change, agent-attributed contact event, schedule):
    `step` on a working copy of the track, frozen again. A duplicate or late event returns the
    track it was given."""
    if track is None:
        agent_id = agent_id_of(event)
        if agent_id is None:
            raise ValueError(f"{type(event).__name__} names no agent; route it to its queue")
        track = initial(agent_id, config)
    work = AgentWork.of(track, config)
    outputs, verdict, lateness = step(work, event, config)
    if verdict != "accepted":
        return Applied(track=track, outputs=outputs, verdict=verdict, lateness_seconds=lateness)
    if type(event) is AgentStateChanged or type(event) is SchedulePublished:
        return Applied(track=work.freeze(), outputs=outputs, verdict=verdict, lateness_seconds=lateness)
    return Applied(track=_refrozen(work, track), outputs=outputs, verdict=verdict, lateness_seconds=lateness)


def _refrozen(work: AgentWork, before: AgentTrack) -> AgentTrack:
    """`work.freeze()` after a contact event, keeping the sub-tracks it left alone (as the track
    API did): breaks ignore contacts, and occupancy changes only with the contact it follows."""
    occ, handling = work.occupancy, before.occupancy.handling
    same_occupancy = occ.current is handling.current and occ.contacts_handled == handling.contacts_handled
    return AgentTrack(
        identity=work.identity,
        state=work.state,
        last_event_seconds=work.last_event_seconds,
        recent_event_ids=tuple(zip(work.recent_ids, work.recent_at_seconds, strict=True)),
        occupancy=before.occupancy if same_occupancy else occ.freeze(),
        stress=work.stress.freeze(),
        breaks=before.breaks,
        schedule=work.schedule,
    )


def start(agent_id: str, config: MetricConfig) -> AgentWork:
    """The working state of an agent never seen before."""
    return AgentWork.of(initial(agent_id, config), config)


def step(work: AgentWork, event: AnyEvent, config: MetricConfig, event_seconds: float | None = None) -> Step:
    """Fold one of this agent's events into its working state, in place. `event_seconds` is the
    event's time (`occurred_at`) as epoch seconds, if the caller has it already (the fold does)."""
    if type(event) is SchedulePublished:
        return _step_schedule(work, event.data, config)
    event_id = event.event_id
    if event_id in work.recent_ids:
        return (), "duplicate", 0.0
    if event_seconds is None:
        event_seconds = event.occurred_at.timestamp()
    clock = work.last_event_seconds
    at = event_seconds
    if clock is not None:
        lateness = clock - event_seconds
        if lateness > config.allowed_lateness_seconds and not _late_sentiment_accepted(event, lateness, config):
            return (), "late", lateness
        if lateness > 0:
            at = clock
    identity, state = work.identity, work.state
    # Occupancy's advance is the identity (time is measured at view), so it is not called here.
    # Stress advances and takes the event in one pass (`stress.step_*_work`: the same as
    # `advance` then the hook); its outputs from advancing come first, as with two calls.
    load = work.stress
    since = load.clock_seconds if load.clock_seconds is not None else clock
    advanced: list[StressBandChanged] = []
    own: list[StressBandChanged] = []
    outputs: tuple[object, ...]  # what the sub-tracks report, in the order they report it
    if type(event) is AgentStateChanged:
        data = event.data
        new_state = data.state
        stress.step_state_work(load, since, state, new_state, at, config.stress, advanced, own)
        more = _breaks_to_work(work.breaks, state, clock, at, config)
        if data.team_id != identity.team_id or data.site_id != identity.site_id or data.queues != identity.queues:
            work.identity = identity = AgentIdentity(
                agent_id=identity.agent_id, team_id=data.team_id, site_id=data.site_id, queues=data.queues
            )
        on_occ = occupancy.on_state_work(work.occupancy, state, new_state, at, config.occupancy)
        on_brk = breaks.on_state_work(work.breaks, state, new_state, at, config.breaks)
        outputs = tuple(advanced)
        if more or on_occ or own or on_brk:
            outputs += more + on_occ + tuple(own) + on_brk
        work.state = new_state
    else:
        # Break compliance ignores contacts (breaks.on_contact is the identity), so its track
        # is not advanced here: it catches up from its own clock at the next state change or
        # view, which gives the same figures and violations because advance composes.
        stress.step_contact_work(load, since, state, event, at, config.stress, advanced, own)
        on_occ = occupancy.on_contact_work(work.occupancy, event, at, config.occupancy)
        outputs = tuple(advanced)
        if on_occ or own:
            outputs += on_occ + tuple(own)
    _remember(work.recent_ids, work.recent_at_seconds, event_id, at, config)
    work.last_event_seconds = at
    lateness = max(clock - event_seconds, 0.0) if clock is not None else 0.0
    return (_wrap(identity, outputs) if outputs else ()), "accepted", lateness


def view(track: AgentTrack, now_seconds: float, config: MetricConfig) -> tuple[AgentFigures, tuple[AgentOutput, ...]]:
    """The agent's figures at `now` (never before its clock), and the outputs advancing to `now`
    would produce. Nothing is stored: a live timer and the replay's final report both call this."""
    clock = track.last_event_seconds
    now = now_seconds if clock is None else max(now_seconds, clock)
    load, outputs = _stress_to(track, now, config)
    brk, more = _breaks_to(track.breaks, track.state, clock, now, config)
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


def _breaks_to_work(
    brk: breaks.BreakWork, state: AgentState | None, clock: float | None, to_seconds: float, config: MetricConfig
) -> tuple[object, ...]:
    """`_breaks_to` in place."""
    since = brk.clock_seconds if brk.clock_seconds is not None else clock
    if since is None or to_seconds <= since:
        return ()
    return breaks.advance_work(brk, state, since, to_seconds, config.breaks)


def _breaks_to(
    brk: BreakTrack, state: AgentState | None, clock: float | None, to_seconds: float, config: MetricConfig
) -> tuple[BreakTrack, tuple[object, ...]]:
    """The break track advanced, in the agent's current state, from its own clock (else the
    agent's, `clock`) to `to_seconds`."""
    since = brk.clock_seconds if brk.clock_seconds is not None else clock
    if since is None or to_seconds <= since:
        return brk, ()
    return breaks.advance(brk, state, since, to_seconds, config.breaks)


def _step_schedule(work: AgentWork, schedule: SchedulePublishedData, config: MetricConfig) -> Step:
    """A schedule replaces the previous one (compacted topic: newest wins). It is a plan, not
    something that happened, so it neither moves the clock nor is subject to lateness."""
    if work.schedule == schedule:
        return (), "duplicate", 0.0
    # occupancy.on_schedule is the identity: a plan changes no occupancy figure
    work.stress.scheduled_shift_seconds = stress.scheduled_shift_seconds(schedule)  # stress.on_schedule, in place
    breaks.on_schedule_work(work.breaks, schedule, config.breaks)
    work.schedule = schedule
    return (), "accepted", 0.0


def _late_sentiment_accepted(event: AnyEvent, lateness_seconds: float, config: MetricConfig) -> bool:
    """Post-call sentiment arrives minutes after the call: accepted within its own window and applied
    at the clock, so it weighs its contact without rewriting the rest the agent has since taken
    (docs/stress.md "Late sentiment"). A redelivery is harmless: a contact's reading counts once."""
    return type(event) is ContactSentimentObserved and lateness_seconds <= config.stress.late_sentiment_window_seconds


def _remember(
    ids: list[str], at_seconds: list[float], event_id: str, applied_at_seconds: float, config: MetricConfig
) -> None:
    # Applied times never decrease, so the entries to forget are always a prefix. An id
    # forgotten here can only come back as an event older than the allowed lateness: late.
    cutoff = applied_at_seconds - config.allowed_lateness_seconds
    drop = 0
    while drop < len(at_seconds) and at_seconds[drop] < cutoff:
        drop += 1
    if drop:
        del ids[:drop]
        del at_seconds[:drop]
    ids.append(event_id)
    at_seconds.append(applied_at_seconds)


def _wrap(identity: AgentIdentity, outputs: tuple[object, ...]) -> tuple[AgentOutput, ...]:
    agent_id, team_id, site_id = identity.agent_id, identity.team_id, identity.site_id
    return tuple(
        [AgentOutput(agent_id=agent_id, team_id=team_id, site_id=site_id, output=output) for output in outputs]
    )  # a list is cheaper than a generator
