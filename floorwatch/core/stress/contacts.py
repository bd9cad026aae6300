"""The contacts behind the stress index: what made each demanding, how long it was handled.

A contact is followed from its answer to the end of its wrap-up (the handle time of
docs/metrics.md): the end event (ended, transferred away, abandoned while held) marks it
ended, and it closes at the first state change out of the handle states, at the next answer,
or at the end event itself when the agent had already left the handle states. When it closes
it gives one impulse: workload (handle hours x occupancy intensity) and emotional load (its
graded reasons' points x a length factor). A reason reported after the contact closed
(post-call sentiment, a late escalation) adds the difference it makes, with the contact's own
length factor, so post-call sentiment weighs what in-call sentiment would have.
`signals` names the kinds of platform signal seen so far: what the score could use.

`StressContacts` is the frozen form a stored track holds; `ContactsWork` the working form the
stress working state updates in place (native classes when compiled: no record is rebuilt per
contact event). An impulse is returned as a plain (workload, emotional) pair of floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from floorwatch.core.events import (
    AnyEvent,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEscalated,
    ContactHeld,
    ContactResumed,
    ContactSentimentObserved,
    ContactTransferred,
)
from floorwatch.core.stress import difficulty as d
from floorwatch.core.stress.config import StressConfig
from floorwatch.core.stress.history import Span, occupancy_ratio


class OpenContact(NamedTuple):
    contact_id: str
    answered_seconds: float | None  # None when the answer was not seen
    reasons: d.Reasons
    ended: bool = False  # the end event came; the contact closes when its wrap-up does
    held_at_seconds: float | None = None
    hold_seconds: float = 0.0


class RecentContact(NamedTuple):
    contact_id: str
    reasons: d.Reasons
    length_factor: float


class StressContacts(NamedTuple):
    open: tuple[OpenContact, ...] = ()
    recent: tuple[RecentContact, ...] = ()  # closed contacts, for late readings and repeat contacts
    baseline_handle_seconds: float | None = None  # the agent's own running mean handle time
    baseline_contacts: int = 0
    difficult_contacts: int = 0  # this shift
    signals: tuple[str, ...] = ()  # sorted names of the signal kinds seen


Points = tuple[float, float]  # an impulse: (workload points, emotional points)
NOTHING: Points = (0.0, 0.0)


class OpenWork:
    """An OpenContact, mutable: a hold, a reason or the end event changes it in place."""

    __slots__ = ("answered_seconds", "contact_id", "ended", "held_at_seconds", "hold_seconds", "reasons")

    def __init__(
        self,
        contact_id: str,
        answered_seconds: float | None,
        reasons: d.Reasons,
        ended: bool = False,
        held_at_seconds: float | None = None,
        hold_seconds: float = 0.0,
    ) -> None:
        self.contact_id = contact_id
        self.answered_seconds = answered_seconds
        self.reasons = reasons
        self.ended = ended
        self.held_at_seconds = held_at_seconds
        self.hold_seconds = hold_seconds

    def freeze(self) -> OpenContact:
        return OpenContact(
            self.contact_id, self.answered_seconds, self.reasons, self.ended, self.held_at_seconds, self.hold_seconds
        )


class ContactsWork:
    """StressContacts, mutable. `frozen` is the StressContacts it equals while nothing has changed
    since the last thaw or freeze: a track frozen after a state change reuses it as it was."""

    __slots__ = (
        "baseline_contacts",
        "baseline_handle_seconds",
        "difficult_contacts",
        "frozen",
        "open",
        "recent",
        "signals",
    )

    def __init__(self, contacts: StressContacts) -> None:
        self.open: list[OpenWork] = [
            OpenWork(c.contact_id, c.answered_seconds, c.reasons, c.ended, c.held_at_seconds, c.hold_seconds)
            for c in contacts.open
        ]
        self.recent: tuple[RecentContact, ...] = contacts.recent
        self.baseline_handle_seconds: float | None = contacts.baseline_handle_seconds
        self.baseline_contacts: int = contacts.baseline_contacts
        self.difficult_contacts: int = contacts.difficult_contacts
        self.signals: tuple[str, ...] = contacts.signals
        self.frozen: StressContacts | None = contacts

    def freeze(self) -> StressContacts:
        frozen = self.frozen
        if frozen is None:
            frozen = self.frozen = StressContacts(
                open=tuple([c.freeze() for c in self.open]),
                recent=self.recent,
                baseline_handle_seconds=self.baseline_handle_seconds,
                baseline_contacts=self.baseline_contacts,
                difficult_contacts=self.difficult_contacts,
                signals=self.signals,
            )
        return frozen

    def new_shift(self) -> None:
        self.difficult_contacts = 0
        self.frozen = None


_SIGNAL = {
    ContactSentimentObserved: "sentiment",
    ContactTransferred: "transfers",
    ContactEscalated: "escalations",
}


def contact_event(
    w: ContactsWork,
    event: AnyEvent,
    at_seconds: float,
    handling: bool,
    history: Sequence[Span],
    config: StressConfig,
) -> Points:
    """Apply one contact event in place; `handling`: the agent is in a handle state now."""
    w.frozen = None  # nearly every contact event changes something
    kind = type(event)
    signal = _SIGNAL.get(kind)
    if signal is not None and signal not in w.signals:
        _signal(w, signal)
    contact_id: str = getattr(event.data, "contact_id", "")
    if type(event) is ContactAnswered:
        return _answered(w, contact_id, event.data.wait_seconds, at_seconds, history, config)
    if kind is ContactHeld or kind is ContactResumed:
        _hold(w, contact_id, at_seconds, kind is ContactHeld)
        return NOTHING
    if type(event) is ContactSentimentObserved:
        weight = d.sentiment_weight(event.data.score, config)
        return _reason(w, contact_id, d.NEGATIVE_SENTIMENT, weight, config)
    if kind is ContactEscalated:
        return _reason(w, contact_id, d.ESCALATED, 1.0, config)
    extra: d.Reasons = ()
    if kind is ContactTransferred:
        opened = _find(w, contact_id)
        answered = None if opened is None else opened.answered_seconds
        weight = 1.0 if answered is None else d.ramp(at_seconds - answered, 0.0, config.transfer_full_handle_seconds)
        extra = d.with_reason((), d.TRANSFERRED, weight)
    elif type(event) is ContactEnded:
        if event.data.complaint:
            _signal(w, "complaints")
            extra = ((d.COMPLAINT, 1.0),)
    elif type(event) is ContactAbandoned:
        on_hold = event.data.on_hold_seconds
        if on_hold > 0.0:
            _signal(w, "abandons")
            extra = d.with_reason((), d.ABANDONED_ON_HOLD, d.ramp(on_hold, 0.0, config.hold_full_seconds))
    else:
        return NOTHING
    return _ended(w, contact_id, extra, at_seconds, handling, history, config)


def finish_wrap_up(w: ContactsWork, at_seconds: float, history: Sequence[Span], config: StressConfig) -> Points:
    """The agent left the handle states: every ended contact closes now, in place."""
    w.frozen = None
    workload = emotional = 0.0
    for opened in list(w.open):  # a copy: closing removes from the list
        if opened.ended:
            more_workload, more_emotional = _close(w, opened, at_seconds, history, config)
            workload, emotional = workload + more_workload, emotional + more_emotional
    return workload, emotional


def wrap_up_pending(w: ContactsWork) -> bool:
    for opened in w.open:  # plain loops: a generator costs about twice as much, per event
        if opened.ended:
            return True
    return False


def _answered(
    w: ContactsWork,
    contact_id: str,
    wait_seconds: float,
    at_seconds: float,
    history: Sequence[Span],
    config: StressConfig,
) -> Points:
    impulse = NOTHING
    if wrap_up_pending(w):  # a new answer closes the previous contact (one at a time)
        impulse = finish_wrap_up(w, at_seconds, history, config)
    if wait_seconds > 0.0 and "queue_wait" not in w.signals:
        _signal(w, "queue_wait")
    if _find(w, contact_id) is not None:
        return impulse
    reasons = d.with_reason(
        (), d.QUEUE_WAIT, d.ramp(wait_seconds, config.queue_wait_free_seconds, config.queue_wait_full_seconds)
    )
    if _recent(w, contact_id) is not None:
        reasons = d.with_reason(reasons, d.REPEAT_CONTACT, 1.0)
    _with_open(w, OpenWork(contact_id, at_seconds, reasons), config)
    return impulse


def _hold(w: ContactsWork, contact_id: str, at_seconds: float, held: bool) -> None:
    opened = _find(w, contact_id)
    if opened is None or held == (opened.held_at_seconds is not None):
        return
    if held:
        if "holds" not in w.signals:
            _signal(w, "holds")
        opened.held_at_seconds = at_seconds
        return
    since = opened.held_at_seconds or at_seconds
    opened.held_at_seconds = None
    opened.hold_seconds = opened.hold_seconds + at_seconds - since


def _reason(w: ContactsWork, contact_id: str, reason: str, weight: float, config: StressConfig) -> Points:
    if weight <= 0.0:
        return NOTHING
    opened = _find(w, contact_id)
    if opened is not None:
        opened.reasons = d.with_reason(opened.reasons, reason, weight)
        return NOTHING
    closed = _recent(w, contact_id)
    if closed is not None:
        return _late_reason(w, closed, reason, weight, config)
    _with_open(w, OpenWork(contact_id, None, ((reason, min(weight, 1.0)),)), config)
    return NOTHING


def _late_reason(w: ContactsWork, closed: RecentContact, reason: str, weight: float, config: StressConfig) -> Points:
    """A reason reported after the contact closed: the difference it makes, once."""
    reasons = d.with_reason(closed.reasons, reason, weight)
    if reasons == closed.reasons:
        return NOTHING
    before, after = d.difficulty_points(closed.reasons, config), d.difficulty_points(reasons, config)
    w.recent = tuple(
        [c if c is not closed else RecentContact(c.contact_id, reasons, c.length_factor) for c in w.recent]
    )
    newly_difficult = before < config.difficult_from_points <= after
    w.difficult_contacts = w.difficult_contacts + newly_difficult
    return 0.0, (after - before) * closed.length_factor


def _ended(
    w: ContactsWork,
    contact_id: str,
    extra: d.Reasons,
    at_seconds: float,
    handling: bool,
    history: Sequence[Span],
    config: StressConfig,
) -> Points:
    opened = _find(w, contact_id)
    if opened is None and _recent(w, contact_id) is not None:
        return NOTHING  # e.g. ended after the transfer that already closed it
    if opened is None:
        opened = OpenWork(contact_id, None, ())
        _with_open(w, opened, config)
    reasons = opened.reasons
    for reason, weight in extra:
        reasons = d.with_reason(reasons, reason, weight)
    opened.reasons = reasons
    opened.ended = True
    if handling:
        return NOTHING  # closes when the wrap-up ends
    return _close(w, opened, at_seconds, history, config)


def _close(
    w: ContactsWork, opened: OpenWork, at_seconds: float, history: Sequence[Span], config: StressConfig
) -> Points:
    answered = opened.answered_seconds
    handle = None if answered is None else max(at_seconds - answered, 0.0)
    hold = opened.hold_seconds + (0.0 if opened.held_at_seconds is None else at_seconds - opened.held_at_seconds)
    reasons = d.with_reason(opened.reasons, d.HELD, d.ramp(hold, 0.0, config.hold_full_seconds))
    baseline, count = w.baseline_handle_seconds, w.baseline_contacts
    if handle is not None and baseline and count >= config.baseline_min_contacts:
        reasons = d.with_reason(reasons, d.LONG_HANDLE, d.long_handle_weight(handle, baseline, config))
    if handle is not None:
        baseline = handle if baseline is None else baseline + config.baseline_weight_ratio * (handle - baseline)
        count += 1
    factor = d.length_factor(handle, config)
    difficulty = d.difficulty_points(reasons, config)
    workload = 0.0 if handle is None else config.workload_points_per_handle_hour * handle / 3600.0
    closing = opened.contact_id
    w.open = [c for c in w.open if c.contact_id != closing]
    w.recent = (*w.recent, RecentContact(closing, reasons, factor))[-config.recent_contacts :]
    w.baseline_handle_seconds = baseline
    w.baseline_contacts = count
    w.difficult_contacts = w.difficult_contacts + (difficulty >= config.difficult_from_points)
    occupancy = occupancy_ratio(history, at_seconds, config)  # only when a contact closes: most events close none
    return workload * d.occupancy_intensity(occupancy, config), difficulty * factor


def _find(w: ContactsWork, contact_id: str) -> OpenWork | None:
    for c in w.open:
        if c.contact_id == contact_id:
            return c
    return None


def _recent(w: ContactsWork, contact_id: str) -> RecentContact | None:
    for c in w.recent:
        if c.contact_id == contact_id:
            return c
    return None


def _signal(w: ContactsWork, signal: str) -> None:
    w.signals = tuple(sorted({*w.signals, signal}))


def _with_open(w: ContactsWork, opened: OpenWork, config: StressConfig) -> None:
    # As `(*open, opened)[-max_open_contacts:]` for any limit: the oldest beyond it are dropped.
    w.open.append(opened)
    del w.open[: -config.max_open_contacts]
