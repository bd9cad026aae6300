"""Synthetic agent-days for the stress scenario suite: a day is a list of blocks (work at an
occupancy, a break, a lunch), turned into the events a platform would send and folded by the
real agent reducer (floorwatch.core.agent), as the replay and the workers do."""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.core import agent
from floorwatch.core.config import MetricConfig
from tests.unit.core.builders import (
    AFTER_CONTACT_WORK,
    AVAILABLE,
    BREAK,
    HOLD,
    LOGGED_OUT,
    LUNCH,
    ON_CONTACT,
    answered,
    ended,
    epoch,
    escalated,
    held,
    resumed,
    schedule,
    sentiment,
    state,
)

A = "agent-1"


@dataclass(frozen=True)
class Work:
    seconds: float
    occupancy: float  # handle / (handle + available) while working
    contact_seconds: float = 300.0  # answer to end of wrap-up
    hostile_every: int = 0  # every n-th contact is hostile (0: none)
    sentiment_feed: bool = True  # a hostile contact also gets a customer sentiment reading
    sentiment_delay_seconds: float = 0.0  # post-call analytics: the reading arrives this late
    wait_seconds: float = 0.0  # how long each caller waited in queue
    gap_seconds: float | None = None  # available time between contacts (instead of the occupancy)


@dataclass(frozen=True)
class Rest:
    seconds: float
    lunch: bool = False


def events_of(day: list[Work | Rest], *, scheduled_hours: float | None = None) -> list:
    """The events of one agent-day from T0, in delivery order."""
    events: list = [state(A, AVAILABLE, 0.0)]
    if scheduled_hours is not None:
        events.append(schedule(A, 0.0, scheduled_hours * 3600.0))
    t, n, late = 0.0, 0, []
    for block in day:
        if isinstance(block, Rest):
            events.append(state(A, LUNCH if block.lunch else BREAK, t))
            t += block.seconds
            events.append(state(A, AVAILABLE, t))
            continue
        end = t + block.seconds
        gap = block.gap_seconds
        if gap is None:
            gap = block.contact_seconds * (1.0 - block.occupancy) / block.occupancy
        while t + gap + block.contact_seconds <= end:
            t += gap
            n += 1
            hostile = block.hostile_every > 0 and n % block.hostile_every == 0
            contact, late_reading = _contact(n, t, block, hostile)
            events += contact
            late += late_reading
            t += block.contact_seconds * (1.6 if hostile else 1.0)
            events.append(state(A, AVAILABLE, t))
        t = max(t, end)
    events.append(state(A, LOGGED_OUT, t))
    return _deliver(events, late)


def _contact(n: int, t: float, block: Work, hostile: bool) -> tuple[list, list]:
    """A contact from its answer at `t`: talk, wrap-up (a fifth of it). A hostile caller, as a
    platform shows one without speech analytics: longer (x1.6), a 90-s hold, every other one
    escalated; with a feed, a sentiment reading of -0.8 (these signatures are our assumption)."""
    c = f"c{n}"
    length = block.contact_seconds * (1.6 if hostile else 1.0)
    talk_end = t + length * 0.8
    events: list = [answered(A, c, t, wait=block.wait_seconds), state(A, ON_CONTACT, t)]
    late: list = []
    if hostile:
        events += [held(A, c, t + 60), state(A, HOLD, t + 60), resumed(A, c, t + 150), state(A, ON_CONTACT, t + 150)]
        if n % 2 == 0:
            events.append(escalated(A, c, t + 200))
        if block.sentiment_feed and block.sentiment_delay_seconds:  # stamped at the call's end, delivered later
            late.append((t + length + block.sentiment_delay_seconds, sentiment(A, c, t + length, -0.8)))
        elif block.sentiment_feed:
            events.append(sentiment(A, c, t + 100, -0.8))
    events += [ended(A, c, talk_end), state(A, AFTER_CONTACT_WORK, talk_end)]
    return events, late


def _deliver(events: list, late: list) -> list:
    """Events in time order, with each late reading inserted where it is delivered."""
    timed = [(e.occurred_at.timestamp() - epoch(0.0), i, e) for i, e in enumerate(events)]
    timed += [(when, len(events) + i, e) for i, (when, e) in enumerate(late)]
    return [e for _, _, e in sorted(timed, key=lambda x: (x[0], x[1]))]


@dataclass(frozen=True)
class DayResult:
    peak_score: float
    final_score: float
    verdicts: tuple[str, ...]
    samples: dict[float, float]  # seconds after T0 -> score then (viewed between events)


def fold(events: list, *, sample_at: tuple[float, ...] = (), config: MetricConfig | None = None) -> DayResult:
    config = config or MetricConfig()
    track, verdicts, samples = None, [], {}
    pending = sorted(sample_at)
    peak = 0.0
    for event in events:
        when = event.occurred_at.timestamp()
        while pending and epoch(pending[0]) <= when and track is not None:
            figures, _ = agent.view(track, epoch(pending[0]), config)
            samples[pending.pop(0)] = figures.stress.score
        applied = agent.apply(track, event, config)
        track = applied.track
        verdicts.append(applied.verdict)
    assert track is not None
    last = track.last_event_seconds or epoch(0.0)
    for t in pending:
        figures, _ = agent.view(track, max(epoch(t), last), config)
        samples[t] = figures.stress.score
    figures, _ = agent.view(track, last, config)
    peak = figures.stress.peak_score
    return DayResult(peak_score=peak, final_score=figures.stress.score, verdicts=tuple(verdicts), samples=samples)
