"""One queue's picture (DOMAIN.md §5): contacts waiting, longest wait, service level,
abandon rate, average speed of answer and average handle time (docs/metrics.md).

Contact events reach a queue from several agents' partitions, so their order is not
guaranteed. The reducer is therefore order-robust rather than strict about lateness:
it is idempotent per contact (a contact is offered once and resolved once, remembered for
`remember_contacts_seconds`), counts each outcome in the one-minute bucket of its own
event time, and keeps the buckets of the last window so a late outcome still lands where
it belongs. Within that memory, the figures do not depend on arrival order.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from floorwatch.core.events import ContactAbandoned, ContactAnswered, ContactOffered
from floorwatch.core.occupancy import ContactHandled, ratio


class AbandonTreatment(StrEnum):
    """How abandoned contacts count in service level (the three Cisco UCCE service level types)."""

    NEGATIVE = "negative"  # every abandon is a missed contact (the default)
    IGNORED = "ignored"  # abandons within the threshold are removed from the count
    POSITIVE = "positive"  # abandons within the threshold count as met


@dataclass(frozen=True)
class QueueConfig:
    service_level_threshold_seconds: float = 20.0  # the classic "80/20": 80% answered within 20 s
    window_seconds: float = 1800.0  # service level and rates over the last 30 minutes
    bucket_seconds: float = 60.0  # window granularity
    abandon_treatment: AbandonTreatment = AbandonTreatment.NEGATIVE
    short_abandon_seconds: float = 5.0  # callers gone faster than this are not counted at all
    forget_waiting_after_seconds: float = 4 * 3600.0  # a contact never resolved stops counting as waiting
    remember_contacts_seconds: float = 600.0  # how long offers and outcomes are remembered (idempotence)

    def __post_init__(self) -> None:
        if self.bucket_seconds <= 0 or self.window_seconds < self.bucket_seconds:
            raise ValueError("queue window must be at least one bucket, and buckets positive")


@dataclass(frozen=True, slots=True)
class ContactCounts:
    offered: int = 0
    answered_within: int = 0
    answered_after: int = 0
    abandoned_within: int = 0
    abandoned_after: int = 0
    short_abandoned: int = 0
    answer_wait_seconds: float = 0.0
    handled: int = 0
    handled_seconds: float = 0.0

    def plus(self, other: ContactCounts) -> ContactCounts:
        return ContactCounts(
            self.offered + other.offered,
            self.answered_within + other.answered_within,
            self.answered_after + other.answered_after,
            self.abandoned_within + other.abandoned_within,
            self.abandoned_after + other.abandoned_after,
            self.short_abandoned + other.short_abandoned,
            self.answer_wait_seconds + other.answer_wait_seconds,
            self.handled + other.handled,
            self.handled_seconds + other.handled_seconds,
        )


_NONE = ContactCounts()
_OFFERED = ContactCounts(offered=1)


@dataclass(frozen=True, slots=True)
class QueueTrack:
    queue_id: str
    clock_seconds: float  # newest event time seen by this queue
    waiting: tuple[tuple[str, float], ...]  # (contact_id, offered at)
    recent_keys: tuple[str, ...]  # "offered:<id>" / "resolved:<id>" seen lately, for idempotence
    recent_seconds: tuple[float, ...]  # when each key was seen (event time)
    buckets: tuple[tuple[float, ContactCounts], ...]  # (bucket start, counts), oldest first
    totals: ContactCounts


QueueVerdict = Literal["accepted", "duplicate", "ignored"]


@dataclass(frozen=True, slots=True)
class QueueApplied:
    track: QueueTrack
    verdict: QueueVerdict


@dataclass(frozen=True)
class ContactFigures:
    counts: ContactCounts
    answered: int
    abandoned: int  # short abandons excluded
    service_level_ratio: float | None
    abandon_rate_ratio: float | None
    average_speed_of_answer_seconds: float | None
    average_handle_seconds: float | None


@dataclass(frozen=True)
class QueueFigures:
    queue_id: str
    as_of_seconds: float
    contacts_waiting: int
    longest_wait_seconds: float
    service_level_threshold_seconds: float
    abandon_treatment: str
    window_seconds: float
    window: ContactFigures
    total: ContactFigures


def initial(queue_id: str) -> QueueTrack:
    return QueueTrack(queue_id, float("-inf"), (), (), (), (), _NONE)


def apply(track: QueueTrack | None, event: object, config: QueueConfig) -> QueueApplied:
    """Fold one contact event (already routed to this queue by its queue_id)."""
    if track is None:
        track = initial(event.data.queue_id)  # type: ignore[attr-defined]
    if isinstance(event, ContactOffered):
        contact_id = event.data.contact_id
        offer_key = "offered:" + contact_id
        if offer_key in track.recent_keys or any(waiting[0] == contact_id for waiting in track.waiting):
            return QueueApplied(track, "duplicate")
        at = event.occurred_at.timestamp()
        waiting = track.waiting
        if "resolved:" + contact_id not in track.recent_keys:  # not already answered (events can cross)
            waiting = waiting + ((contact_id, at),)
        return QueueApplied(_record(track, at, _OFFERED, config, waiting=waiting, remember=offer_key), "accepted")
    if isinstance(event, (ContactAnswered, ContactAbandoned)):
        if isinstance(event, ContactAbandoned) and event.data.agent_id is not None:
            return QueueApplied(track, "ignored")  # hung up on an agent's hold: the queue answered it
        contact_id = event.data.contact_id
        resolved_key = "resolved:" + contact_id
        if resolved_key in track.recent_keys:
            return QueueApplied(track, "duplicate")
        at = event.occurred_at.timestamp()
        waiting = tuple(w for w in track.waiting if w[0] != contact_id)
        return QueueApplied(_record(track, at, _outcome(event, config), config, waiting=waiting, remember=resolved_key), "accepted")
    return QueueApplied(track, "ignored")


def on_handled(track: QueueTrack | None, handled: ContactHandled, config: QueueConfig) -> QueueTrack:
    """An agent finished one of this queue's contacts (wrap-up included): for handle time."""
    if track is None:
        track = initial(handled.queue_id)
    return _record(track, handled.wrapped_seconds, ContactCounts(handled=1, handled_seconds=handled.handle_seconds), config)


def view(track: QueueTrack, now_seconds: float, config: QueueConfig) -> QueueFigures:
    horizon = _bucket_start(now_seconds, config) - config.window_seconds
    window = _NONE
    for start, counts in track.buckets:
        if horizon <= start <= now_seconds:
            window = window.plus(counts)
    waits = [now_seconds - offered_at for _, offered_at in track.waiting]
    return QueueFigures(
        queue_id=track.queue_id,
        as_of_seconds=now_seconds,
        contacts_waiting=len(waits),
        longest_wait_seconds=max(max(waits), 0.0) if waits else 0.0,
        service_level_threshold_seconds=config.service_level_threshold_seconds,
        abandon_treatment=config.abandon_treatment.value,
        window_seconds=config.window_seconds,
        window=contact_figures(window, config),
        total=contact_figures(track.totals, config),
    )


def contact_figures(counts: ContactCounts, config: QueueConfig) -> ContactFigures:
    """Ratios from counts; also used to roll several queues up (sum the counts first)."""
    answered = counts.answered_within + counts.answered_after
    abandoned = counts.abandoned_within + counts.abandoned_after
    met = counts.answered_within
    eligible = answered + abandoned
    if config.abandon_treatment is AbandonTreatment.IGNORED:
        eligible -= counts.abandoned_within
    elif config.abandon_treatment is AbandonTreatment.POSITIVE:
        met += counts.abandoned_within
    return ContactFigures(
        counts=counts,
        answered=answered,
        abandoned=abandoned,
        service_level_ratio=ratio(met, eligible),
        abandon_rate_ratio=ratio(abandoned, answered + abandoned),
        average_speed_of_answer_seconds=counts.answer_wait_seconds / answered if answered else None,
        average_handle_seconds=counts.handled_seconds / counts.handled if counts.handled else None,
    )


# --- helpers ---------------------------------------------------------------------------------


def _outcome(event: ContactAnswered | ContactAbandoned, config: QueueConfig) -> ContactCounts:
    wait = event.data.wait_seconds
    within = wait <= config.service_level_threshold_seconds
    if isinstance(event, ContactAnswered):
        if within:
            return ContactCounts(answered_within=1, answer_wait_seconds=wait)
        return ContactCounts(answered_after=1, answer_wait_seconds=wait)
    if wait < config.short_abandon_seconds:
        return ContactCounts(short_abandoned=1)
    return ContactCounts(abandoned_within=1) if within else ContactCounts(abandoned_after=1)


def _bucket_start(at_seconds: float, config: QueueConfig) -> float:
    return (at_seconds // config.bucket_seconds) * config.bucket_seconds


def _record(
    track: QueueTrack,
    at_seconds: float,
    delta: ContactCounts,
    config: QueueConfig,
    *,
    waiting: tuple[tuple[str, float], ...] | None = None,
    remember: str | None = None,
) -> QueueTrack:
    clock = max(track.clock_seconds, at_seconds)
    waiting = track.waiting if waiting is None else waiting
    if waiting and waiting[0][1] < clock - config.forget_waiting_after_seconds:
        waiting = tuple(w for w in waiting if w[1] >= clock - config.forget_waiting_after_seconds)
    keys, seconds = track.recent_keys, track.recent_seconds
    if remember is not None:
        keys, seconds = keys + (remember,), seconds + (at_seconds,)
    drop = 0
    while drop < len(seconds) and seconds[drop] < clock - config.remember_contacts_seconds:
        drop += 1
    if drop:
        keys, seconds = keys[drop:], seconds[drop:]
    buckets = _bump(track.buckets, _bucket_start(at_seconds, config), delta, _bucket_start(clock, config) - config.window_seconds)
    return QueueTrack(track.queue_id, clock, waiting, keys, seconds, buckets, track.totals.plus(delta))


def _bump(
    buckets: tuple[tuple[float, ContactCounts], ...], start: float, delta: ContactCounts, horizon: float
) -> tuple[tuple[float, ContactCounts], ...]:
    """Add `delta` to the bucket at `start`, keeping only buckets from `horizon` on, in order."""
    if buckets and buckets[0][0] < horizon:
        buckets = tuple(b for b in buckets if b[0] >= horizon)
    if start < horizon:
        return buckets  # too old for any window: it counts in the totals only
    if buckets and buckets[-1][0] == start:
        return buckets[:-1] + ((start, buckets[-1][1].plus(delta)),)
    if not buckets or buckets[-1][0] < start:
        return buckets + ((start, delta),)
    index = next(i for i, bucket in enumerate(buckets) if bucket[0] >= start)
    if buckets[index][0] == start:
        return buckets[:index] + ((start, buckets[index][1].plus(delta)),) + buckets[index + 1 :]
    return buckets[:index] + ((start, delta),) + buckets[index:]
