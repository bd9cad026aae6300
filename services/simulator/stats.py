"""What a simulated shift looked like, measured from its events alone (not from the engine).

Used for the summary `floorwatch simulate` prints and by the tests that hold the simulator to its
configuration. Only team and interval aggregates: no per-agent figures leave this module.
Definitions: service level = answered within the threshold / (answered + abandoned in queue);
abandon rate = abandoned in queue / offered; occupancy = handle / (handle + available) seconds;
mean handle = handle seconds (talk + hold + wrap-up) / answered contacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from floorwatch.core.events import STATE_CATEGORY, AgentState, StateCategory


@dataclass(frozen=True)
class TeamStats:
    team_id: str
    agents: int
    offered: int
    answered: int
    answered_in_threshold: int
    abandoned: int  # hung up while queued
    abandoned_on_hold: int
    escalated: int
    transferred: int
    complaints: int
    negative_sentiment: int
    handle_seconds: float
    available_seconds: float

    @property
    def service_level_ratio(self) -> float:
        finished = self.answered + self.abandoned
        return self.answered_in_threshold / finished if finished else 1.0

    @property
    def abandon_ratio(self) -> float:
        return self.abandoned / self.offered if self.offered else 0.0

    @property
    def mean_handle_seconds(self) -> float:
        return self.handle_seconds / self.answered if self.answered else 0.0

    @property
    def occupancy_ratio(self) -> float:
        staffed = self.handle_seconds + self.available_seconds
        return self.handle_seconds / staffed if staffed else 0.0


@dataclass(frozen=True)
class IntervalStats:
    team_id: str
    start_epoch_seconds: float
    offered: int  # contacts that arrived in this interval
    answered_in_threshold: int  # of those
    abandoned: int  # of those
    on_queue_agent_seconds: float  # agent seconds in AVAILABLE or a handle state


@dataclass(frozen=True)
class ShiftStats:
    events: int
    teams: tuple[TeamStats, ...]
    intervals: tuple[IntervalStats, ...]

    def total(self) -> TeamStats:
        def add(name: str):
            return sum(getattr(team, name) for team in self.teams)

        names = [name for name in TeamStats.__dataclass_fields__ if name != "team_id"]
        return TeamStats("(floor)", **{name: add(name) for name in names})


_COUNTERS = (
    "offered",
    "answered",
    "answered_in_threshold",
    "abandoned",
    "abandoned_on_hold",
    "escalated",
    "transferred",
    "complaints",
    "negative_sentiment",
)
_NO_ROW = (0, 0, 0, 0.0)


def summarize(events: Iterable, threshold_seconds: float = 20.0, interval_seconds: float = 1800.0) -> ShiftStats:
    """Fold a time-ordered stream of decoded canonical events into team and interval figures."""
    tally = ShiftTally(threshold_seconds, interval_seconds)
    for event in events:
        tally.add(event)
    return tally.result()


class ShiftTally:
    """The running fold behind `summarize`, for callers that stream events and may stop early."""

    def __init__(self, threshold_seconds: float = 20.0, interval_seconds: float = 1800.0):
        self.threshold_seconds = threshold_seconds
        self.interval_seconds = interval_seconds
        self.events = 0
        self.last_seconds = 0.0
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTERS, 0))  # by queue
        self.seconds: dict[str, dict[str, float]] = defaultdict(lambda: {"handle": 0.0, "available": 0.0})  # by team
        self.contacts: dict[tuple[str, float], list] = defaultdict(lambda: [0, 0, 0])  # (queue, interval start)
        self.on_queue: dict[tuple[str, float], float] = defaultdict(float)  # (team, interval start)
        self.agent_now: dict[str, tuple[AgentState, float, str]] = {}
        self.team_agents: dict[str, set[str]] = defaultdict(set)
        self.queue_team: dict[str, str] = {}
        self.offered_at: dict[str, float] = {}

    def add(self, event) -> None:
        self.events += 1
        at = event.occurred_at.timestamp()
        self.last_seconds = max(self.last_seconds, at)
        data = event.data
        if event.type == "agent.state_changed":
            if data.agent_id in self.agent_now:
                self._close_state(data.agent_id, at)
            self.agent_now[data.agent_id] = (data.state, at, data.team_id)
            self.team_agents[data.team_id].add(data.agent_id)
            for queue in data.queues:
                self.queue_team[queue] = data.team_id
        elif event.type.startswith("contact."):
            self._count_contact(event, at)

    def _count_contact(self, event, at: float) -> None:
        data = event.data
        counts = self.counts[data.queue_id]
        if event.type == "contact.offered":
            counts["offered"] += 1
            self.offered_at[data.contact_id] = at
            self.contacts[(data.queue_id, self._bucket(at))][0] += 1
        elif event.type == "contact.answered":
            counts["answered"] += 1
            if data.wait_seconds <= self.threshold_seconds:
                counts["answered_in_threshold"] += 1
                self.contacts[(data.queue_id, self._bucket(self.offered_at.get(data.contact_id, at)))][1] += 1
        elif event.type == "contact.abandoned":
            counts["abandoned_on_hold" if data.agent_id else "abandoned"] += 1
            if not data.agent_id:
                self.contacts[(data.queue_id, self._bucket(self.offered_at.get(data.contact_id, at)))][2] += 1
        elif event.type == "contact.escalated":
            counts["escalated"] += 1
        elif event.type == "contact.transferred":
            counts["transferred"] += 1
        elif event.type == "contact.ended":
            counts["complaints"] += int(data.complaint)
        elif event.type == "contact.sentiment":
            counts["negative_sentiment"] += int(data.score <= -0.5)

    def _bucket(self, at_seconds: float) -> float:
        return at_seconds // self.interval_seconds * self.interval_seconds

    def _close_state(self, agent_id: str, until: float) -> None:
        state, since, team = self.agent_now[agent_id]
        self._spend(state, team, since, until, self.seconds, self.on_queue)

    def _spend(self, state: AgentState, team: str, since: float, until: float, seconds: dict, on_queue: dict) -> None:
        category = STATE_CATEGORY[state]
        if category not in (StateCategory.HANDLE, StateCategory.AVAILABLE):
            return
        seconds[team]["handle" if category is StateCategory.HANDLE else "available"] += until - since
        cursor = since
        while cursor < until:  # spread over the intervals it overlaps
            end = min(until, self._bucket(cursor) + self.interval_seconds)
            on_queue[(team, self._bucket(cursor))] += end - cursor
            cursor = end

    def result(self) -> ShiftStats:
        """The figures so far; agents' current states count up to the newest event."""
        seconds = defaultdict(lambda: {"handle": 0.0, "available": 0.0}, {t: dict(v) for t, v in self.seconds.items()})
        on_queue = defaultdict(float, self.on_queue)
        for state, since, team in self.agent_now.values():
            self._spend(state, team, since, self.last_seconds, seconds, on_queue)
        teams, intervals = [], []
        for team_id in sorted(self.team_agents):
            queues = [queue for queue, team in self.queue_team.items() if team == team_id]
            summed = {name: sum(self.counts[queue][name] for queue in queues) for name in _COUNTERS}
            spent = seconds[team_id]
            teams.append(
                TeamStats(
                    team_id,
                    len(self.team_agents[team_id]),
                    **summed,
                    handle_seconds=spent["handle"],
                    available_seconds=spent["available"],
                )
            )
            starts = sorted(
                {start for (team, start) in on_queue if team == team_id}
                | {start for (queue, start) in self.contacts if queue in queues}
            )
            for start in starts:
                rows = [self.contacts.get((queue, start), _NO_ROW) for queue in queues]
                intervals.append(
                    IntervalStats(
                        team_id,
                        start,
                        sum(r[0] for r in rows),
                        sum(r[1] for r in rows),
                        sum(r[2] for r in rows),
                        on_queue.get((team_id, start), 0.0),
                    )
                )
        return ShiftStats(self.events, tuple(teams), tuple(intervals))
