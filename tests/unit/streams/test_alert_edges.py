"""Alert records are edges: one when a team crosses into overload, none while it stays there."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams.group_step import member_key, team_views
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import ClockMode, PrivacyMode
from floorwatch.streams.state import DecodedCache, load_queue
from floorwatch.streams.ticker import Ticker
from floorwatch.topics import Topics
from tests.unit.core.builders import AVAILABLE, contact_cycle, state

CONFIG = MetricConfig()


def _busy_team():
    """Two agents handling back to back for 20 minutes: 15-minute occupancy well above 90%."""
    events = [state(a, AVAILABLE, 0) for a in ("ana", "ben")]
    for agent in ("ana", "ben"):
        for k in range(4):
            events += contact_cycle(agent, f"{agent}-{k}", 5 + k * 300, talk=280, wrap=14)
    tracks = fold(decode_lines([encode(e) for e in sorted(events, key=lambda e: e.occurred_at)]), CONFIG).agents
    return team_views(
        [(member_key(t.team_id, t.agent_id), t) for t in tracks.values()], lambda t: t.last_event_seconds, CONFIG
    )


def _ticker() -> Ticker:
    settings = SimpleNamespace(clock=ClockMode.EVENT, drift_refresh_seconds=30.0, tick_seconds=0.5, publish_seconds=5.0)
    worker = SimpleNamespace(config=CONFIG, topics=Topics(), settings=settings, queues_decoded=DecodedCache(load_queue))
    return Ticker(worker, AgentLabeller(PrivacyMode.NAMED, b"key"), None, None, None, None)  # type: ignore[arg-type]


def test_a_team_crossing_into_overload_raises_one_alert_until_it_recovers():
    ticker, teams = _ticker(), _busy_team()
    first = ticker._alerts(teams, [], now=1000.0)
    again = ticker._alerts(teams, [], now=1005.0)
    cleared = ticker._alerts([], [], now=1010.0)
    raised_anew = ticker._alerts(teams, [], now=1015.0)
    assert [json.loads(s.value)["kind"] for s in first] == ["team_overload"]
    assert again == [] and cleared == []
    assert len(raised_anew) == 1


def _queue_figures(queue_id: str):
    from floorwatch.core import queue

    return queue.view(queue.initial(queue_id), 1000.0, CONFIG.queue)


def test_a_queue_load_record_goes_out_when_the_queue_changed_not_every_period():
    ticker = _ticker()
    q1, q2 = _queue_figures("q1"), _queue_figures("q2")
    stored = {"q1": b"one", "q2": b"two"}
    ticker._queue_raw = dict(stored)
    first = ticker._queue_loads([q1, q2], mono=10.0)
    unchanged = ticker._queue_loads([q1, q2], mono=15.0)
    ticker._queue_raw["q2"] = b"two, changed"  # a new stored value: a new bytes object
    busier = dataclasses.replace(q2, contacts_waiting=3)
    changed = ticker._queue_loads([q1, busier], mono=20.0)
    assert sorted(s.key for s in first) == [b"q1", b"q2"]
    assert unchanged == []
    assert [(s.key, json.loads(s.value)["contacts_waiting"]) for s in changed] == [(b"q2", 3)]


def test_a_queue_load_record_that_would_say_what_the_last_one_said_is_not_sent():
    ticker = _ticker()
    q1 = _queue_figures("q1")
    ticker._queue_raw = {"q1": b"one"}
    assert len(ticker._queue_loads([q1], mono=0.0)) == 1
    ticker._queue_raw = {"q1": b"one, again"}  # a new stored value with the same figures
    later = dataclasses.replace(q1, as_of_seconds=q1.as_of_seconds + 5.0)
    assert ticker._queue_loads([later], mono=5.0) == []
    ticker._queue_raw = {"q1": b"one, changed"}
    moved = dataclasses.replace(later, contacts_waiting=1)
    assert [json.loads(s.value)["contacts_waiting"] for s in ticker._queue_loads([moved], mono=10.0)] == [1]


def test_a_team_load_record_goes_out_when_the_team_s_figures_changed_not_when_only_its_roll_up_was_redone():
    ticker = _ticker()
    teams = _busy_team()
    first = ticker._loads(teams, [], now=1000.0, mono=0.0)
    # the next period: every slot's turn has come again
    again = ticker._loads([dataclasses.replace(t) for t in teams], [], now=1005.0, mono=5.0)  # same figures
    moved = dataclasses.replace(teams[0], agents_by_stress_band={"normal": 0, "elevated": 2, "high": 0})
    changed = ticker._loads([moved], [], now=1010.0, mono=10.0)
    assert [s.key for s in first] == [t.team_id.encode() for t in teams] and again == []
    assert [json.loads(s.value)["agents_by_stress_band"]["elevated"] for s in changed] == [2]


def test_with_the_wall_clock_a_queue_is_looked_at_again_after_the_refresh_period_and_sent_if_its_figures_moved():
    ticker = _ticker()
    ticker.agent_views.drifts = True  # the wall clock: a queue's windows slide without input
    q1 = _queue_figures("q1")
    ticker._queue_raw = {"q1": b"one"}
    assert len(ticker._queue_loads([q1], mono=0.0)) == 1
    slid = dataclasses.replace(q1, longest_wait_seconds=31.0)
    assert ticker._queue_loads([slid], mono=29.0) == []  # not looked at before the refresh period
    assert len(ticker._queue_loads([slid], mono=30.0)) == 1
    assert ticker._queue_loads([slid], mono=60.0) == []  # looked at again: nothing new to say


def test_load_records_of_a_period_are_spread_over_its_ticks_each_team_and_queue_looked_at_once_per_period():
    from floorwatch.streams.tick_pacing import LoadCadence

    cadence = LoadCadence(every_seconds=5.0, tick_seconds=0.25)
    keys = [f"team-{n}" for n in range(400)]
    assert cadence.due_slots(0.0) == set(range(20))  # the first look: every key
    looked: list[str] = []
    for tick in range(1, 21):  # one period of ticks
        slots = cadence.due_slots(tick * 0.25)
        looked += [key for key in keys if cadence.slot_of(key) in slots]
    assert sorted(looked) == sorted(keys)  # each key once per period
    per_tick = [sum(1 for key in keys if cadence.slot_of(key) == slot) for slot in range(20)]
    assert max(per_tick) < 40  # about 400 / 20 each, not all in one
    assert cadence.due_slots(5.1) == set()  # a second tick within a slot finds nothing new
    assert cadence.due_slots(5.6) == {22 % 20, 21 % 20}  # a skipped tick's slot is not lost
    assert len(cadence.due_slots(60.0)) == 20  # after a long pause: one period's worth, every slot


def test_a_changed_team_waits_for_its_slot_and_a_new_team_is_sent_at_once():
    ticker = _ticker()
    teams = _busy_team()
    assert len(ticker._loads(teams, [], now=1000.0, mono=0.0)) == len(teams)
    moved = dataclasses.replace(teams[0], agents_by_stress_band={"normal": 0, "elevated": 2, "high": 0})
    slot = ticker.load_cadence.slot_of(moved.team_id)
    sent_at = []
    for tick in range(1, 21):
        mono = tick * 0.5  # publish_seconds 5, tick 0.5: ten slots
        if ticker._loads([moved], [], now=1000.0 + mono, mono=mono):
            sent_at.append(tick)
    assert len(sent_at) == 1 and sent_at[0] % ticker.load_cadence.slots == slot
