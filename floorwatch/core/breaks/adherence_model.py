"""Schedule adherence's settings, state, outputs and figures types (the reducer: `adherence`;
the figures: `adherence_view`)."""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.core.events import AgentState

_S = AgentState
DEFAULT_IN_ADHERENCE: tuple[tuple[str, frozenset[AgentState]], ...] = (
    ("work", frozenset({_S.AVAILABLE, _S.ON_CONTACT, _S.HOLD, _S.AFTER_CONTACT_WORK})),
    ("break", frozenset({_S.BREAK})),
    ("lunch", frozenset({_S.LUNCH})),
    ("training", frozenset({_S.TRAINING})),
    ("meeting", frozenset({_S.MEETING, _S.COACHING})),
)
BREAK_ACTIVITIES = ("break", "lunch")


@dataclass(frozen=True, slots=True)
class AdherenceConfig:
    start_grace_seconds: float = 300.0  # a break starting within 5 min of its plan is on time
    length_grace_seconds: float = 120.0  # ... and lasting its planned length within 2 min
    exception_tolerance_seconds: float = 300.0  # out of adherence this long before an exception
    early_match_seconds: float = 1800.0  # a break started up to 30 min early is that break, taken early
    in_adherence: tuple[tuple[str, frozenset[AgentState]], ...] = DEFAULT_IN_ADHERENCE
    neutral: tuple[tuple[str, frozenset[AgentState]], ...] = ()

    def verdict(self, activity: str, state: AgentState | None) -> str:
        """'in', 'out' or 'neutral' for an agent in `state` during a scheduled `activity`."""
        for kind, states in self.neutral:
            if kind == activity and state in states:
                return "neutral"
        for kind, states in self.in_adherence:
            if kind == activity:
                return "in" if state in states else "out"
        return "out"

    def in_states(self, activity: str) -> frozenset[AgentState]:
        return next((states for kind, states in self.in_adherence if kind == activity), frozenset())


@dataclass(frozen=True, slots=True)
class PlannedBreak:
    kind: str  # "break" or "lunch"
    start_seconds: float
    end_seconds: float
    taken_start_seconds: float | None = None
    taken_end_seconds: float | None = None
    missed_reported: bool = False

    @property
    def planned_seconds(self) -> float:
        return self.end_seconds - self.start_seconds


@dataclass(frozen=True, slots=True)
class ScheduledBreakMissed:
    """Nothing started by planned start + grace: a scheduled break is due and not taken yet."""

    kind: str
    planned_start_seconds: float
    at_seconds: float


@dataclass(frozen=True, slots=True)
class AdherenceExceptionStarted:
    """Out of adherence for longer than the tolerance; `since_seconds` is when it began."""

    activity: str
    state: str | None
    since_seconds: float
    at_seconds: float


AdherenceOutput = AdherenceExceptionStarted | ScheduledBreakMissed


@dataclass(frozen=True, slots=True)
class AdherenceTrack:
    shift_start_seconds: float | None = None
    shift_end_seconds: float | None = None
    activities: tuple[tuple[str, float, float], ...] = ()  # (kind, start, end), sorted by start
    planned_breaks: tuple[PlannedBreak, ...] = ()
    taking: int | None = None  # index of the planned break being taken now
    scheduled_seconds: float = 0.0
    in_adherence_seconds: float = 0.0
    out_since_seconds: float | None = None  # start of the current out-of-adherence run
    exception_raised: bool = False
    exceptions_total: int = 0


@dataclass(frozen=True, slots=True)
class ScheduledBreakFigures:
    kind: str
    planned_start_seconds: float
    planned_end_seconds: float
    taken_start_seconds: float | None
    taken_end_seconds: float | None
    status: str  # upcoming | taking | on_time | early | late | short | long | missed
    start_offset_seconds: float | None  # taken start - planned start
    length_seconds: float | None


@dataclass(frozen=True, slots=True)
class AdherenceFigures:
    adherence_ratio: float | None
    in_adherence_seconds: float
    scheduled_seconds: float
    out_of_adherence_seconds: float  # the current run, 0 when in adherence
    exception_open: bool
    exceptions_total: int
    scheduled_breaks: tuple[ScheduledBreakFigures, ...]
