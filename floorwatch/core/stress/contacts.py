"""The contacts behind the stress score: which were difficult, how long, against whose baseline.

A contact is followed from its answer to its end (ended, transferred away, or abandoned
while held). When it closes it gives one impulse: workload points (its handle hours x the
excess of last-hour occupancy over the healthy band) and emotional points (the sum of its
difficulty reasons' points x a length factor). Handle time counts as "far above" against
the agent's own running mean, which needs nothing from other partitions. A sentiment
reading or an escalation for a contact already closed (post-call analytics) is an impulse
of its own, counted once per contact and reason. A reading for a contact never seen is
remembered on an open contact that closes with the agent's next end event for it, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.core.events import (
    AnyEvent,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEscalated,
    ContactSentimentObserved,
    ContactTransferred,
)
from floorwatch.core.stress.config import StressConfig
from floorwatch.core.stress.difficulty import (
    ABANDONED_ON_HOLD,
    COMPLAINT,
    ESCALATED,
    LONG_HANDLE,
    LONG_TRANSFER,
    NEGATIVE_SENTIMENT,
    Impulse,
    length_factor,
    occupancy_excess,
    points,
)

_RECENT = 8  # closed contacts remembered, for late sentiment readings


@dataclass(frozen=True, slots=True)
class OpenContact:
    contact_id: str
    answered_seconds: float | None  # None when the answer was not seen
    reasons: frozenset[str]


@dataclass(frozen=True, slots=True)
class StressContacts:
    open: tuple[OpenContact, ...] = ()
    recent: tuple[tuple[str, frozenset[str]], ...] = ()  # closed contacts and why they were difficult
    baseline_handle_seconds: float | None = None  # the agent's own running mean handle time
    baseline_contacts: int = 0
    difficult_contacts: int = 0  # this shift

    def new_shift(self) -> StressContacts:
        return StressContacts(
            open=self.open,
            recent=self.recent,
            baseline_handle_seconds=self.baseline_handle_seconds,
            baseline_contacts=self.baseline_contacts,
            difficult_contacts=0,
        )


def contact_event(
    contacts: StressContacts, event: AnyEvent, at_seconds: float, occupancy_ratio: float | None, config: StressConfig
) -> tuple[StressContacts, Impulse | None]:
    # Exact types: a pydantic model's isinstance costs ~0.25 us per miss.
    if type(event) is ContactAnswered:
        contact_id = event.data.contact_id
        if _find(contacts, contact_id) is None and not _closed(contacts, contact_id):
            contacts = _with_open(
                contacts, OpenContact(contact_id=contact_id, answered_seconds=at_seconds, reasons=frozenset()), config
            )
        return contacts, None
    if type(event) is ContactSentimentObserved and event.data.score > config.negative_sentiment_at_most:
        return contacts, None
    if type(event) is ContactEscalated or type(event) is ContactSentimentObserved:
        contact_id = event.data.contact_id
        reason = ESCALATED if type(event) is ContactEscalated else NEGATIVE_SENTIMENT
        if _closed(contacts, contact_id) and _find(contacts, contact_id) is None:
            return _late_reason(contacts, contact_id, reason, config)
        return _mark(contacts, contact_id, reason, config), None
    if type(event) is ContactTransferred:
        contact_id = event.data.contact_id
        opened = _find(contacts, contact_id)
        answered = None if opened is None else opened.answered_seconds
        long = answered is not None and at_seconds - answered >= config.long_transfer_handle_seconds
        return close(contacts, contact_id, at_seconds, {LONG_TRANSFER} if long else set(), occupancy_ratio, config)
    if type(event) is ContactEnded:
        extra = {COMPLAINT} if event.data.complaint else set()
        return close(contacts, event.data.contact_id, at_seconds, extra, occupancy_ratio, config)
    if type(event) is ContactAbandoned:
        long = event.data.on_hold_seconds >= config.long_hold_seconds
        extra = {ABANDONED_ON_HOLD} if long else set()
        return close(contacts, event.data.contact_id, at_seconds, extra, occupancy_ratio, config)
    return contacts, None


def close(
    contacts: StressContacts,
    contact_id: str,
    at_seconds: float,
    extra: set[str],
    occupancy_ratio: float | None,
    config: StressConfig,
) -> tuple[StressContacts, Impulse | None]:
    opened = _find(contacts, contact_id)
    if opened is None and _closed(contacts, contact_id):
        return contacts, None  # e.g. ended after the transfer that already closed it
    if opened is None:
        opened = OpenContact(contact_id=contact_id, answered_seconds=None, reasons=frozenset())
    answered = opened.answered_seconds
    handle = None if answered is None else max(at_seconds - answered, 0.0)
    reasons = set(opened.reasons) | extra
    baseline, count = contacts.baseline_handle_seconds, contacts.baseline_contacts
    if (
        handle is not None
        and baseline
        and count >= config.baseline_min_contacts
        and handle >= config.long_handle_ratio * baseline
    ):
        reasons.add(LONG_HANDLE)
    if handle is not None:
        baseline = handle if baseline is None else baseline + config.baseline_weight_ratio * (handle - baseline)
        count += 1
    frozen = frozenset(reasons)
    emotional = sum(points(reason, config) for reason in sorted(frozen)) * length_factor(handle, config)
    workload = (
        0.0
        if handle is None
        else config.workload_points_per_handle_hour * handle / 3600.0 * occupancy_excess(occupancy_ratio, config)
    )
    contacts = StressContacts(
        open=tuple(c for c in contacts.open if c.contact_id != contact_id),
        recent=(contacts.recent + ((contact_id, frozen),))[-_RECENT:],
        baseline_handle_seconds=baseline,
        baseline_contacts=count,
        difficult_contacts=contacts.difficult_contacts + (1 if frozen else 0),
    )
    if workload == 0.0 and emotional == 0.0:
        return contacts, None
    return contacts, Impulse(workload_points=workload, emotional_points=emotional, reasons=frozen)


def _late_reason(
    contacts: StressContacts, contact_id: str, reason: str, config: StressConfig
) -> tuple[StressContacts, Impulse | None]:
    """A reason reported after the contact closed (post-call analytics): its own impulse, once."""
    known = dict(contacts.recent)[contact_id]
    if reason in known:
        return contacts, None
    recent = tuple(item for item in contacts.recent if item[0] != contact_id) + ((contact_id, known | {reason}),)
    contacts = StressContacts(
        open=contacts.open,
        recent=recent,
        baseline_handle_seconds=contacts.baseline_handle_seconds,
        baseline_contacts=contacts.baseline_contacts,
        difficult_contacts=contacts.difficult_contacts + (0 if known else 1),
    )
    return contacts, Impulse(workload_points=0.0, emotional_points=points(reason, config), reasons=frozenset({reason}))


def _find(contacts: StressContacts, contact_id: str) -> OpenContact | None:
    for c in contacts.open:  # plain loops: a generator costs about twice as much, on every contact event
        if c.contact_id == contact_id:
            return c
    return None


def _closed(contacts: StressContacts, contact_id: str) -> bool:
    for cid, _ in contacts.recent:
        if cid == contact_id:
            return True
    return False


def _mark(contacts: StressContacts, contact_id: str, reason: str, config: StressConfig) -> StressContacts:
    opened = _find(contacts, contact_id) or OpenContact(
        contact_id=contact_id, answered_seconds=None, reasons=frozenset()
    )
    marked = OpenContact(
        contact_id=opened.contact_id, answered_seconds=opened.answered_seconds, reasons=opened.reasons | {reason}
    )
    rest = tuple(c for c in contacts.open if c.contact_id != contact_id)
    return _with_open(
        StressContacts(
            open=rest,
            recent=contacts.recent,
            baseline_handle_seconds=contacts.baseline_handle_seconds,
            baseline_contacts=contacts.baseline_contacts,
            difficult_contacts=contacts.difficult_contacts,
        ),
        marked,
        config,
    )


def _with_open(contacts: StressContacts, opened: OpenContact, config: StressConfig) -> StressContacts:
    kept = (contacts.open + (opened,))[-config.max_open_contacts :]
    return StressContacts(
        open=kept,
        recent=contacts.recent,
        baseline_handle_seconds=contacts.baseline_handle_seconds,
        baseline_contacts=contacts.baseline_contacts,
        difficult_contacts=contacts.difficult_contacts,
    )
