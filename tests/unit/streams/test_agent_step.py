"""The stream worker's agent step, fed raw messages without a broker: it must compute what the replay does."""

from __future__ import annotations

import base64
import json
from collections import Counter

import pytest

from floorwatch.core import agent
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import replay
from floorwatch.streams.agent_step import AgentStep, Internal
from floorwatch.streams.messages import RawMessage
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode
from floorwatch.streams.state import StoredAgent, dump_agent
from floorwatch.topics import Topics
from tests.unit.core.builders import AVAILABLE, BREAK, LOGGED_OUT, contact_cycle, state, team_shift

TOPICS = Topics.with_prefix("t")
INTERNAL = Internal(queue_events="t-app-queue-events", team_members="t-app-team-members")


def _step(mode: PrivacyMode = PrivacyMode.NAMED) -> AgentStep:
    return AgentStep(MetricConfig(), TOPICS, INTERNAL, AgentLabeller(mode, b"k"))


def _messages(events_or_bytes) -> list[RawMessage]:
    out = []
    for offset, item in enumerate(events_or_bytes):
        value = item if isinstance(item, bytes) else encode(item)
        out.append(RawMessage(TOPICS.agent_events, 0, offset, b"key", value))
    return out


def _run(step: AgentStep, messages: list[RawMessage], table: dict[str, StoredAgent]):
    result = step.run(messages, table.get)
    for agent_id, (stored, _) in result.stored.items():
        table[agent_id] = stored
    return result


def test_figures_folded_in_batches_equal_the_replay_of_the_same_events():
    events = team_shift()
    table: dict[str, StoredAgent] = {}
    messages = _messages(events)
    for start in range(0, len(messages), 7):  # batch boundaries anywhere must not matter
        _run(_step(), messages[start : start + 7], table)
    report = replay([encode(e) for e in events], MetricConfig())
    assert set(table) == set(report["agents"])
    for agent_id, figures in report["agents"].items():
        track = table[agent_id].track
        occupancy = agent.view(track, track.last_event_seconds, MetricConfig())[0].occupancy
        expected = figures["through_last_event"]["occupancy"]
        for name in ("handle_seconds", "available_seconds", "aux_seconds", "staffed_seconds"):
            assert getattr(occupancy, name) == pytest.approx(expected[name], abs=1e-3), (agent_id, name)


def test_a_redelivered_message_is_recognised_by_its_offset_and_changes_nothing():
    events = [state("ana", AVAILABLE, 0), state("ana", BREAK, 600)]
    table: dict[str, StoredAgent] = {}
    messages = _messages(events)
    _run(_step(), messages, table)
    before = table["ana"]
    again = _run(_step(), messages[1:], table)
    assert again.counts["verdict", "redelivered"] == 1
    assert again.stored == {} and table["ana"] == before


def test_malformed_and_invalid_input_is_dead_lettered_with_the_original_bytes_and_the_reason():
    result = _run(_step(), _messages([b"{oops", b'{"type": "agent.state_changed"}']), {})
    letters = [json.loads(send.value) for send in result.sends if send.topic == TOPICS.dead_letter]
    assert [letter["reason_kind"] for letter in letters] == ["malformed", "invalid"]
    assert base64.b64decode(letters[0]["value_base64"]) == b"{oops"
    assert "data" in letters[1]["reason"] and letters[1]["offset"] == 1


def test_an_event_later_than_the_allowed_lateness_is_dead_lettered_as_late():
    events = [state("ana", AVAILABLE, 0), state("ana", BREAK, 3600), state("ana", LOGGED_OUT, 600, event_id="old")]
    result = _run(_step(), _messages(events), {})
    letters = [json.loads(send.value) for send in result.sends if send.topic == TOPICS.dead_letter]
    assert [letter["reason_kind"] for letter in letters] == ["late"]
    assert "allowed lateness is 120 s" in letters[0]["reason"]


def test_contact_events_reach_the_queue_repartition_keyed_by_queue():
    events = contact_cycle("ana", "c1", 60, talk=120, wrap=30, queue="billing")
    result = _run(_step(), _messages([state("ana", AVAILABLE, 0), *events]), {})
    queue_sends = [send for send in result.sends if send.topic == INTERNAL.queue_events]
    assert {send.key for send in queue_sends} == {b"billing"}
    kinds = [json.loads(send.value)["type"] for send in queue_sends]
    assert kinds == ["contact.offered", "contact.answered", "floorwatch.internal.contact_handled"]


def test_with_per_agent_detail_off_the_team_roll_up_still_gets_the_track():
    events = [state("ana", AVAILABLE, 0), *contact_cycle("ana", "c1", 60, talk=120, wrap=30)]
    result = _run(_step(PrivacyMode.OFF), _messages(events), {})
    published = {send.topic for send in result.sends}
    assert INTERNAL.team_members in published  # the roll-up still needs the track


def test_a_batch_sends_no_wellbeing_record_the_tick_does():
    result = _run(_step(), _messages([state("ana", AVAILABLE, 0)]), {})
    assert TOPICS.agent_wellbeing not in {send.topic for send in result.sends}


def test_an_agent_moving_team_leaves_its_old_team():
    table: dict[str, StoredAgent] = {}
    _run(_step(), _messages([state("ana", AVAILABLE, 0, team="red")]), table)
    moved = [RawMessage(TOPICS.agent_events, 0, 5, b"ana", encode(state("ana", BREAK, 60, team="blue")))]
    result = _run(_step(), moved, table)
    members = sorted((s.key, s.value.endswith(b"\n")) for s in result.sends if s.topic == INTERNAL.team_members)
    assert members == [(b"blue", False), (b"red", True)]


def test_an_agent_stepped_through_a_whole_batch_stores_and_sends_what_one_event_per_batch_does():
    events = team_shift()
    again = [events[-1], events[3], events[10]]  # the newest again (a duplicate), two old ones (late)
    messages = _messages([*events, *again])
    messages += messages[5:9]  # redelivered: offsets already applied
    whole: dict[str, StoredAgent] = {}
    batch = _run(_step(), messages, whole)
    one_by_one: dict[str, StoredAgent] = {}
    singles = [_run(_step(), [message], one_by_one) for message in messages]
    assert whole == one_by_one and len(whole) == 3
    assert [_comparable(s) for s in batch.sends if s.topic != INTERNAL.team_members] == [
        _comparable(s) for single in singles for s in single.sends if s.topic != INTERNAL.team_members
    ]
    assert batch.counts == sum((single.counts for single in singles), Counter())
    assert {("verdict", "duplicate"), ("verdict", "late"), ("verdict", "redelivered")} <= set(batch.counts)
    for agent_id in batch.stored:
        assert batch.encoded[agent_id] == dump_agent(one_by_one[agent_id])


def _comparable(send) -> tuple:
    """A record without its wall-clock receipt time (dead letters carry one)."""
    value = json.loads(send.value) if send.topic == TOPICS.dead_letter else send.value
    if isinstance(value, dict):
        value.pop("received_at", None)
    return send.topic, send.key, value
