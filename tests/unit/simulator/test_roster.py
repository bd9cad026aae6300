"""Planning the floor: teams and sites, staggered schedules, forecasts sized with Erlang C."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from floorwatch.services.simulator.erlang import service_level_fractional
from floorwatch.services.simulator.roster import build_floor
from floorwatch.services.simulator.settings import SimulatorSettings
from floorwatch.services.simulator.staffing import expected_handle_seconds, planned_on_queue

DAY_START = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def test_a_total_head_count_is_split_into_teams_spread_over_the_sites():
    floor = build_floor(SimulatorSettings(total_agents=100, sites=3, agents_per_team=18, understaffed_teams=0))
    assert len(floor.agents) == 100
    assert sorted(len(team.agents) for team in floor.teams) == [10, 18, 18, 18, 18, 18]
    assert Counter(team.site_id for team in floor.teams) == {"lisbon": 2, "manila": 2, "leeds": 2}
    assert len({team.team_id for team in floor.teams}) == 6
    assert len({agent.agent_id for agent in floor.agents}) == 100


def test_an_eight_hour_shift_has_two_breaks_and_a_lunch_that_fill_no_gap_twice():
    floor = build_floor(
        SimulatorSettings(sites=1, teams_per_site=1, agents_per_team=12, training_ratio=0, meeting_ratio=0)
    )
    for agent in floor.agents:
        kinds = [activity.kind for activity in agent.schedule if activity.kind != "work"]
        assert kinds == ["break", "lunch", "break"]
        covered = [(a.start_seconds, a.end_seconds) for a in agent.schedule]
        assert covered[0][0] == agent.shift_start_seconds and covered[-1][1] == agent.shift_end_seconds
        assert all(end == next_start for (_, end), (next_start, _) in zip(covered, covered[1:]))
        lunch = next(a for a in agent.schedule if a.kind == "lunch")
        assert lunch.start_seconds - agent.shift_start_seconds <= 5 * 3600  # before the end of the 5th hour


def test_breaks_and_lunches_are_staggered_so_a_team_never_rests_all_at_once():
    floor = build_floor(SimulatorSettings(sites=1, teams_per_site=1, agents_per_team=16, understaffed_teams=0))
    team = floor.teams[0]
    for at_seconds in range(0, 8 * 3600, 60):
        resting = sum(
            1
            for agent in team.agents
            for a in agent.schedule
            if a.kind in ("break", "lunch") and a.start_seconds <= at_seconds < a.end_seconds
        )
        assert resting <= len(team.agents) // 4, f"{resting} of {len(team.agents)} away at {at_seconds} s"


def test_training_and_meetings_are_scheduled_for_the_configured_share_of_agents():
    floor = build_floor(
        SimulatorSettings(total_agents=400, training_ratio=0.25, meeting_ratio=0.5, understaffed_teams=0)
    )
    kinds = Counter(a.kind for agent in floor.agents for a in agent.schedule)
    assert kinds["training"] == pytest.approx(100, abs=4 * (400 * 0.25 * 0.75) ** 0.5)
    assert kinds["meeting"] == pytest.approx(200, abs=4 * (400 * 0.5 * 0.5) ** 0.5)


def test_the_forecast_meets_the_target_service_level_for_the_planned_staff():
    settings = SimulatorSettings(sites=1, teams_per_site=2, agents_per_team=15, understaffed_teams=0)
    floor = build_floor(settings)
    handle = expected_handle_seconds(settings)
    for team in floor.teams:
        staff = planned_on_queue(team.agents, floor.segments)
        volume = [rate * seg.length_seconds for rate, seg in zip(team.arrival_rates_per_second, floor.segments)]
        answered = sum(
            v * service_level_fractional(n, v / seg.length_seconds * handle, handle, 20)
            for v, n, seg in zip(volume, staff, floor.segments)
        )
        assert answered / sum(volume) == pytest.approx(settings.target_service_level_ratio, abs=1e-6)
        # The intraday profile shapes the forecast: the 10:30 peak is busier than 08:00.
        assert team.arrival_rates_per_second[5] > 1.5 * team.arrival_rates_per_second[0]


def test_an_understaffed_team_gets_the_volume_planned_for_its_full_head_count():
    settings = SimulatorSettings(
        sites=1, teams_per_site=2, agents_per_team=14, understaffed_teams=1, understaff_ratio=0.7
    )
    floor = build_floor(settings)
    normal, short = floor.teams
    assert (len(normal.agents), normal.planned_headcount, normal.understaffed) == (14, 14, False)
    assert (len(short.agents), short.planned_headcount, short.understaffed) == (14, 20, True)
    assert sum(short.arrival_rates_per_second) > 1.3 * sum(normal.arrival_rates_per_second)


def test_the_expected_handle_time_adds_talk_hold_and_wrap_up():
    plain = SimulatorSettings(escalation_ratio=0, hold_abandon_ratio=0)
    assert expected_handle_seconds(plain) == pytest.approx(270 + 0.25 * 50 + 45)
    escalating = SimulatorSettings(escalation_ratio=0.1, escalation_talk_factor=2.0, hold_abandon_ratio=0)
    assert expected_handle_seconds(escalating) == pytest.approx(270 * 1.1 + 0.25 * 50 + 45)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hold_ratio": 1.5}, "hold_ratio"),
        ({"agents_per_team": 0}, "agents_per_team"),
        ({"complaint_ratio": 0.5, "negative_sentiment_ratio": 0.1}, "complaint_ratio"),
        ({"intraday_profile": (1.0,) * 7}, "intraday_profile"),
        ({"patience_mean_seconds": -3.0}, "patience_mean_seconds"),
    ],
)
def test_invalid_settings_are_refused_naming_the_field(overrides, field):
    with pytest.raises(ValueError, match=field):
        SimulatorSettings(**overrides)


def test_staggered_shifts_follow_the_demand_curve_over_a_day():
    settings = SimulatorSettings(
        sites=1,
        teams_per_site=1,
        agents_per_team=30,
        understaffed_teams=0,
        duration_seconds=24 * 3600,
        shift_seconds=8 * 3600,
        start=DAY_START,
    )
    agents = build_floor(settings).agents

    def on_shift(hour: float) -> int:
        return sum(a.shift_start_seconds <= hour * 3600 < a.shift_end_seconds for a in agents)

    assert all(a.shift_start_seconds >= 0 and a.shift_end_seconds <= 24 * 3600 for a in agents)
    assert on_shift(10.5) > 3 * max(on_shift(3), 1)  # the 10:00-11:00 peak against the small hours
    assert on_shift(10.5) > on_shift(20)


def test_one_shift_spanning_the_window_starts_everyone_at_the_opening():
    agents = build_floor(SimulatorSettings(sites=1, teams_per_site=1, agents_per_team=5, understaffed_teams=0)).agents
    assert {a.shift_start_seconds for a in agents} == {0.0}


def test_the_simulated_queues_of_one_skill_at_every_site_share_that_skill():
    from floorwatch.services.simulator.roster import queue_skills

    settings = SimulatorSettings(sites=2, teams_per_site=7)  # the 7th team per site is "billing-2"
    skills = queue_skills(settings)
    assert set(skills) == {team.queue_id for team in build_floor(settings).teams}
    assert skills["q-lisbon-billing"] == skills["q-manila-billing"] == skills["q-lisbon-billing-2"] == "billing"
    assert skills["q-manila-tech-support"] == "tech-support"


def test_floorwatch_up_writes_a_staffing_file_the_workers_can_read(tmp_path, monkeypatch):
    from floorwatch.core.config import load_config
    from floorwatch.services.livefloor import FloorPlan, LiveFloor

    monkeypatch.delenv("FLOORWATCH_STAFFING_FILE", raising=False)
    tmp_path.mkdir(exist_ok=True)
    path = LiveFloor(FloorPlan(run_dir=tmp_path, agents=40))._staffing_file()
    staffing = load_config(staffing=path).queue.staffing
    assert staffing.skill_of("q-lisbon-billing") == staffing.skill_of("q-manila-billing") == "billing"
