"""The event stream of a whole simulated shift: valid, reproducible, ordered and self-consistent."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import timedelta

from floorwatch.core.codec import decode, encode
from floorwatch.core.events import AgentState
from floorwatch.services.simulator.sinks import JsonlSink
from tests.unit.simulator.simulated_shift import generate

AUX = {"BREAK", "LUNCH", "TRAINING", "MEETING", "OTHER_AUX"}
ALLOWED_NEXT = {
    "LOGGED_OUT": {"AVAILABLE"},
    "AVAILABLE": {"ON_CONTACT", "LOGGED_OUT"} | AUX,
    "ON_CONTACT": {"HOLD", "AFTER_CONTACT_WORK"},
    "HOLD": {"ON_CONTACT", "AFTER_CONTACT_WORK"},  # the caller may hang up while held
    "AFTER_CONTACT_WORK": {"AVAILABLE", "LOGGED_OUT"} | AUX,
    **{aux: {"AVAILABLE", "LOGGED_OUT"} | AUX for aux in AUX},
}
# One handled contact, as the agent's own stream shows it (states upper case, contact events lower case).
CONTACT = (
    r"ON_CONTACT answered(?: escalated| held HOLD resumed ON_CONTACT)*"
    r"(?: held HOLD abandoned| (?:sentiment )?(?:transferred )?ended) AFTER_CONTACT_WORK"
)
UNIT = rf"(?:AVAILABLE(?: {CONTACT})?|{'|'.join(sorted(AUX))})"
AGENT_DAY = re.compile(rf"{UNIT}(?: {UNIT})* LOGGED_OUT")


def _write(shift, path):
    sink = JsonlSink(path)
    for event in shift.events:
        sink.send(event)
    sink.close()
    return path.read_bytes()


def test_every_event_of_a_whole_shift_decodes_with_the_codec(small_shift):
    assert len(small_shift.events) > 5000
    for event in small_shift.events:
        assert decode(encode(event)) == event


def test_the_same_seed_and_settings_give_a_byte_identical_jsonl_file(small_shift, tmp_path):
    again = generate(small_shift.settings)
    first = _write(small_shift, tmp_path / "first.jsonl")
    assert _write(again, tmp_path / "second.jsonl") == first
    other_seed = generate(replace(small_shift.settings, seed=12))
    assert _write(other_seed, tmp_path / "third.jsonl") != first


def test_event_ids_are_unique_and_differ_between_runs_with_different_starts(small_shift):
    ids = [event.event_id for event in small_shift.events]
    assert len(set(ids)) == len(ids)
    later = generate(
        replace(small_shift.settings, start=small_shift.settings.start + timedelta(days=1), duration_seconds=3600)
    )
    assert not {event.event_id for event in later.events} & set(ids)


def test_events_come_in_event_time_order_and_schedules_first(small_shift):
    times = [event.occurred_at for event in small_shift.events]
    assert times == sorted(times)
    kinds = [event.type for event in small_shift.events]
    published = kinds.count("schedule.published")
    assert published == len(small_shift.floor.agents)
    assert set(kinds[:published]) == {"schedule.published"}


def test_agent_states_only_make_the_allowed_transitions(small_shift):
    state = defaultdict(lambda: "LOGGED_OUT")
    for event in small_shift.events:
        if event.type == "agent.state_changed":
            new = event.data.state.value
            assert new in ALLOWED_NEXT[state[event.data.agent_id]], (
                f"{state[event.data.agent_id]} -> {new} at {event.occurred_at}"
            )
            state[event.data.agent_id] = new
    assert set(state.values()) == {"LOGGED_OUT"}


def test_each_agents_day_reads_as_logins_contacts_and_aux_time_consistent_with_the_contact_events(small_shift):
    tokens = defaultdict(list)
    for event in small_shift.events:
        agent_id = getattr(event.data, "agent_id", None)
        if event.type == "agent.state_changed":
            tokens[agent_id].append(event.data.state.value)
        elif event.type.startswith("contact.") and agent_id is not None:
            tokens[agent_id].append(event.type.removeprefix("contact."))
    assert len(tokens) == len(small_shift.floor.agents)
    for agent_id, sequence in tokens.items():
        day = " ".join(sequence)
        assert AGENT_DAY.fullmatch(day), f"agent {agent_id}: {day[:300]}"


def test_every_offered_contact_is_answered_or_abandoned_once_with_the_true_wait(small_shift):
    offered, outcomes, finished = {}, Counter(), Counter()
    agents = {agent.agent_id: agent for agent in small_shift.floor.agents}
    for event in small_shift.events:
        data = event.data
        if event.type == "contact.offered":
            offered[data.contact_id] = event.occurred_at
        elif event.type == "contact.answered":
            outcomes[data.contact_id] += 1
            assert data.queue_id in agents[data.agent_id].queues
            assert data.wait_seconds == (event.occurred_at - offered[data.contact_id]).total_seconds()
        elif event.type == "contact.abandoned" and data.agent_id is None:
            outcomes[data.contact_id] += 1
            assert data.wait_seconds == (event.occurred_at - offered[data.contact_id]).total_seconds()
        elif event.type in ("contact.ended", "contact.abandoned"):
            finished[data.contact_id] += 1
    assert set(outcomes) == set(offered) and set(outcomes.values()) == {1}
    answered = sum(1 for e in small_shift.events if e.type == "contact.answered")
    assert len(finished) == answered and set(finished.values()) == {1}


def test_agents_log_in_around_their_shift_start_and_out_after_its_end(small_shift):
    seen = defaultdict(list)
    for event in small_shift.events:
        if event.type == "agent.state_changed":
            seen[event.data.agent_id].append((event.occurred_at, event.data.state))
    for agent in small_shift.floor.agents:
        shift_start = small_shift.floor.start + timedelta(seconds=agent.shift_start_seconds)
        shift_end = small_shift.floor.start + timedelta(seconds=agent.shift_end_seconds)
        (login, first), (logout, last) = seen[agent.agent_id][0], seen[agent.agent_id][-1]
        assert first is AgentState.AVAILABLE and last is AgentState.LOGGED_OUT
        assert [state for _, state in seen[agent.agent_id]].count(AgentState.LOGGED_OUT) == 1
        assert shift_start - timedelta(minutes=3) <= login <= shift_start + timedelta(hours=1)
        # Agents finish the contact in hand (and any overrunning break) before they leave.
        assert shift_end <= logout <= shift_end + timedelta(minutes=45)


def test_a_window_shorter_than_the_shift_stops_at_the_window_end(small_shift):
    cut = generate(replace(small_shift.settings, duration_seconds=3600, shift_seconds=8 * 3600))
    last = max(event.occurred_at for event in cut.events)
    assert last <= small_shift.settings.start + timedelta(hours=1)
    assert not any(
        e.type == "agent.state_changed" and e.data.state is AgentState.LOGGED_OUT
        for e in cut.events[len(cut.floor.agents) :]
    )


def test_on_a_very_short_shift_an_agent_too_late_to_log_in_is_a_no_show_and_everyone_else_logs_out(small_shift):
    late = generate(
        replace(small_shift.settings, duration_seconds=300, late_login_ratio=1.0, late_login_mean_seconds=300)
    )
    states = defaultdict(list)
    for event in late.events:
        if event.type == "agent.state_changed":
            states[event.data.agent_id].append(event.data.state)
    no_shows = [a for a in late.floor.agents if a.login_seconds >= a.shift_end_seconds]
    assert no_shows and not any(a.agent_id in states for a in no_shows)
    assert all(
        sequence[0] is AgentState.AVAILABLE and sequence[-1] is AgentState.LOGGED_OUT for sequence in states.values()
    )
