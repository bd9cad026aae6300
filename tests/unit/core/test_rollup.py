"""Roll-ups: sums of seconds, ratios from the sums, groups by team, site, queue and floor."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core import agent, rollup
from floorwatch.core.config import MetricConfig
from floorwatch.core.events import AgentState
from tests.unit.core.builders import AVAILABLE, LOGGED_OUT, LUNCH, ON_CONTACT, TRAINING, epoch, state

CONFIG = MetricConfig()


def figures_of(timelines, now):
    """{agent: [(seconds after T0, state, team, site, queues)]} viewed at `now`."""
    out = []
    for agent_id, steps in timelines.items():
        track = None
        for t, new_state, team, site, queues in steps:
            track = agent.apply(track, state(agent_id, new_state, t, team=team, site=site, queues=queues), CONFIG).track
        out.append(agent.view(track, epoch(now), CONFIG)[0])
    return out


def test_a_ten_minute_agent_weighs_ten_minutes_not_as_much_as_an_eight_hour_one():
    # long: 8 h, 6 h handle + 2 h available (0.75); short: 10 min available only (0.0).
    members = figures_of(
        {
            "long": [(0, ON_CONTACT, "t", "s", ("q",)), (6 * 3600, AVAILABLE, "t", "s", ("q",))],
            "short": [(8 * 3600 - 600, AVAILABLE, "t", "s", ("q",))],
        },
        8 * 3600,
    )
    group = rollup.rollup(members, CONFIG.occupancy)
    assert group.total.occupancy_ratio == pytest.approx(6 * 3600 / (8 * 3600 + 600))
    assert group.total.occupancy_ratio != pytest.approx((0.75 + 0.0) / 2)


def test_agents_are_grouped_by_team_and_site_and_counted_in_every_queue_they_serve():
    members = figures_of(
        {
            "a": [(0, AVAILABLE, "t1", "s1", ("q1", "q2"))],
            "b": [(0, ON_CONTACT, "t2", "s1", ("q2",))],
        },
        600,
    )
    assert list(rollup.by_team(members, CONFIG.occupancy)) == ["t1", "t2"]
    assert rollup.by_site(members, CONFIG.occupancy)["s1"].agents == 2
    queues = rollup.by_queue(members, CONFIG.occupancy)
    assert (queues["q1"].agents, queues["q2"].agents) == (1, 2)
    assert queues["q2"].total.handle_seconds == pytest.approx(600)


def test_an_agent_known_only_from_contact_events_belongs_to_no_team_but_to_the_floor():
    from tests.unit.core.builders import answered

    track = agent.apply(None, answered("x", "c1", 0), CONFIG).track
    members = [agent.view(track, epoch(60), CONFIG)[0]]
    assert rollup.by_team(members, CONFIG.occupancy) == {}
    assert rollup.rollup(members, CONFIG.occupancy).agents == 1


def test_live_floor_occupancy_leaves_out_auxiliary_and_logged_out_agents():
    members = figures_of(
        {
            "handling": [(0, ON_CONTACT, "t", "s", ())],
            "ready": [(0, AVAILABLE, "t", "s", ())],
            "training": [(0, TRAINING, "t", "s", ())],
            "lunch": [(0, LUNCH, "t", "s", ())],
            "gone": [(0, LOGGED_OUT, "t", "s", ())],
        },
        60,
    )
    group = rollup.rollup(members, CONFIG.occupancy)
    assert (group.agents, group.agents_staffed, group.agents_in_aux) == (5, 4, 2)
    assert group.live_floor_occupancy_ratio == pytest.approx(0.5)
    assert sum(group.agents_by_state.values()) == 5


def test_an_empty_group_has_no_ratios():
    group = rollup.rollup([], CONFIG.occupancy)
    assert group.agents == 0
    assert group.total.occupancy_ratio is None
    assert group.live_floor_occupancy_ratio is None
    assert group.break_compliance_ratio is None


members_strategy = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]),
    st.lists(st.tuples(st.integers(0, 1800), st.sampled_from(list(AgentState))), min_size=1, max_size=8),
    min_size=1,
)


@settings(max_examples=100, deadline=None)
@given(raw=members_strategy, tail=st.integers(0, 3600))
def test_group_figures_are_the_sums_of_their_members_and_the_ratio_lies_between_theirs(raw, tail):
    timelines = {}
    for agent_id, steps in raw.items():
        t, timeline = 0, []
        for gap, new_state in steps:
            t += gap
            timeline.append((t, new_state, "t", "s", ("q",)))
        timelines[agent_id] = timeline
    now = max(steps[-1][0] for steps in timelines.values()) + tail
    members = figures_of(timelines, now)
    group = rollup.rollup(members, CONFIG.occupancy)
    for name in ("handle_seconds", "available_seconds", "aux_seconds", "staffed_seconds"):
        assert getattr(group.total, name) == pytest.approx(sum(getattr(m.occupancy, name) for m in members))
    for window, figures in zip(group.windows, zip(*(m.occupancy.windows for m in members))):
        assert window.figures.handle_seconds == pytest.approx(sum(w.figures.handle_seconds for w in figures))
    ratios = [m.occupancy.occupancy_ratio for m in members if m.occupancy.occupancy_ratio is not None]
    if ratios:
        assert min(ratios) - 1e-9 <= group.total.occupancy_ratio <= max(ratios) + 1e-9
    else:
        assert group.total.occupancy_ratio is None
