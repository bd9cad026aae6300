"""The per-agent reducer's rules: duplicates, lateness, the agent's clock, schedules, routing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core import agent
from floorwatch.core.config import MetricConfig
from floorwatch.core.events import AgentState
from floorwatch.core.occupancy import ContactHandled
from tests.unit.core.builders import (
    AVAILABLE,
    BREAK,
    LOGGED_OUT,
    ON_CONTACT,
    abandoned,
    answered,
    ended,
    epoch,
    offered,
    schedule,
    sentiment,
    state,
)

CONFIG = MetricConfig()


def fold(events, config=CONFIG):
    track, verdicts, outputs = None, [], []
    for event in events:
        applied = agent.apply(track, event, config)
        track = applied.track
        verdicts.append(applied.verdict)
        outputs.extend(applied.outputs)
    return track, verdicts, outputs


def figures_at(track, t, config=CONFIG):
    figures, _ = agent.view(track, epoch(t), config)
    return figures


def test_a_repeated_event_id_is_a_duplicate_and_changes_nothing():
    first = state("a1", AVAILABLE, 0)
    track, _verdicts, _ = fold([first, state("a1", ON_CONTACT, 30)])
    again = agent.apply(track, first, CONFIG)
    assert again.verdict == "duplicate"
    assert again.track is track
    assert again.outputs == ()


def test_an_event_within_the_allowed_lateness_is_applied_at_the_agents_clock():
    # AVAILABLE at 0, ON_CONTACT at 100, then an AVAILABLE stamped 50 arrives (50 s late):
    # it takes effect at 100, so the contact lasted 0 s and the agent was available 0-200.
    track, verdicts, _ = fold([state("a1", AVAILABLE, 0), state("a1", ON_CONTACT, 100), state("a1", AVAILABLE, 50)])
    assert verdicts == ["accepted", "accepted", "accepted"]
    assert track.last_event_seconds == epoch(100)
    figures = figures_at(track, 200)
    assert figures.occupancy.handle_seconds == 0
    assert figures.occupancy.available_seconds == pytest.approx(200)


def test_an_event_beyond_the_allowed_lateness_is_late_and_changes_nothing():
    track, _, _ = fold([state("a1", AVAILABLE, 0), state("a1", ON_CONTACT, 300)])
    applied = agent.apply(track, state("a1", BREAK, 179), CONFIG)
    assert applied.verdict == "late"
    assert applied.lateness_seconds == pytest.approx(121)
    assert applied.track is track


def test_lateness_exactly_at_the_limit_is_still_applied():
    track, _, _ = fold([state("a1", AVAILABLE, 0), state("a1", ON_CONTACT, 300)])
    assert agent.apply(track, state("a1", BREAK, 180), CONFIG).verdict == "accepted"


def test_lateness_is_measured_against_the_agents_own_clock_only():
    # a2's clock is far ahead; a1's event is judged against a1's clock.
    _a2, _, _ = fold([state("a2", AVAILABLE, 10_000)])
    _a1, verdicts, _ = fold([state("a1", AVAILABLE, 0), state("a1", ON_CONTACT, 60)])
    assert verdicts == ["accepted", "accepted"]


def test_a_duplicate_arriving_after_the_lateness_window_is_late():
    first = state("a1", AVAILABLE, 0)
    track, _verdicts, _ = fold([first, state("a1", ON_CONTACT, 200)])
    assert agent.apply(track, first, CONFIG).verdict == "late"
    assert [event_id for event_id, _ in track.recent_event_ids] == ["state:a1:ON_CONTACT:200"]


def test_a_state_change_carries_the_agents_team_site_and_queues():
    track, _, _ = fold(
        [
            state("a1", AVAILABLE, 0, team="t1", site="s1", queues=("q1",)),
            state("a1", ON_CONTACT, 10, team="t2", site="s1", queues=("q1", "q2")),
        ]
    )
    assert (track.team_id, track.site_id, track.queues) == ("t2", "s1", ("q1", "q2"))


def test_contact_events_before_any_state_change_start_a_track_without_identity():
    track, verdicts, _ = fold([answered("a1", "c1", 0), sentiment("a1", "c1", 5, -0.8)])
    assert verdicts == ["accepted", "accepted"]
    assert track.state is None and track.team_id is None
    assert figures_at(track, 60).occupancy.staffed_seconds == 0


def test_queue_only_events_are_refused_by_the_agent_reducer():
    with pytest.raises(ValueError, match="names no agent"):
        agent.apply(None, offered("c1", 0), CONFIG)
    assert agent.agent_id_of(abandoned("c1", 0, wait=3)) is None
    assert agent.agent_id_of(abandoned("c1", 0, wait=3, agent="a1")) == "a1"


def test_a_schedule_neither_moves_the_clock_nor_is_ever_late_and_the_same_one_twice_is_a_duplicate():
    plan = schedule("a1", 0, 8 * 3600, (("break", 7200, 8100),), t=-86_400)
    track, verdicts, _ = fold([state("a1", AVAILABLE, 0), plan, plan])
    assert verdicts == ["accepted", "accepted", "duplicate"]
    assert track.last_event_seconds == epoch(0)
    assert track.schedule == plan.data


def test_handled_contacts_come_out_with_the_agent_identity():
    events = [
        state("a1", AVAILABLE, 0, team="t1"),
        answered("a1", "c1", 10),
        state("a1", ON_CONTACT, 10, team="t1"),
        ended("a1", "c1", 100),
        state("a1", AVAILABLE, 100, team="t1"),
    ]
    _, _, outputs = fold(events)
    assert [(o.agent_id, o.team_id, o.output) for o in outputs] == [
        (
            "a1",
            "t1",
            ContactHandled(
                contact_id="c1",
                queue_id="q1",
                answered_seconds=epoch(10),
                wrapped_seconds=epoch(100),
                handle_seconds=90.0,
            ),
        )
    ]


def test_view_never_projects_before_the_agents_clock_and_stores_nothing():
    track, _, _ = fold([state("a1", ON_CONTACT, 0), state("a1", AVAILABLE, 100)])
    early, _ = agent.view(track, epoch(50), CONFIG)
    assert early.as_of_seconds == epoch(100)
    later, _ = agent.view(track, epoch(400), CONFIG)
    assert later.occupancy.available_seconds == pytest.approx(300)
    assert agent.view(track, epoch(400), CONFIG) == (later, ())


# --- properties ---------------------------------------------------------------------------

STATES = list(AgentState)
steps = st.lists(st.tuples(st.integers(-200, 400), st.sampled_from(STATES)), min_size=1, max_size=30)


def timeline(raw_steps, agent_id="a1"):
    """Events at drifting times: each step moves time by -200..+400 s, so some are late."""
    t, events = 0, []
    for i, (delta, new_state) in enumerate(raw_steps):
        t += delta
        events.append(state(agent_id, new_state, t, event_id=f"{agent_id}-{i}"))
    return events


@settings(max_examples=150, deadline=None)
@given(raw=steps, data=st.data())
def test_replaying_any_earlier_event_again_changes_nothing(raw, data):
    events = timeline(raw)
    with_duplicates = []
    for i, event in enumerate(events):
        with_duplicates.append(event)
        if data.draw(st.booleans()):
            with_duplicates.append(events[data.draw(st.integers(0, i))])
    plain, _, _ = fold(events)
    duplicated, verdicts, _ = fold(with_duplicates)
    assert duplicated == plain
    assert verdicts.count("accepted") == fold(events)[1].count("accepted")


@settings(max_examples=150, deadline=None)
@given(raw=steps)
def test_an_event_is_late_exactly_when_it_is_further_behind_the_clock_than_allowed(raw):
    track = None
    for event in timeline(raw):
        applied = agent.apply(track, event, CONFIG)
        clock = track.last_event_seconds if track is not None else None
        behind = clock - event.occurred_at.timestamp() if clock is not None else 0.0
        assert (applied.verdict == "late") == (behind > CONFIG.allowed_lateness_seconds)
        if applied.verdict == "late":
            assert applied.track is track
        else:
            assert applied.track.last_event_seconds == max(clock or float("-inf"), event.occurred_at.timestamp())
        track = applied.track


@settings(max_examples=150, deadline=None)
@given(raw=steps, tail=st.integers(0, 7200))
def test_staffed_time_splits_exactly_into_handle_available_and_auxiliary(raw, tail):
    track, _, _ = fold(timeline(raw))
    figures = figures_at(track, (track.last_event_seconds - epoch(0)) + tail).occupancy
    assert figures.handle_seconds + figures.available_seconds + figures.aux_seconds == pytest.approx(
        figures.staffed_seconds
    )
    assert sum(figures.seconds_by_state.values()) == pytest.approx(figures.staffed_seconds + figures.logged_out_seconds)
    assert figures.seconds_by_state[LOGGED_OUT.value] == pytest.approx(figures.logged_out_seconds)
    for r in (figures.occupancy_ratio, figures.utilization_ratio):
        assert r is None or 0.0 <= r <= 1.0


def test_an_agent_track_survives_the_json_round_trip_the_stream_tables_use():
    from pydantic import TypeAdapter

    from floorwatch.core.agent import AgentTrack
    from tests.unit.core.builders import team_shift

    track, _, _ = fold([e for e in team_shift() if agent.agent_id_of(e) == "ben"])
    adapter = TypeAdapter(AgentTrack)
    again = adapter.validate_json(adapter.dump_json(track))
    assert again == track
    assert agent.view(again, epoch(9 * 3600), CONFIG) == agent.view(track, epoch(9 * 3600), CONFIG)


def _close(a, b, path="figures"):
    """Equal, floats to 1e-9 relative (exponential decay sliced differently)."""
    if isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-9), path
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


SHIFT_OF_BEN = None


def _ben():
    global SHIFT_OF_BEN
    if SHIFT_OF_BEN is None:
        from tests.unit.core.builders import team_shift

        SHIFT_OF_BEN = [e for e in team_shift() if agent.agent_id_of(e) == "ben"]
    return SHIFT_OF_BEN


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12), tail=st.integers(0, 3 * 3600))
def test_slicing_time_with_events_no_sub_track_reacts_to_changes_no_figure(cuts, tail):
    from dataclasses import asdict

    from tests.unit.core.builders import held

    events = _ben()
    first, last = events[0].occurred_at.timestamp(), events[-1].occurred_at.timestamp()
    noise = [
        held("ben", "not-a-contact-of-ben", (first + c * (last - first)) - epoch(0), event_id=f"noise-{i}")
        for i, c in enumerate(cuts)
    ]
    sliced = sorted(events + noise, key=lambda e: e.occurred_at)  # stable: noise after same-time events
    whole, _, whole_out = fold(events)
    parts, _, parts_out = fold(sliced)
    now = last + tail
    _close(asdict(agent.view(parts, now, CONFIG)[0]), asdict(agent.view(whole, now, CONFIG)[0]))
    _close([asdict(o) for o in parts_out], [asdict(o) for o in whole_out], "outputs")
