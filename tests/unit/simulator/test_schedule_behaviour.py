"""How simulated agents follow their schedules: on time, late, overrunning, skipping, as configured."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from statistics import mean

import pytest

from floorwatch.core.events import AgentState
from floorwatch.services.simulator.roster import build_floor
from floorwatch.services.simulator.settings import SimulatorSettings
from tests.unit.simulator.simulated_shift import generate

ONE_TEAM = dict(sites=1, teams_per_site=1, agents_per_team=10, understaffed_teams=0, training_ratio=0, meeting_ratio=0)
PUNCTUAL = dict(late_break_ratio=0.0, overrun_break_ratio=0.0, skip_break_ratio=0.0, late_login_ratio=0.0)
PLANNED_SECONDS = {AgentState.BREAK: 900.0, AgentState.LUNCH: 1800.0}


def periods(shift) -> list[tuple[str, AgentState, float, float, str | None]]:
    """(agent, state, start seconds from the floor start, duration seconds, reason code) per state spell."""
    open_spells: dict[str, tuple[AgentState, float, str | None]] = {}
    spells = []
    for event in shift.events:
        if event.type != "agent.state_changed":
            continue
        at = (event.occurred_at - shift.floor.start).total_seconds()
        previous = open_spells.get(event.data.agent_id)
        if previous is not None:
            spells.append((event.data.agent_id, previous[0], previous[1], at - previous[1], previous[2]))
        open_spells[event.data.agent_id] = (event.data.state, at, event.data.reason_code)
    return spells


def planned_starts(shift, kind: str) -> dict[str, list[float]]:
    return {agent.agent_id: [a.start_seconds for a in agent.schedule if a.kind == kind] for agent in shift.floor.agents}


def start_delays(shift, state: AgentState, kind: str) -> list[float]:
    taken = defaultdict(list)
    for agent_id, spell_state, start, _, _ in periods(shift):
        if spell_state is state:
            taken[agent_id].append(start)
    planned = planned_starts(shift, kind)
    return [real - plan for agent_id, starts in taken.items() for real, plan in zip(starts, planned[agent_id])]


def test_punctual_agents_take_every_rest_for_exactly_its_planned_length():
    shift = generate(SimulatorSettings(**ONE_TEAM, **PUNCTUAL))
    rests = [(state, seconds) for _, state, _, seconds, _ in periods(shift) if state in PLANNED_SECONDS]
    assert sorted(state.value for state, _ in rests).count("BREAK") == 20
    assert sorted(state.value for state, _ in rests).count("LUNCH") == 10
    assert all(seconds == pytest.approx(PLANNED_SECONDS[state]) for state, seconds in rests)
    # They still finish the contact in hand first, so a start is never early and rarely much later.
    delays = start_delays(shift, AgentState.BREAK, "break")
    assert min(delays) >= 0 and mean(delays) < 300


def test_agents_who_overrun_stay_away_longer_by_the_configured_mean():
    shift = generate(
        SimulatorSettings(**ONE_TEAM, **{**PUNCTUAL, "overrun_break_ratio": 1.0, "overrun_mean_seconds": 300.0})
    )
    excess = [
        seconds - PLANNED_SECONDS[state] for _, state, _, seconds, _ in periods(shift) if state in PLANNED_SECONDS
    ]
    assert len(excess) == 30 and min(excess) > 0
    assert 150 < mean(excess) < 450  # 30 exponential draws of mean 300 s: 4 standard errors is +/- 220 s


def test_agents_who_go_late_leave_later_than_punctual_ones():
    punctual = start_delays(generate(SimulatorSettings(**ONE_TEAM, **PUNCTUAL)), AgentState.BREAK, "break")
    late = start_delays(
        generate(
            SimulatorSettings(**ONE_TEAM, **{**PUNCTUAL, "late_break_ratio": 1.0, "late_break_mean_seconds": 600.0})
        ),
        AgentState.BREAK,
        "break",
    )
    assert mean(late) - mean(punctual) > 300


def test_agents_who_skip_their_short_breaks_still_take_lunch():
    shift = generate(SimulatorSettings(**ONE_TEAM, **{**PUNCTUAL, "skip_break_ratio": 1.0}))
    states = [state for _, state, _, _, _ in periods(shift)]
    assert AgentState.BREAK not in states
    assert states.count(AgentState.LUNCH) == 10
    assert all(len(starts) == 2 for starts in planned_starts(shift, "break").values())  # still in the schedule


def test_deviations_are_drawn_at_the_configured_rates():
    # Checked on the plans of a large floor (fast); the tests above show the engine carries plans out.
    settings = SimulatorSettings(total_agents=1000, understaffed_teams=0)
    agents = build_floor(settings).agents
    breaks = sum(1 for agent in agents for a in agent.schedule if a.kind == "break")
    taken = sum(1 for agent in agents for plan in agent.aux_plans if plan.kind == "break")
    assert 1 - taken / breaks == pytest.approx(settings.skip_break_ratio, abs=4 * (0.05 * 0.95 / breaks) ** 0.5)
    lunches = [
        (next(a for a in agent.schedule if a.kind == "lunch"), next(p for p in agent.aux_plans if p.kind == "lunch"))
        for agent in agents
    ]
    late = sum(plan.due_seconds > lunch.start_seconds for lunch, plan in lunches) / len(lunches)
    overrun = sum(plan.duration_seconds > settings.lunch_seconds for _, plan in lunches) / len(lunches)
    tolerance = 4 * (0.15 * 0.85 / len(lunches)) ** 0.5
    assert late == pytest.approx(settings.late_break_ratio, abs=tolerance)
    assert overrun == pytest.approx(settings.overrun_break_ratio, abs=tolerance)


def test_training_and_meetings_appear_as_auxiliary_time_with_reason_codes():
    shift = generate(SimulatorSettings(**{**ONE_TEAM, "training_ratio": 1.0, "meeting_ratio": 1.0}, **PUNCTUAL))
    spells = periods(shift)
    for state, kind, code in (
        (AgentState.TRAINING, "training", "training:product-update"),
        (AgentState.MEETING, "meeting", "meeting:team-huddle"),
    ):
        taken = [(seconds, reason) for _, s, _, seconds, reason in spells if s is state]
        scheduled = sum(len(starts) for starts in planned_starts(shift, kind).values())
        assert scheduled == 10 and len(taken) == scheduled
        assert {reason for _, reason in taken} == {code}


@pytest.mark.parametrize(("ratio", "all_late"), [(0.0, False), (1.0, True)])
def test_late_logins_follow_the_configured_share(ratio, all_late):
    shift = generate(SimulatorSettings(**ONE_TEAM, **{**PUNCTUAL, "late_login_ratio": ratio}))
    logins = {e.data.agent_id: e.occurred_at for e in reversed(shift.events) if e.type == "agent.state_changed"}
    for agent in shift.floor.agents:
        late = logins[agent.agent_id] > shift.floor.start + timedelta(seconds=agent.shift_start_seconds)
        assert late is all_late


def test_unscheduled_personal_time_shows_as_other_aux_outside_the_schedule():
    settings = SimulatorSettings(**ONE_TEAM, **PUNCTUAL, personal_aux_per_hour=0.5)
    shift = generate(settings)
    personal = [
        (agent_id, start, seconds, reason)
        for agent_id, s, start, seconds, reason in periods(shift)
        if s is AgentState.OTHER_AUX
    ]
    # 10 agents x 8 h x 0.5 an hour = 40 expected, fewer where one would overlap a scheduled block.
    assert 20 <= len(personal) <= 60
    assert {reason for *_, reason in personal} == {"personal"}
    assert 150 < mean(seconds for _, _, seconds, _ in personal) < 350  # configured mean 240 s
    schedules = {agent.agent_id: agent.schedule for agent in shift.floor.agents}
    for agent_id, start, _, _ in personal:
        scheduled = next(a for a in schedules[agent_id] if a.start_seconds <= start < a.end_seconds)
        assert scheduled.kind == "work"
