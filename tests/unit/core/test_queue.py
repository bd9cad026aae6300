"""The queue picture: waiting, service level under each abandon treatment, rates, handle time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core import queue
from floorwatch.core.occupancy import ContactHandled
from floorwatch.core.queue import AbandonTreatment, QueueConfig
from tests.unit.core.builders import HOUR, MINUTE, abandoned, answered, epoch, offered

CONFIG = QueueConfig()


def fold(events, config=CONFIG):
    track, verdicts = None, []
    for event in events:
        applied = queue.apply(track, event, config)
        track = applied.track
        verdicts.append(applied.verdict)
    return track, verdicts


def mixed_half_hour():
    """Within 20 minutes: 8 answered within 20 s (waits 0..14), 2 answered after (30 s, 50 s),
    1 abandoned within the threshold (10 s), 1 after it (40 s), 1 short abandon (2 s)."""
    events = []
    for i in range(8):
        events += [offered(f"in{i}", i * MINUTE), answered("a1", f"in{i}", i * MINUTE + 2 * i, wait=2 * i)]
    events += [offered("late0", 600), answered("a1", "late0", 630, wait=30)]
    events += [offered("late1", 700), answered("a1", "late1", 750, wait=50)]
    events += [offered("gone0", 800), abandoned("gone0", 810, wait=10)]
    events += [offered("gone1", 900), abandoned("gone1", 940, wait=40)]
    events += [offered("blip", 1000), abandoned("blip", 1002, wait=2)]
    return events


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        (AbandonTreatment.NEGATIVE, 8 / 12),  # answered within / (answered 10 + abandoned 2)
        (AbandonTreatment.IGNORED, 8 / 11),  # the abandon within 20 s leaves the denominator
        (AbandonTreatment.POSITIVE, 9 / 12),  # the abandon within 20 s counts as met
    ],
)
def test_service_level_follows_the_configured_abandon_treatment(treatment, expected):
    config = QueueConfig(abandon_treatment=treatment)
    track, _ = fold(mixed_half_hour(), config)
    figures = queue.view(track, epoch(1200), config).window
    assert figures.service_level_ratio == pytest.approx(expected)
    assert figures.counts.short_abandoned == 1  # never in any denominator
    assert figures.short_abandoned == 1  # but named, next to the abandons


def test_abandon_rate_and_average_speed_of_answer_exclude_short_abandons():
    track, _ = fold(mixed_half_hour())
    figures = queue.view(track, epoch(1200), CONFIG).window
    assert figures.abandon_rate_ratio == pytest.approx(2 / 12)
    # waits: 0+2+...+14 = 56 within, 30 + 50 after: 136 s over 10 answered.
    assert figures.average_speed_of_answer_seconds == pytest.approx(13.6)
    assert figures.counts.offered == 13


def test_a_short_abandon_timer_of_zero_counts_every_abandon():
    config = QueueConfig(short_abandon_seconds=0)
    track, _ = fold(mixed_half_hour(), config)
    assert queue.view(track, epoch(1200), config).window.service_level_ratio == pytest.approx(8 / 13)


def test_contacts_waiting_and_longest_wait_come_from_unresolved_offers():
    track, _ = fold([offered("c1", 0), offered("c2", 10), offered("c3", 20), answered("a1", "c1", 30, wait=30)])
    figures = queue.view(track, epoch(40), CONFIG)
    assert figures.contacts_waiting == 2
    assert figures.longest_wait_seconds == pytest.approx(30)  # c2, offered at 10


def test_outcomes_older_than_the_window_leave_it_but_stay_in_the_totals():
    track, _ = fold(
        [offered("c1", 0), answered("a1", "c1", 5, wait=5), offered("c2", 3600), answered("a1", "c2", 3630, wait=30)]
    )
    figures = queue.view(track, epoch(3700), CONFIG)
    assert figures.window.answered == 1
    assert figures.window.service_level_ratio == 0.0
    assert figures.total.answered == 2
    assert figures.total.service_level_ratio == pytest.approx(0.5)


def test_the_window_holds_the_current_minute_and_the_thirty_before_it():
    track, _ = fold([answered("a1", "c1", 0, wait=1)])
    assert queue.view(track, epoch(30 * MINUTE + 59), CONFIG).window.answered == 1
    assert queue.view(track, epoch(31 * MINUTE), CONFIG).window.answered == 0


def test_a_repeated_offer_or_answer_counts_once():
    track, verdicts = fold(
        [offered("c1", 0), offered("c1", 0), answered("a1", "c1", 5, wait=5), answered("a1", "c1", 5, wait=5)]
    )
    assert verdicts == ["accepted", "duplicate", "accepted", "duplicate"]
    figures = queue.view(track, epoch(10), CONFIG)
    assert figures.total.counts.offered == 1
    assert figures.total.answered == 1


def test_an_answer_seen_before_its_offer_leaves_nothing_waiting():
    track, verdicts = fold([answered("a1", "c1", 5, wait=5), offered("c1", 0)])
    assert verdicts == ["accepted", "accepted"]
    figures = queue.view(track, epoch(10), CONFIG)
    assert figures.contacts_waiting == 0
    assert figures.total.counts.offered == 1


def test_an_abandon_on_an_agents_hold_is_not_a_queue_abandon():
    track, verdicts = fold(
        [offered("c1", 0), answered("a1", "c1", 5, wait=5), abandoned("c1", 100, wait=5, agent="a1", on_hold=30)]
    )
    assert verdicts[-1] == "ignored"
    assert queue.view(track, epoch(100), CONFIG).total.abandoned == 0


def test_a_contact_never_resolved_stops_counting_as_waiting_after_the_configured_time():
    track, _ = fold([offered("lost", 0), offered("c2", 4 * HOUR + 1)])
    assert queue.view(track, epoch(4 * HOUR + 2), CONFIG).contacts_waiting == 1


def test_average_handle_time_comes_from_contacts_handled_by_agents():
    track, _ = fold([offered("c1", 0)])
    for contact, handle in (("c1", 200.0), ("c2", 400.0)):
        track = queue.on_handled(
            track,
            ContactHandled(
                contact_id=contact,
                queue_id="q1",
                answered_seconds=epoch(10),
                wrapped_seconds=epoch(10 + handle),
                handle_seconds=handle,
            ),
            CONFIG,
        )
    figures = queue.view(track, epoch(500), CONFIG)
    assert figures.window.average_handle_seconds == pytest.approx(300)
    assert figures.total.counts.handled == 2


def test_no_answers_and_no_abandons_give_no_service_level_rather_than_zero():
    track, _ = fold([offered("c1", 0)])
    figures = queue.view(track, epoch(5), CONFIG).window
    assert figures.service_level_ratio is None
    assert figures.abandon_rate_ratio is None


@settings(max_examples=100, deadline=None)
@given(
    outcomes=st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 60), st.booleans()),
        min_size=1,
        max_size=30,
        unique_by=lambda o: o[0],
    ),
    data=st.data(),
)
def test_queue_figures_do_not_depend_on_the_order_events_arrive_in(outcomes, data):
    # Any disorder within the ten minutes the queue remembers contacts for.
    events = []
    for i, (t, wait, was_answered) in enumerate(outcomes):
        events.append(offered(f"c{i}", t))
        resolve = (
            answered("a1", f"c{i}", t + wait, wait=wait) if was_answered else abandoned(f"c{i}", t + wait, wait=wait)
        )
        events.append(resolve)
    shuffled = data.draw(st.permutations(events))
    in_order, _ = fold(sorted(events, key=lambda e: e.occurred_at))
    any_order, _ = fold(shuffled)
    now = epoch(1300)
    assert queue.view(any_order, now, CONFIG) == queue.view(in_order, now, CONFIG)


def test_a_queue_track_survives_the_json_round_trip_the_stream_tables_use():
    from pydantic import TypeAdapter

    from floorwatch.core.queue import QueueTrack

    events = [e for i in range(40) for e in (offered(f"c{i}", i * 10.0), answered("a1", f"c{i}", i * 10.0 + 4, wait=4))]
    track, _ = fold(events + [offered("waiting", 500)])
    adapter = TypeAdapter(QueueTrack)
    again = adapter.validate_json(adapter.dump_json(track))
    assert again == track
    assert queue.apply(again, answered("a1", "c3", 34, wait=4), CONFIG).verdict == "duplicate"
