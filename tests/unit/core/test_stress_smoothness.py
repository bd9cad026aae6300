"""Smoothness and monotonicity of the stress score (issue 20): a one-second change of a break or of
a gap between contacts, or a 0.01 change of a sentiment reading, moves the score by at most
BOUND points; more of any load never lowers the score. Scores are read at a fixed instant after
the varied input, through the real agent reducer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core import agent
from floorwatch.core.config import MetricConfig
from tests.unit.core.builders import (
    AFTER_CONTACT_WORK,
    AVAILABLE,
    BREAK,
    HOLD,
    ON_CONTACT,
    answered,
    ended,
    epoch,
    held,
    resumed,
    sentiment,
    state,
)

BOUND = 0.5  # points of score, for a 1-s or 0.01 change of one input
CONFIG = MetricConfig()
A = "a1"
H = 3600.0


def score_at(events: list, t: float) -> float:
    track = None
    for event in sorted(events, key=lambda e: e.occurred_at):
        track = agent.apply(track, event, CONFIG).track
    assert track is not None
    return agent.view(track, epoch(t), CONFIG)[0].stress.score


def contact(n: int, t: float, *, talk=240.0, wrap=60.0, wait=0.0, reading=None, hold=0.0) -> list:
    c = f"c{n}"
    events = [answered(A, c, t, wait=wait), state(A, ON_CONTACT, t)]
    if hold:
        events += [held(A, c, t + 30), state(A, HOLD, t + 30), resumed(A, c, t + 30 + hold)]
        events.append(state(A, ON_CONTACT, t + 30 + hold))
    if reading is not None:
        events.append(sentiment(A, c, t + 10, reading))
    end = t + talk  # a hold is part of the talk time: the contact's length does not change
    return [*events, ended(A, c, end), state(A, AFTER_CONTACT_WORK, end), state(A, AVAILABLE, end + wrap)]


def working(until: float, *, gap=30.0, start=0.0, first=0, **kw) -> tuple[list, float]:
    """Contacts back to back with `gap` available between them, from `start` to `until`."""
    events, t, n = [], start, first
    while t + gap + 300 <= until:
        t += gap
        n += 1
        events += contact(n, t, **kw)
        t += 300
    return events, t


def day_with(*, rest=900.0, gap=30.0, reading=None, hold=0.0, wait=0.0, work=2.5 * H) -> list:
    """Work, one varied contact, a break of `rest`, an hour more work."""
    before, t = working(work)
    varied = contact(999, t + gap, reading=reading, hold=hold, wait=wait)
    t += gap + 300
    after, _ = working(t + rest + H, start=t + rest, first=2000)
    return [state(A, AVAILABLE, 0.0), *before, *varied, state(A, BREAK, t), state(A, AVAILABLE, t + rest), *after]


READ_AT = 5 * H
rests = st.floats(min_value=1.0, max_value=1800.0)
gaps = st.floats(min_value=0.0, max_value=120.0)
readings = st.floats(min_value=-1.0, max_value=0.99)


@settings(max_examples=40, deadline=None)
@given(rests)
def test_a_break_one_second_longer_moves_the_score_by_little_and_never_up(rest):
    shorter, longer = score_at(day_with(rest=rest), READ_AT), score_at(day_with(rest=rest + 1.0), READ_AT)
    assert 0.0 <= shorter - longer <= BOUND


@settings(max_examples=40, deadline=None)
@given(gaps)
def test_a_gap_between_contacts_one_second_longer_moves_the_score_by_little_and_never_up(gap):
    shorter, longer = score_at(day_with(gap=gap), READ_AT), score_at(day_with(gap=gap + 1.0), READ_AT)
    assert abs(shorter - longer) <= BOUND


@settings(max_examples=40, deadline=None)
@given(readings)
def test_a_sentiment_reading_higher_by_a_hundredth_moves_the_score_by_little_and_never_up(reading):
    worse, better = score_at(day_with(reading=reading), READ_AT), score_at(day_with(reading=reading + 0.01), READ_AT)
    assert 0.0 <= worse - better <= BOUND


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.0, max_value=200.0), st.floats(min_value=0.0, max_value=200.0))
def test_a_longer_hold_never_lowers_the_score(a, b):
    short, long = sorted((a, b))
    assert score_at(day_with(hold=long), READ_AT + 600) >= score_at(day_with(hold=short), READ_AT + 600) - 1e-9


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.0, max_value=900.0), st.floats(min_value=0.0, max_value=900.0))
def test_a_longer_queue_wait_never_lowers_the_score(a, b):
    short, long = sorted((a, b))
    assert score_at(day_with(wait=long), READ_AT) >= score_at(day_with(wait=short), READ_AT) - 1e-9


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.5 * H, max_value=6 * H), st.floats(min_value=0.5 * H, max_value=6 * H))
def test_more_time_worked_without_a_break_never_lowers_the_score(a, b):
    short, long = sorted((a, b))
    # Available the whole time: time on task and missed breaks only (no contact timing in the way).
    assert score_at([state(A, AVAILABLE, 0.0)], long) >= score_at([state(A, AVAILABLE, 0.0)], short)


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.0, max_value=600.0), st.floats(min_value=0.0, max_value=600.0))
def test_less_available_time_before_a_contact_never_lowers_the_score(a, b):
    # Higher last-hour occupancy and less idle recovery: both can only add.
    def one(idle):
        return [state(A, AVAILABLE, 0.0), *contact(1, 3600.0 - idle - 300.0), *contact(2, 3600.0)]

    short, long = sorted((a, b))
    assert score_at(one(short), 3900.0 + 60) >= score_at(one(long), 3900.0 + 60) - 1e-9
