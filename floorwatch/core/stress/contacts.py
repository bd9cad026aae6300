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
"""

from __future__ import annotations

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

    def new_shift(self) -> StressContacts:
        return self._replace(difficult_contacts=0)


NOTHING = d.Impulse(workload_points=0.0, emotional_points=0.0)
_SIGNAL = {
    ContactSentimentObserved: "sentiment",
    ContactTransferred: "transfers",
    ContactEscalated: "escalations",
}


def contact_event(
    contacts: StressContacts,
    event: AnyEvent,
    at_seconds: float,
    handling: bool,
    occupancy_ratio: float | None,
    config: StressConfig,
) -> tuple[StressContacts, d.Impulse]:
    """Apply one contact event; `handling`: the agent is in a handle state now."""
    kind = type(event)
    signal = _SIGNAL.get(kind)
    if signal is not None and signal not in contacts.signals:
        contacts = _signal(contacts, signal)
    contact_id: str = getattr(event.data, "contact_id", "")
    if type(event) is ContactAnswered:
        return _answered(contacts, contact_id, event.data.wait_seconds, at_seconds, occupancy_ratio, config)
    if kind is ContactHeld or kind is ContactResumed:
        return _hold(contacts, contact_id, at_seconds, kind is ContactHeld), NOTHING
    if type(event) is ContactSentimentObserved:
        weight = d.sentiment_weight(event.data.score, config)
        return _reason(contacts, contact_id, d.NEGATIVE_SENTIMENT, weight, config)
    if kind is ContactEscalated:
        return _reason(contacts, contact_id, d.ESCALATED, 1.0, config)
    extra: d.Reasons = ()
    if kind is ContactTransferred:
        opened = _find(contacts, contact_id)
        answered = None if opened is None else opened.answered_seconds
        weight = 1.0 if answered is None else d.ramp(at_seconds - answered, 0.0, config.transfer_full_handle_seconds)
        extra = d.with_reason((), d.TRANSFERRED, weight)
    elif type(event) is ContactEnded:
        if event.data.complaint:
            contacts, extra = _signal(contacts, "complaints"), ((d.COMPLAINT, 1.0),)
    elif type(event) is ContactAbandoned:
        on_hold = event.data.on_hold_seconds
        if on_hold > 0.0:
            contacts = _signal(contacts, "abandons")
            extra = d.with_reason((), d.ABANDONED_ON_HOLD, d.ramp(on_hold, 0.0, config.hold_full_seconds))
    else:
        return contacts, NOTHING
    return _ended(contacts, contact_id, extra, at_seconds, handling, occupancy_ratio, config)


def finish_wrap_up(
    contacts: StressContacts, at_seconds: float, occupancy_ratio: float | None, config: StressConfig
) -> tuple[StressContacts, d.Impulse]:
    """The agent left the handle states: every ended contact closes now."""
    workload = emotional = 0.0
    for opened in contacts.open:
        if opened.ended:
            contacts, impulse = _close(contacts, opened, at_seconds, occupancy_ratio, config)
            workload, emotional = workload + impulse.workload_points, emotional + impulse.emotional_points
    return contacts, d.Impulse(workload_points=workload, emotional_points=emotional)


def wrap_up_pending(contacts: StressContacts) -> bool:
    for opened in contacts.open:  # plain loops: a generator costs about twice as much, per event
        if opened.ended:
            return True
    return False


def _answered(
    contacts: StressContacts,
    contact_id: str,
    wait_seconds: float,
    at_seconds: float,
    occupancy_ratio: float | None,
    config: StressConfig,
) -> tuple[StressContacts, d.Impulse]:
    impulse = NOTHING
    if wrap_up_pending(contacts):  # a new answer closes the previous contact (one at a time)
        contacts, impulse = finish_wrap_up(contacts, at_seconds, occupancy_ratio, config)
    if wait_seconds > 0.0 and "queue_wait" not in contacts.signals:
        contacts = _signal(contacts, "queue_wait")
    if _find(contacts, contact_id) is not None:
        return contacts, impulse
    reasons = d.with_reason(
        (), d.QUEUE_WAIT, d.ramp(wait_seconds, config.queue_wait_free_seconds, config.queue_wait_full_seconds)
    )
    if _recent(contacts, contact_id) is not None:
        reasons = d.with_reason(reasons, d.REPEAT_CONTACT, 1.0)
    opened = OpenContact(contact_id=contact_id, answered_seconds=at_seconds, reasons=reasons)
    return _with_open(contacts, opened, config), impulse


def _hold(contacts: StressContacts, contact_id: str, at_seconds: float, held: bool) -> StressContacts:
    opened = _find(contacts, contact_id)
    if opened is None or held == (opened.held_at_seconds is not None):
        return contacts
    if held:
        contacts = contacts if "holds" in contacts.signals else _signal(contacts, "holds")
        return _replace_open(contacts, opened._replace(held_at_seconds=at_seconds))
    since = opened.held_at_seconds or at_seconds
    return _replace_open(
        contacts, opened._replace(held_at_seconds=None, hold_seconds=opened.hold_seconds + at_seconds - since)
    )


def _reason(
    contacts: StressContacts, contact_id: str, reason: str, weight: float, config: StressConfig
) -> tuple[StressContacts, d.Impulse]:
    if weight <= 0.0:
        return contacts, NOTHING
    opened = _find(contacts, contact_id)
    if opened is not None:
        return _replace_open(contacts, opened._replace(reasons=d.with_reason(opened.reasons, reason, weight))), NOTHING
    closed = _recent(contacts, contact_id)
    if closed is not None:
        return _late_reason(contacts, closed, reason, weight, config)
    opened = OpenContact(contact_id=contact_id, answered_seconds=None, reasons=((reason, min(weight, 1.0)),))
    return _with_open(contacts, opened, config), NOTHING


def _late_reason(
    contacts: StressContacts, closed: RecentContact, reason: str, weight: float, config: StressConfig
) -> tuple[StressContacts, d.Impulse]:
    """A reason reported after the contact closed: the difference it makes, once."""
    reasons = d.with_reason(closed.reasons, reason, weight)
    if reasons == closed.reasons:
        return contacts, NOTHING
    before, after = d.difficulty_points(closed.reasons, config), d.difficulty_points(reasons, config)
    recent = tuple(c if c is not closed else c._replace(reasons=reasons) for c in contacts.recent)
    newly_difficult = before < config.difficult_from_points <= after
    contacts = contacts._replace(recent=recent, difficult_contacts=contacts.difficult_contacts + newly_difficult)
    return contacts, d.Impulse(workload_points=0.0, emotional_points=(after - before) * closed.length_factor)


def _ended(
    contacts: StressContacts,
    contact_id: str,
    extra: d.Reasons,
    at_seconds: float,
    handling: bool,
    occupancy_ratio: float | None,
    config: StressConfig,
) -> tuple[StressContacts, d.Impulse]:
    opened = _find(contacts, contact_id)
    if opened is None and _recent(contacts, contact_id) is not None:
        return contacts, NOTHING  # e.g. ended after the transfer that already closed it
    if opened is None:
        opened = OpenContact(contact_id=contact_id, answered_seconds=None, reasons=())
        contacts = _with_open(contacts, opened, config)
    reasons = opened.reasons
    for reason, weight in extra:
        reasons = d.with_reason(reasons, reason, weight)
    marked = OpenContact(
        contact_id=opened.contact_id,
        answered_seconds=opened.answered_seconds,
        reasons=reasons,
        ended=True,
        held_at_seconds=opened.held_at_seconds,
        hold_seconds=opened.hold_seconds,
    )
    contacts = _replace_open(contacts, marked)
    if handling:
        return contacts, NOTHING  # closes when the wrap-up ends
    return _close(contacts, marked, at_seconds, occupancy_ratio, config)


def _close(
    contacts: StressContacts, opened: OpenContact, at_seconds: float, occupancy: float | None, config: StressConfig
) -> tuple[StressContacts, d.Impulse]:
    answered = opened.answered_seconds
    handle = None if answered is None else max(at_seconds - answered, 0.0)
    hold = opened.hold_seconds + (0.0 if opened.held_at_seconds is None else at_seconds - opened.held_at_seconds)
    reasons = d.with_reason(opened.reasons, d.HELD, d.ramp(hold, 0.0, config.hold_full_seconds))
    baseline, count = contacts.baseline_handle_seconds, contacts.baseline_contacts
    if handle is not None and baseline and count >= config.baseline_min_contacts:
        reasons = d.with_reason(reasons, d.LONG_HANDLE, d.long_handle_weight(handle, baseline, config))
    if handle is not None:
        baseline = handle if baseline is None else baseline + config.baseline_weight_ratio * (handle - baseline)
        count += 1
    factor = d.length_factor(handle, config)
    difficulty = d.difficulty_points(reasons, config)
    workload = 0.0 if handle is None else config.workload_points_per_handle_hour * handle / 3600.0
    contacts = StressContacts(
        open=tuple([c for c in contacts.open if c.contact_id != opened.contact_id]),
        recent=(*contacts.recent, RecentContact(opened.contact_id, reasons, factor))[-config.recent_contacts :],
        baseline_handle_seconds=baseline,
        baseline_contacts=count,
        difficult_contacts=contacts.difficult_contacts + (difficulty >= config.difficult_from_points),
        signals=contacts.signals,
    )
    impulse = d.Impulse(
        workload_points=workload * d.occupancy_intensity(occupancy, config), emotional_points=difficulty * factor
    )
    return contacts, impulse


def _find(contacts: StressContacts, contact_id: str) -> OpenContact | None:
    for c in contacts.open:
        if c.contact_id == contact_id:
            return c
    return None


def _recent(contacts: StressContacts, contact_id: str) -> RecentContact | None:
    for c in contacts.recent:
        if c.contact_id == contact_id:
            return c
    return None


def _signal(contacts: StressContacts, signal: str) -> StressContacts:
    return contacts._replace(signals=tuple(sorted({*contacts.signals, signal})))


def _replace_open(contacts: StressContacts, opened: OpenContact) -> StressContacts:
    kept = tuple([opened if c.contact_id == opened.contact_id else c for c in contacts.open])
    return _open_as(contacts, kept)


def _with_open(contacts: StressContacts, opened: OpenContact, config: StressConfig) -> StressContacts:
    return _open_as(contacts, (*contacts.open, opened)[-config.max_open_contacts :])


def _open_as(contacts: StressContacts, open_contacts: tuple[OpenContact, ...]) -> StressContacts:
    # Built directly: NamedTuple._replace costs twice as much, and this runs on most contact events.
    return StressContacts(
        open=open_contacts,
        recent=contacts.recent,
        baseline_handle_seconds=contacts.baseline_handle_seconds,
        baseline_contacts=contacts.baseline_contacts,
        difficult_contacts=contacts.difficult_contacts,
        signals=contacts.signals,
    )
