"""One queue's picture (docs/metrics.md): contacts waiting, longest wait, service level,
abandon rate, average speed of answer and average handle time (docs/metrics.md).

Contact events reach a queue from several agents' partitions, so their order is not
guaranteed. The reducer is therefore order-robust rather than strict about lateness:
it is idempotent per contact (a contact is offered once and resolved once, remembered for
at least `remember_contacts_seconds`), counts each outcome in the one-minute bucket of its own
event time, and keeps the buckets of the last window so a late outcome still lands where
it belongs. Within that memory, the figures do not depend on arrival order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, NamedTuple

from floorwatch.core import staffing
from floorwatch.core.events import AnyEvent, ContactAbandoned, ContactAnswered, ContactOffered
from floorwatch.core.occupancy import ContactHandled, ratio
from floorwatch.core.staffing import StaffingConfig, StaffingFigures


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
    # How long offers and outcomes are remembered (idempotence). An event further behind the
    # queue's clock than this is "late" and not applied: a duplicate that old could no longer
    # be recognised (e.g. a log ingested again an hour later). Generous, because a queue's
    # events arrive from many agents' partitions, which a restarting worker reads unevenly.
    remember_contacts_seconds: float = 1800.0
    staffing: StaffingConfig = field(default_factory=StaffingConfig)  # agents needed (docs/staffing.md)

    def __post_init__(self) -> None:
        if self.bucket_seconds <= 0 or self.window_seconds < self.bucket_seconds:
            raise ValueError("queue window must be at least one bucket, and buckets positive")
        longest = max(self.staffing.arrival_window_seconds, self.staffing.handle_window_seconds)
        if longest > self.window_seconds:
            raise ValueError(f"staffing windows ({longest:.0f} s) cannot be longer than the queue window")


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
    abandon_wait_seconds: float = 0.0  # time abandoned callers waited (short abandons excluded): patience


_CHUNK = 32
# Inside the track, counts are plain tuples in ContactCounts' field order: they are added on
# every outcome, and a tuple costs a tenth of a frozen dataclass to build.
Counts = tuple[int, int, int, int, int, int, float, int, float, float]
_ZERO: Counts = (0, 0, 0, 0, 0, 0, 0.0, 0, 0.0, 0.0)
_ONE_OFFER: Counts = (1, 0, 0, 0, 0, 0, 0.0, 0, 0.0, 0.0)


def _add(a: Counts, b: Counts) -> Counts:
    return (
        a[0] + b[0],
        a[1] + b[1],
        a[2] + b[2],
        a[3] + b[3],
        a[4] + b[4],
        a[5] + b[5],
        a[6] + b[6],
        a[7] + b[7],
        a[8] + b[8],
        a[9] + b[9],
    )


@dataclass(frozen=True, slots=True)
class QueueTrack:
    queue_id: str
    clock_seconds: float  # newest event time seen by this queue (0.0 before any)
    waiting: tuple[tuple[str, float], ...]  # (contact_id, offered at)
    # "offered:<id>" / "resolved:<id>" seen lately, for idempotence: the newest few in a tuple,
    # older ones in frozen chunks of _CHUNK keys (newest event time, keys), so that a lookup is
    # a few hash probes rather than a scan of every contact of the last ten minutes.
    recent_keys: tuple[str, ...]
    recent_newest_seconds: float
    recent_chunks: tuple[tuple[float, frozenset[str]], ...]
    buckets: tuple[tuple[float, Counts], ...]  # (bucket start, counts), oldest first
    totals: Counts


QueueVerdict = Literal["accepted", "duplicate", "late", "ignored"]


class QueueApplied(NamedTuple):
    """What one event did (lives for one call: a NamedTuple is the cheapest record to build)."""

    track: QueueTrack
    verdict: QueueVerdict


@dataclass(frozen=True)
class ContactFigures:
    counts: ContactCounts
    answered: int
    abandoned: int  # short abandons excluded
    short_abandoned: int  # callers gone within `short_abandon_seconds`: their own figure, in no rate
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
    staffing: StaffingFigures  # agents needed now for the queue's target


def initial(queue_id: str) -> QueueTrack:
    return QueueTrack(
        queue_id=queue_id,
        clock_seconds=0.0,
        waiting=(),
        recent_keys=(),
        recent_newest_seconds=0.0,
        recent_chunks=(),
        buckets=(),
        totals=_ZERO,
    )  # 0.0, not -inf: tracks are stored as JSON


@dataclass(slots=True)
class QueueWork:
    """A QueueTrack's fields, mutable, its sequences lists: `apply_work` and `on_handled_work`
    update it in place. The replay's fold keeps one per queue for the whole log and freezes it
    where a track is stored or viewed; `apply` and `on_handled` (what the workers call) thaw a
    track, step it and freeze it again. Same operations in the same order either way."""

    queue_id: str
    clock_seconds: float
    waiting: list[tuple[str, float]]
    recent_keys: list[str]
    recent_newest_seconds: float
    recent_chunks: list[tuple[float, frozenset[str]]]
    # The track's buckets as two parallel lists (start, counts): mypyc unboxes a whole
    # (start, counts) pair to read its start, and the buckets' starts are read on every event.
    bucket_starts: list[float]
    bucket_counts: list[Counts]
    totals: Counts

    @classmethod
    def of(cls, track: QueueTrack) -> QueueWork:
        return cls(
            queue_id=track.queue_id,
            clock_seconds=track.clock_seconds,
            waiting=list(track.waiting),
            recent_keys=list(track.recent_keys),
            recent_newest_seconds=track.recent_newest_seconds,
            recent_chunks=list(track.recent_chunks),
            bucket_starts=[start for start, _ in track.buckets],
            bucket_counts=[counts for _, counts in track.buckets],
            totals=track.totals,
        )

    def freeze(self) -> QueueTrack:
        return QueueTrack(
            queue_id=self.queue_id,
            clock_seconds=self.clock_seconds,
            waiting=tuple(self.waiting),
            recent_keys=tuple(self.recent_keys),
            recent_newest_seconds=self.recent_newest_seconds,
            recent_chunks=tuple(self.recent_chunks),
            buckets=tuple(zip(self.bucket_starts, self.bucket_counts, strict=True)),
            totals=self.totals,
        )


def start(queue_id: str) -> QueueWork:
    """The working state of a queue never seen before."""
    return QueueWork(queue_id, 0.0, [], [], 0.0, [], [], [], _ZERO)  # 0.0, not -inf: tracks are stored as JSON


def apply(track: QueueTrack | None, event: AnyEvent, config: QueueConfig) -> QueueApplied:
    """Fold one contact event (already routed to this queue by its queue_id): `apply_work` on a
    working copy of the track, frozen again. An event that changes nothing returns the track given."""
    if track is None:
        if event.type == "agent.state_changed" or event.type == "schedule.published":
            raise ValueError(f"{event.type} names no queue; route it to its agent")
        track = initial(event.data.queue_id)
    work = QueueWork.of(track)
    verdict = apply_work(work, event, config)
    return QueueApplied(work.freeze() if verdict == "accepted" else track, verdict)


def on_handled(track: QueueTrack | None, handled: ContactHandled, config: QueueConfig) -> QueueTrack:
    """An agent finished one of this queue's contacts (wrap-up included): for handle time."""
    work = QueueWork.of(track if track is not None else initial(handled.queue_id))
    on_handled_work(work, handled, config)
    return work.freeze()


def apply_work(
    work: QueueWork, event: AnyEvent, config: QueueConfig, event_seconds: float | None = None
) -> QueueVerdict:
    """`apply` in place; the working state changes only when the verdict is "accepted".
    `event_seconds`: the event's `occurred_at` as epoch seconds, if the caller has it already."""
    # Exact types: a pydantic model's isinstance costs ~0.25 us per miss.
    if type(event) is not ContactOffered and type(event) is not ContactAnswered and type(event) is not ContactAbandoned:
        return "ignored"
    at = event.occurred_at.timestamp() if event_seconds is None else event_seconds
    if work.clock_seconds > 0 and at < work.clock_seconds - config.remember_contacts_seconds:
        return "late"
    if type(event) is ContactOffered:
        contact_id = event.data.contact_id
        offer_key = "offered:" + contact_id
        if _seen(work, offer_key) or _waiting(work, contact_id):
            return "duplicate"
        if not _seen(work, "resolved:" + contact_id):  # not already answered (events can cross)
            work.waiting.append((contact_id, at))
        _record(work, at, _ONE_OFFER, config, offer_key)
        return "accepted"
    if type(event) is not ContactAnswered and type(event) is not ContactAbandoned:
        return "ignored"
    if type(event) is ContactAbandoned and event.data.agent_id is not None:
        return "ignored"  # hung up on an agent's hold: the queue answered it
    contact_id = event.data.contact_id
    resolved_key = "resolved:" + contact_id
    if _seen(work, resolved_key):
        return "duplicate"
    if _waiting(work, contact_id):
        work.waiting = [w for w in work.waiting if w[0] != contact_id]
    _record(work, at, _outcome(event, config), config, resolved_key)
    return "accepted"


def on_handled_work(work: QueueWork, handled: ContactHandled, config: QueueConfig) -> None:
    """`on_handled` in place."""
    _record(work, handled.wrapped_seconds, (0, 0, 0, 0, 0, 0, 0.0, 1, handled.handle_seconds, 0.0), config, None)


def view(track: QueueTrack, now_seconds: float, config: QueueConfig) -> QueueFigures:
    window = _within(track, now_seconds, config.window_seconds, config)
    waits = [now_seconds - offered_at for _, offered_at in track.waiting]
    return QueueFigures(
        queue_id=track.queue_id,
        as_of_seconds=now_seconds,
        contacts_waiting=len(waits),
        longest_wait_seconds=max(max(waits), 0.0) if waits else 0.0,
        service_level_threshold_seconds=config.service_level_threshold_seconds,
        abandon_treatment=config.abandon_treatment.value,
        window_seconds=config.window_seconds,
        window=contact_figures(ContactCounts(*window), config),
        total=contact_figures(ContactCounts(*track.totals), config),
        staffing=staffing_figures(track, now_seconds, config),
    )


def staffing_figures(track: QueueTrack, now_seconds: float, config: QueueConfig) -> StaffingFigures:
    """Agents needed now: arrivals over the arrival window, handle time over the handle window."""
    advice = config.staffing
    arrivals = ContactCounts(*_within(track, now_seconds, advice.arrival_window_seconds, config))
    handling = ContactCounts(*_within(track, now_seconds, advice.handle_window_seconds, config))
    resolved = handling.answered_within + handling.answered_after + handling.abandoned_within + handling.abandoned_after
    found = staffing.demand(
        offered=arrivals.offered,
        arrival_covered_seconds=now_seconds - (_bucket_start(now_seconds, config) - advice.arrival_window_seconds),
        handled=handling.handled,
        handled_seconds=handling.handled_seconds,
        abandoned=handling.abandoned_within + handling.abandoned_after,
        resolved=resolved,
        waited_seconds=handling.answer_wait_seconds + handling.abandon_wait_seconds,
        config=advice,
    )
    return staffing.figures(track.queue_id, found, advice)


def _within(track: QueueTrack, now_seconds: float, window_seconds: float, config: QueueConfig) -> Counts:
    """Counts of the buckets from `window_seconds` before the current bucket up to now."""
    horizon = _bucket_start(now_seconds, config) - window_seconds
    window = _ZERO
    for start, counts in track.buckets:
        if horizon <= start <= now_seconds:
            window = _add(window, counts)
    return window


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
        short_abandoned=counts.short_abandoned,
        service_level_ratio=ratio(met, eligible),
        abandon_rate_ratio=ratio(abandoned, answered + abandoned),
        average_speed_of_answer_seconds=counts.answer_wait_seconds / answered if answered else None,
        average_handle_seconds=counts.handled_seconds / counts.handled if counts.handled else None,
    )


# --- helpers ---------------------------------------------------------------------------------


def _outcome(event: ContactAnswered | ContactAbandoned, config: QueueConfig) -> Counts:
    wait = event.data.wait_seconds
    within = wait <= config.service_level_threshold_seconds
    if isinstance(event, ContactAnswered):
        return (0, 1, 0, 0, 0, 0, wait, 0, 0.0, 0.0) if within else (0, 0, 1, 0, 0, 0, wait, 0, 0.0, 0.0)
    if wait < config.short_abandon_seconds:
        return (0, 0, 0, 0, 0, 1, 0.0, 0, 0.0, 0.0)
    return (0, 0, 0, 1, 0, 0, 0.0, 0, 0.0, wait) if within else (0, 0, 0, 0, 1, 0, 0.0, 0, 0.0, wait)


def _waiting(work: QueueWork, contact_id: str) -> bool:
    for waiting_id, _ in work.waiting:
        if waiting_id == contact_id:
            return True
    return False


def _seen(work: QueueWork, key: str) -> bool:
    if key in work.recent_keys:
        return True
    for _, keys in work.recent_chunks:  # a plain loop: any() over a generator costs twice as much
        if key in keys:
            return True
    return False


def _bucket_start(at_seconds: float, config: QueueConfig) -> float:
    return (at_seconds // config.bucket_seconds) * config.bucket_seconds


def _record(work: QueueWork, at_seconds: float, delta: Counts, config: QueueConfig, remember: str | None) -> None:
    clock = max(work.clock_seconds, at_seconds)
    work.clock_seconds = clock
    waiting = work.waiting
    if waiting and waiting[0][1] < clock - config.forget_waiting_after_seconds:
        work.waiting = [w for w in waiting if w[1] >= clock - config.forget_waiting_after_seconds]
    if remember is not None:
        keys = work.recent_keys
        keys.append(remember)
        work.recent_newest_seconds = max(work.recent_newest_seconds, at_seconds)
        if len(keys) >= _CHUNK:
            work.recent_chunks.append((work.recent_newest_seconds, frozenset(keys)))
            work.recent_keys, work.recent_newest_seconds = [], 0.0
    chunks = work.recent_chunks
    if chunks and chunks[0][0] < clock - config.remember_contacts_seconds:
        work.recent_chunks = [chunk for chunk in chunks if chunk[0] >= clock - config.remember_contacts_seconds]
    horizon = _bucket_start(clock, config) - config.window_seconds
    _bump(work.bucket_starts, work.bucket_counts, _bucket_start(at_seconds, config), delta, horizon)
    work.totals = _add(work.totals, delta)


def _bump(starts: list[float], counts: list[Counts], start: float, delta: Counts, horizon: float) -> None:
    """Add `delta` to the bucket at `start`, in place, keeping only buckets from `horizon` on, in
    order. `starts` and `counts` are the buckets' two parallel lists."""
    if starts and starts[0] < horizon:
        kept = [i for i, begins in enumerate(starts) if begins >= horizon]
        counts[:] = [counts[i] for i in kept]
        starts[:] = [starts[i] for i in kept]
    if start < horizon:
        return  # too old for any window: it counts in the totals only
    last = len(starts) - 1
    if last >= 0 and starts[last] == start:
        counts[last] = _add(counts[last], delta)
        return
    if last < 0 or starts[last] < start:
        starts.append(start)
        counts.append(delta)
        return
    index = 0
    while starts[index] < start:  # a late outcome: the first bucket from `start` on
        index += 1
    if starts[index] == start:
        counts[index] = _add(counts[index], delta)
    else:
        starts.insert(index, start)
        counts.insert(index, delta)
