"""Occupancy and utilization of one agent (definitions and formulas: docs/metrics.md).

The track holds seconds per state *closed* at the last state change (`since_seconds`);
the open span since then is added by `view`. Time passing without an event therefore
changes nothing: `advance` is the identity, composes exactly, and a live timer never
rewrites state. Sliding windows come from a short history of checkpoints, one per change
of category, each carrying the cumulative handle / available / auxiliary seconds at that
instant, so a window's figures are cum(now) - cum(now - window).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from floorwatch.core.events import (
    STATE_CATEGORY,
    AgentState,
    AnyEvent,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactTransferred,
    SchedulePublishedData,
    StateCategory,
)

# --- configuration and figures ----------------------------------------------------------


class Denominator(StrEnum):
    """What occupancy divides by; vendors differ, so it is a setting (docs/metrics.md)."""

    HANDLE_PLUS_AVAILABLE = "handle_plus_available"  # Amazon Connect, Genesys Cloud: the default
    STAFFED = "staffed"  # "handling / logged-in time": the same as utilization


@dataclass(frozen=True)
class OccupancyConfig:
    denominator: Denominator = Denominator.HANDLE_PLUS_AVAILABLE
    windows_seconds: tuple[float, ...] = (900.0, 3600.0)  # the 15 and 60 minute sliding windows
    # Healthy band (practitioner consensus, not research, hence settings):
    overstaffed_below_ratio: float = 0.70
    target_from_ratio: float = 0.75
    pressure_above_ratio: float = 0.85
    burnout_above_ratio: float = 0.90
    # A login after this long logged out starts a new shift (a lunch logged out does not).
    new_shift_after_logged_out_seconds: float = 4 * 3600.0
    # Bounds memory for an agent flapping between states; the window then covers less (covered_seconds).
    max_checkpoints: int = 2000
    longest_window_seconds: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cuts = (
            self.overstaffed_below_ratio,
            self.target_from_ratio,
            self.pressure_above_ratio,
            self.burnout_above_ratio,
        )
        if not all(0.0 <= a <= b <= 1.0 for a, b in zip(cuts, cuts[1:])):
            raise ValueError(f"occupancy band cut-offs must rise within [0, 1], got {cuts}")
        if not self.windows_seconds or min(self.windows_seconds) <= 0:
            raise ValueError("occupancy windows must be positive durations in seconds")
        if self.max_checkpoints < 2:
            raise ValueError("max_checkpoints must be at least 2")

        object.__setattr__(self, "longest_window_seconds", max(self.windows_seconds))  # read on every change of state


def ratio(numerator: float, denominator: float) -> float | None:
    """A 0-1 ratio, or None when there is nothing to divide by (never a made-up 0)."""
    if denominator <= 0.0:
        return None
    return min(max(numerator / denominator, 0.0), 1.0)


def band(occupancy_ratio: float | None, config: OccupancyConfig) -> str | None:
    if occupancy_ratio is None:
        return None
    if occupancy_ratio < config.overstaffed_below_ratio:
        return "overstaffed"
    if occupancy_ratio < config.target_from_ratio:
        return "below_target"
    if occupancy_ratio <= config.pressure_above_ratio:
        return "target"
    if occupancy_ratio <= config.burnout_above_ratio:
        return "pressure"
    return "burnout"


@dataclass(frozen=True)
class SpanFigures:
    """Handle, available and auxiliary seconds over one span of time, and the ratios they give."""

    handle_seconds: float
    available_seconds: float
    aux_seconds: float
    staffed_seconds: float
    occupancy_ratio: float | None
    utilization_ratio: float | None
    band: str | None


def span_figures(
    handle_seconds: float, available_seconds: float, aux_seconds: float, config: OccupancyConfig
) -> SpanFigures:
    """The one place the ratios are computed, for an agent and for any sum of agents."""
    staffed = handle_seconds + available_seconds + aux_seconds
    if config.denominator is Denominator.STAFFED:
        occupancy = ratio(handle_seconds, staffed)
    else:
        occupancy = ratio(handle_seconds, handle_seconds + available_seconds)
    return SpanFigures(
        handle_seconds=handle_seconds,
        available_seconds=available_seconds,
        aux_seconds=aux_seconds,
        staffed_seconds=staffed,
        occupancy_ratio=occupancy,
        utilization_ratio=ratio(handle_seconds, staffed),
        band=band(occupancy, config),
    )


@dataclass(frozen=True)
class WindowFigures:
    window_seconds: float
    covered_seconds: float  # less than window_seconds while the agent's history is shorter
    figures: SpanFigures


@dataclass(frozen=True)
class OccupancyFigures:
    seconds_by_state: dict[str, float]
    handle_seconds: float
    available_seconds: float
    aux_seconds: float
    aux_rest_seconds: float
    aux_other_seconds: float
    staffed_seconds: float
    logged_out_seconds: float
    occupancy_ratio: float | None
    utilization_ratio: float | None
    band: str | None
    shift_start_seconds: float | None
    shift: SpanFigures  # shift-to-date
    windows: tuple[WindowFigures, ...]  # one per config.windows_seconds, in that order
    contacts_handled: int
    handled_contact_seconds: float  # answer to end of wrap-up, summed over contacts_handled
    average_handle_seconds: float | None

    def window(self, window_seconds: float) -> WindowFigures:
        for figures in self.windows:
            if figures.window_seconds == window_seconds:
                return figures
        raise KeyError(f"no {window_seconds} s window; configured: {[w.window_seconds for w in self.windows]}")


# --- the track ---------------------------------------------------------------------------

STATES: tuple[AgentState, ...] = tuple(AgentState)
STATE_INDEX: dict[AgentState, int] = {state: index for index, state in enumerate(STATES)}
_INDEXES_BY_CATEGORY = {
    category: tuple(STATE_INDEX[s] for s, c in STATE_CATEGORY.items() if c is category) for category in StateCategory
}
_HANDLE, _AVAILABLE, _AUX, _NOT_STAFFED = "handle", "available", "aux", "not_staffed"
WINDOW_CATEGORY: dict[AgentState, str] = {
    state: {
        StateCategory.HANDLE: _HANDLE,
        StateCategory.AVAILABLE: _AVAILABLE,
        StateCategory.AUX_REST: _AUX,
        StateCategory.AUX_OTHER: _AUX,
        StateCategory.NOT_STAFFED: _NOT_STAFFED,
    }[category]
    for state, category in STATE_CATEGORY.items()
}
_ZEROS = (0.0,) * len(STATES)


class Checkpoint(NamedTuple):
    """Cumulative seconds at the instant the agent entered `category`. A NamedTuple, not a
    dataclass: one is built at most changes of state, and it is three times cheaper."""

    at_seconds: float
    handle_seconds: float
    available_seconds: float
    aux_seconds: float
    category: str


@dataclass(frozen=True, slots=True)
class Shift:
    start_seconds: float
    baseline: tuple[float, ...]  # seconds_by_state when the shift began


class OpenContact(NamedTuple):
    """Internal to the track; NamedTuples here are immutable and several times cheaper to build."""

    contact_id: str
    queue_id: str
    answered_seconds: float
    ended: bool


class Handling(NamedTuple):
    current: OpenContact | None
    contacts_handled: int
    handled_seconds: float


@dataclass(frozen=True, slots=True)
class ContactHandled:
    """An agent finished a contact, wrap-up included (feeds the queue's average handle time)."""

    contact_id: str
    queue_id: str
    answered_seconds: float
    wrapped_seconds: float
    handle_seconds: float


class OccupancyTrack(NamedTuple):
    """Immutable; a NamedTuple because it is rebuilt on every event (pydantic stores a JSON array)."""

    seconds_by_state: tuple[float, ...]  # closed at since_seconds, indexed by STATE_INDEX
    since_seconds: float | None  # start of the open span (the last state change)
    shift: Shift | None
    checkpoints: tuple[Checkpoint, ...]
    handling: Handling


_NO_HANDLING = Handling(current=None, contacts_handled=0, handled_seconds=0.0)
_INITIAL = OccupancyTrack(
    seconds_by_state=_ZEROS, since_seconds=None, shift=None, checkpoints=(), handling=_NO_HANDLING
)


def initial(config: OccupancyConfig) -> OccupancyTrack:
    return _INITIAL


def advance(
    track: OccupancyTrack, state: AgentState | None, from_seconds: float, to_seconds: float, config: OccupancyConfig
) -> tuple[OccupancyTrack, tuple[ContactHandled, ...]]:
    """Time passing in one state changes nothing stored: the open span is measured at view."""
    return track, ()


@dataclass(slots=True)
class OccupancyWork:
    """An OccupancyTrack, mutable: `on_state_work` and `on_contact_work` update it in place
    (the replay's fold keeps one per agent); `on_state` and `on_contact` thaw, step, freeze."""

    seconds_by_state: list[float]
    since_seconds: float | None
    shift: Shift | None
    checkpoints: list[Checkpoint]
    current: OpenContact | None  # Handling's fields, unpacked
    contacts_handled: int
    handled_seconds: float

    @classmethod
    def of(cls, track: OccupancyTrack) -> OccupancyWork:
        handling = track.handling
        return cls(
            seconds_by_state=list(track.seconds_by_state),
            since_seconds=track.since_seconds,
            shift=track.shift,
            checkpoints=list(track.checkpoints),
            current=handling.current,
            contacts_handled=handling.contacts_handled,
            handled_seconds=handling.handled_seconds,
        )

    def freeze(self) -> OccupancyTrack:
        handling = Handling(
            current=self.current, contacts_handled=self.contacts_handled, handled_seconds=self.handled_seconds
        )
        return OccupancyTrack(
            seconds_by_state=tuple(self.seconds_by_state),
            since_seconds=self.since_seconds,
            shift=self.shift,
            checkpoints=tuple(self.checkpoints),
            handling=handling,
        )


def on_state(
    track: OccupancyTrack, old: AgentState | None, new: AgentState, at_seconds: float, config: OccupancyConfig
) -> tuple[OccupancyTrack, tuple[ContactHandled, ...]]:
    work = OccupancyWork.of(track)
    outputs = on_state_work(work, old, new, at_seconds, config)
    return work.freeze(), outputs


def on_state_work(
    w: OccupancyWork, old: AgentState | None, new: AgentState, at_seconds: float, config: OccupancyConfig
) -> tuple[ContactHandled, ...]:
    """`on_state` in place."""
    since, seconds = w.since_seconds, w.seconds_by_state
    if since is not None and old is not None and at_seconds > since:  # close the open span (as `_closed`)
        i = STATE_INDEX[old]
        seconds[i] = seconds[i] + (at_seconds - since)
    logging_in = new is not AgentState.LOGGED_OUT and old in (None, AgentState.LOGGED_OUT)
    if logging_in and _starts_shift(w, at_seconds, config):
        w.shift = Shift(start_seconds=at_seconds, baseline=tuple(seconds))
    category = WINDOW_CATEGORY[new]
    if not w.checkpoints or w.checkpoints[-1].category != category:
        _checkpoint(w.checkpoints, category, at_seconds, config)
    w.since_seconds = at_seconds
    current = w.current
    if current is not None and current.ended and category != _HANDLE:
        return _wrap(w, at_seconds)
    return ()


def on_contact(
    track: OccupancyTrack, event: AnyEvent, at_seconds: float, config: OccupancyConfig
) -> tuple[OccupancyTrack, tuple[ContactHandled, ...]]:
    work = OccupancyWork.of(track)
    outputs = on_contact_work(work, event, at_seconds, config)
    if not outputs and work.current is track.handling.current:
        return track, ()  # an event that changed nothing (not this contact's, or no contact event at all)
    return work.freeze(), outputs


def on_contact_work(
    w: OccupancyWork, event: AnyEvent, at_seconds: float, config: OccupancyConfig
) -> tuple[ContactHandled, ...]:
    """Follow the agent's contact from answer to the end of its wrap-up (for handle time), in place."""
    outputs: tuple[ContactHandled, ...] = ()
    # Exact types: a pydantic model's isinstance costs ~0.25 us per miss.
    if type(event) is ContactAnswered:
        if w.current is not None:  # one contact at a time: the previous one is done
            outputs = _wrap(w, at_seconds)
        w.current = OpenContact(
            contact_id=event.data.contact_id, queue_id=event.data.queue_id, answered_seconds=at_seconds, ended=False
        )
    elif type(event) is ContactEnded or type(event) is ContactTransferred or type(event) is ContactAbandoned:
        current = w.current
        if current is None or current.ended or current.contact_id != event.data.contact_id:
            return ()
        w.current = OpenContact(current.contact_id, current.queue_id, current.answered_seconds, True)
        if not _in_handle_state(w):  # the agent already left the contact: no wrap-up follows
            outputs = _wrap(w, at_seconds)
    return outputs


def on_schedule(track: OccupancyTrack, schedule: SchedulePublishedData, config: OccupancyConfig) -> OccupancyTrack:
    return track


def view(
    track: OccupancyTrack, state: AgentState | None, now_seconds: float, config: OccupancyConfig
) -> OccupancyFigures:
    seconds = _closed(track, state, now_seconds)
    total = _span(seconds, config)
    shift = track.shift
    shift_span = _span(tuple(a - b for a, b in zip(seconds, shift.baseline)), config) if shift else None
    handling = track.handling
    return OccupancyFigures(
        seconds_by_state={s.value: seconds[i] for i, s in enumerate(STATES)},
        handle_seconds=total.handle_seconds,
        available_seconds=total.available_seconds,
        aux_seconds=total.aux_seconds,
        aux_rest_seconds=_sum(seconds, StateCategory.AUX_REST),
        aux_other_seconds=_sum(seconds, StateCategory.AUX_OTHER),
        staffed_seconds=total.staffed_seconds,
        logged_out_seconds=_sum(seconds, StateCategory.NOT_STAFFED),
        occupancy_ratio=total.occupancy_ratio,
        utilization_ratio=total.utilization_ratio,
        band=total.band,
        shift_start_seconds=shift.start_seconds if shift else None,
        shift=shift_span if shift_span is not None else span_figures(0.0, 0.0, 0.0, config),
        windows=tuple(_window(track.checkpoints, now_seconds, w, config) for w in config.windows_seconds),
        contacts_handled=handling.contacts_handled,
        handled_contact_seconds=handling.handled_seconds,
        average_handle_seconds=handling.handled_seconds / handling.contacts_handled
        if handling.contacts_handled
        else None,
    )


# --- helpers -------------------------------------------------------------------------


def _closed(track: OccupancyTrack, state: AgentState | None, at_seconds: float) -> tuple[float, ...]:
    """seconds_by_state with the open span (since the last change, in `state`) added up to at_seconds."""
    since = track.since_seconds
    seconds = track.seconds_by_state
    if since is None or state is None or at_seconds <= since:
        return seconds
    i = STATE_INDEX[state]
    return seconds[:i] + (seconds[i] + (at_seconds - since),) + seconds[i + 1 :]


def _starts_shift(w: OccupancyWork, at_seconds: float, config: OccupancyConfig) -> bool:
    if w.shift is None or not w.checkpoints:
        return True
    logged_out_since = w.checkpoints[-1].at_seconds  # the last checkpoint opened the logged-out run
    return at_seconds - logged_out_since >= config.new_shift_after_logged_out_seconds


def _checkpoint(checkpoints: list[Checkpoint], category: str, at_seconds: float, config: OccupancyConfig) -> None:
    if not checkpoints:
        checkpoints.append(
            Checkpoint(
                at_seconds=at_seconds, handle_seconds=0.0, available_seconds=0.0, aux_seconds=0.0, category=category
            )
        )
        return
    handle, available, aux = _cumulative(checkpoints[-1], at_seconds)
    checkpoints.append(
        Checkpoint(
            at_seconds=at_seconds,
            handle_seconds=handle,
            available_seconds=available,
            aux_seconds=aux,
            category=category,
        )
    )
    # Keep one checkpoint at or before the longest window's start; drop the rest.
    cutoff = at_seconds - config.longest_window_seconds
    drop = 0
    last = len(checkpoints) - 1
    while drop < last and checkpoints[drop + 1].at_seconds <= cutoff:
        drop += 1
    drop = max(drop, len(checkpoints) - config.max_checkpoints)
    if drop:
        del checkpoints[:drop]


def _cumulative(checkpoint: Checkpoint, at_seconds: float) -> tuple[float, float, float]:
    handle, available, aux = checkpoint.handle_seconds, checkpoint.available_seconds, checkpoint.aux_seconds
    elapsed = at_seconds - checkpoint.at_seconds
    category = checkpoint.category
    if category == _HANDLE:
        handle += elapsed
    elif category == _AVAILABLE:
        available += elapsed
    elif category == _AUX:
        aux += elapsed
    return handle, available, aux


def _window(
    checkpoints: tuple[Checkpoint, ...], now_seconds: float, window_seconds: float, config: OccupancyConfig
) -> WindowFigures:
    if not checkpoints or now_seconds <= checkpoints[0].at_seconds:
        return WindowFigures(
            window_seconds=window_seconds, covered_seconds=0.0, figures=span_figures(0.0, 0.0, 0.0, config)
        )
    start_seconds = max(now_seconds - window_seconds, checkpoints[0].at_seconds)
    at_start = checkpoints[0]
    for checkpoint in reversed(checkpoints):
        if checkpoint.at_seconds <= start_seconds:
            at_start = checkpoint
            break
    h0, a0, x0 = _cumulative(at_start, start_seconds)
    h1, a1, x1 = _cumulative(checkpoints[-1], now_seconds)
    span = span_figures(max(h1 - h0, 0.0), max(a1 - a0, 0.0), max(x1 - x0, 0.0), config)
    return WindowFigures(window_seconds=window_seconds, covered_seconds=now_seconds - start_seconds, figures=span)


def _sum(seconds: tuple[float, ...], category: StateCategory) -> float:
    return sum(seconds[i] for i in _INDEXES_BY_CATEGORY[category])


def _span(seconds: tuple[float, ...], config: OccupancyConfig) -> SpanFigures:
    aux = _sum(seconds, StateCategory.AUX_REST) + _sum(seconds, StateCategory.AUX_OTHER)
    return span_figures(_sum(seconds, StateCategory.HANDLE), _sum(seconds, StateCategory.AVAILABLE), aux, config)


def _in_handle_state(w: OccupancyWork) -> bool:
    checkpoints = w.checkpoints
    return bool(checkpoints) and checkpoints[-1].category == _HANDLE


def _wrap(w: OccupancyWork, at_seconds: float) -> tuple[ContactHandled, ...]:
    current = w.current
    assert current is not None
    handle_seconds = max(at_seconds - current.answered_seconds, 0.0)
    done = ContactHandled(
        contact_id=current.contact_id,
        queue_id=current.queue_id,
        answered_seconds=current.answered_seconds,
        wrapped_seconds=at_seconds,
        handle_seconds=handle_seconds,
    )
    w.current, w.contacts_handled = None, w.contacts_handled + 1
    w.handled_seconds = w.handled_seconds + handle_seconds
    return (done,)
