"""A whole 8-hour shift of a three-agent team, every figure worked out by hand.

The timeline (builders.team_shift), in minutes after 08:00. A "cycle" of P/H is a contact
answered at the start of a P-minute period, handled H minutes (wrap-up included), then
P - H minutes available.

ana  0-120  10 cycles 12/9   handle  90  available 30
     120-135 BREAK                              aux 15
     135-240 7 cycles 15/12  handle  84  available 21
     240-270 LUNCH                              aux 30
     270-390 10 cycles 12/9  handle  90  available 30
     390-405 BREAK                              aux 15
     405-480 5 cycles 15/12  handle  60  available 15
     480 logged out
     totals: handle 324, available 96, aux 60, staffed 480; 32 contacts
     occupancy 324/420 = 0.771429 (target band); utilization 324/480 = 0.675
ben  60-180  8 cycles 15/10  handle  80  available 40
     180-240 TRAINING, 240-270 LUNCH            aux 90
     270-480 14 cycles 15/10 handle 140  available 70
     totals: handle 220, available 110, aux 90, staffed 420; 22 contacts
     occupancy 220/330 = 0.666667 (overstaffed); utilization 220/420 = 0.523810
cy   0-480   32 cycles 15/14, no break   handle 448, available 32, staffed 480; 32 contacts
     occupancy = utilization = 448/480 = 0.933333 (burnout)
team handle 992, available 238, aux 150, staffed 1380 (= 480 + 420 + 480)
     occupancy 992/1230 = 0.806504 - not the mean of the three ratios (0.790476)
     utilization 992/1380 = 0.718841; 86 contacts, AHT 992/86 = 11.534884 min
breaks (default policy: at most 120 min of work without a 10-min rest, 2 min grace):
     ana rests at 120, 240 and 390: no violation. ben works 60-240 (training is work) and
     270-480: breached at 180 and at 390. cy never rests: breached at 120, once per stretch.
last hour (420-480): ana 4 cycles 15/12 = 48 + 12, ben 4 x 15/10 = 40 + 20, cy 4 x 15/14 = 56 + 4
     team 144 handle / 180 = 0.8; last 15 minutes (465-480): 12+10+14 = 36 / 45 = 0.8
"""

from __future__ import annotations

import pytest

from floorwatch.core import agent, queue, rollup
from floorwatch.core.config import MetricConfig
from floorwatch.core.occupancy import ContactHandled
from tests.unit.core.builders import MINUTE, epoch, team_shift

CONFIG = MetricConfig()
END = 480 * MINUTE


def floor_at(events, minute):
    """Fold the shift up to `minute` as the streams would (agents by agent_id, queues by
    queue_id) and view every agent at `minute`."""
    agents, queues = {}, {}
    for event in (e for e in events if e.occurred_at.timestamp() <= epoch(minute * MINUTE)):
        agent_id = agent.agent_id_of(event)
        if agent_id is not None:
            applied = agent.apply(agents.get(agent_id), event, CONFIG)
            agents[agent_id] = applied.track
            for out in applied.outputs:
                if isinstance(out.output, ContactHandled):
                    queues["q1"] = queue.on_handled(queues.get("q1"), out.output, CONFIG.queue)
        if hasattr(event.data, "queue_id"):
            queues["q1"] = queue.apply(queues.get("q1"), event, CONFIG.queue).track
    figures = {a: agent.view(t, epoch(minute * MINUTE), CONFIG)[0] for a, t in agents.items()}
    return figures, queues["q1"]


@pytest.fixture(scope="module")
def end_of_shift():
    return floor_at(team_shift(), 480)


@pytest.mark.parametrize(
    ("name", "handle", "available", "aux", "staffed", "contacts", "occupancy", "utilization", "band"),
    [
        ("ana", 324, 96, 60, 480, 32, 324 / 420, 324 / 480, "target"),
        ("ben", 220, 110, 90, 420, 22, 220 / 330, 220 / 420, "overstaffed"),
        ("cy", 448, 32, 0, 480, 32, 448 / 480, 448 / 480, "burnout"),
    ],
)
def test_each_agents_shift_totals_match_the_hand_computation(
    end_of_shift, name, handle, available, aux, staffed, contacts, occupancy, utilization, band
):
    figures = end_of_shift[0][name].occupancy
    assert figures.handle_seconds == pytest.approx(handle * MINUTE)
    assert figures.available_seconds == pytest.approx(available * MINUTE)
    assert figures.aux_seconds == pytest.approx(aux * MINUTE)
    assert figures.staffed_seconds == pytest.approx(staffed * MINUTE)
    assert figures.shift.staffed_seconds == pytest.approx(staffed * MINUTE)
    assert figures.contacts_handled == contacts
    assert figures.occupancy_ratio == pytest.approx(occupancy)
    assert figures.utilization_ratio == pytest.approx(utilization)
    assert figures.band == band


def test_team_figures_are_time_weighted_not_an_average_of_ratios(end_of_shift):
    team = rollup.by_team(end_of_shift[0].values(), CONFIG.occupancy)["blue"]
    assert team.total.handle_seconds == pytest.approx(992 * MINUTE)
    assert team.total.available_seconds == pytest.approx(238 * MINUTE)
    assert team.total.aux_seconds == pytest.approx(150 * MINUTE)
    assert team.total.staffed_seconds == pytest.approx(1380 * MINUTE)
    assert team.total.occupancy_ratio == pytest.approx(992 / 1230)
    assert team.total.occupancy_ratio != pytest.approx((324 / 420 + 220 / 330 + 448 / 480) / 3)
    assert team.total.utilization_ratio == pytest.approx(992 / 1380)
    assert team.contacts_handled == 86
    assert team.average_handle_seconds == pytest.approx(992 * MINUTE / 86)


def test_team_windows_hold_the_last_hour_and_the_last_quarter_hour(end_of_shift):
    team = rollup.by_team(end_of_shift[0].values(), CONFIG.occupancy)["blue"]
    hour = team.windows[1]
    assert hour.window_seconds == 3600
    assert hour.figures.handle_seconds == pytest.approx(144 * MINUTE)
    assert hour.figures.available_seconds == pytest.approx(36 * MINUTE)
    assert hour.figures.occupancy_ratio == pytest.approx(0.8)
    quarter = team.windows[0]
    assert quarter.figures.handle_seconds == pytest.approx(36 * MINUTE)
    assert quarter.figures.occupancy_ratio == pytest.approx(0.8)


def test_the_queue_sees_every_contact_and_the_same_handle_time(end_of_shift):
    figures = queue.view(end_of_shift[1], epoch(END), CONFIG.queue).total
    assert figures.answered == 86
    # ana's and ben's 54 contacts waited 10 s, cy's 32 waited 30 s (over the 20 s threshold).
    assert figures.service_level_ratio == pytest.approx(54 / 86)
    assert figures.average_speed_of_answer_seconds == pytest.approx((54 * 10 + 32 * 30) / 86)
    assert figures.average_handle_seconds == pytest.approx(992 * MINUTE / 86)


def test_live_floor_occupancy_counts_agents_in_handle_among_those_staffed_and_not_in_aux():
    # 10:05 (minute 125): ana on BREAK; ben in a cycle started at 120 (handle till 130);
    # cy in a cycle started at 120 (handle till 134). Live floor: 2 in handle of 2 -> 1.0.
    figures, _ = floor_at(team_shift(), 125)
    team = rollup.by_team(figures.values(), CONFIG.occupancy)["blue"]
    assert (team.agents_staffed, team.agents_in_aux, team.agents_in_handle) == (3, 1, 2)
    assert team.live_floor_occupancy_ratio == 1.0
    # 15:58 (minute 478): ana available since 477, ben since 475, cy in handle till 479 -> 1/3.
    figures, _ = floor_at(team_shift(), 478)
    team = rollup.by_team(figures.values(), CONFIG.occupancy)["blue"]
    assert team.agents_by_state["AVAILABLE"] == 2
    assert team.live_floor_occupancy_ratio == pytest.approx(1 / 3)


def test_break_rules_flag_the_agents_who_worked_too_long_without_rest():
    report = {}
    agents = {}
    for event in team_shift():
        agent_id = agent.agent_id_of(event)
        if agent_id is not None:
            applied = agent.apply(agents.get(agent_id), event, CONFIG)
            agents[agent_id] = applied.track
            report.setdefault(agent_id, []).extend(
                (o.output.rule, (o.output.at_seconds - epoch(0)) / MINUTE)
                for o in applied.outputs
                if hasattr(o.output, "rule")
            )
    assert report.get("ana", []) == []
    assert report["ben"] == [("rest-every-2h", 180), ("rest-every-2h", 390)]
    assert report["cy"] == [("rest-every-2h", 120)]
    ana = agent.view(agents["ana"], epoch(END), CONFIG)[0].breaks
    assert [
        (b.kind, (b.start_seconds - epoch(0)) / MINUTE, (b.end_seconds - epoch(0)) / MINUTE) for b in ana.breaks_taken
    ] == [("BREAK", 120, 135), ("LUNCH", 240, 270), ("BREAK", 390, 405)]


def test_team_break_compliance_counts_statute_only_and_each_basis_apart():
    # 10:05 (minute 125): cy has worked 125 min without rest (due at 120) and is overdue on the
    # default profile's rest-every-2h, a house rule; ana is on break, ben has worked 65 min.
    # By house policy 2 of 3 comply; no statute is overdue, so the works-council ratio is 1.
    figures, _ = floor_at(team_shift(), 125)
    team = rollup.by_team(figures.values(), CONFIG.occupancy)["blue"]
    assert (team.agents_on_shift, team.agents_break_overdue) == (3, 1)
    assert team.break_compliance_ratio == 1.0
    by_basis = team.break_compliance_ratio_by_basis
    assert by_basis["house_policy"] == pytest.approx(2 / 3)
    assert by_basis["statute"] == 1.0 and by_basis["guidance"] == 1.0
    # The overdue count split the same way: the alert fires per basis (a house rule here, no law).
    assert team.agents_break_overdue_by_basis == {"statute": 0, "guidance": 0, "house_policy": 1}


def test_break_compliance_is_the_same_with_or_without_the_contact_events_in_between():
    # Break compliance only watches states; the reducer lets its track catch up lazily at
    # state changes, which must not lose or double count any time.
    everything = [e for e in team_shift() if agent.agent_id_of(e) == "ben"]
    states_only = [e for e in everything if e.type == "agent.state_changed"]
    for minute in (185, 300, 480, 600):
        with_contacts = _agent_at(everything, minute).breaks
        without = _agent_at(states_only, minute).breaks
        assert with_contacts == without


def test_stress_is_highest_for_the_agent_who_never_rested():
    figures, _ = floor_at(team_shift(), 480)
    peaks = {name: f.stress.peak_score for name, f in figures.items()}
    assert peaks["cy"] > peaks["ana"] and peaks["cy"] > peaks["ben"]
    assert all(0.0 <= f.stress.score <= 100.0 for f in figures.values())


def _agent_at(events, minute):
    track = None
    for event in events:
        if event.occurred_at.timestamp() <= epoch(minute * MINUTE):
            track = agent.apply(track, event, CONFIG).track
    return agent.view(track, epoch(minute * MINUTE), CONFIG)[0]
