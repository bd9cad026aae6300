"""Stored values carry their format: the current one reads back, older ones whose shape cannot
be carried over and unknown ones are refused with what to do."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import fold
from floorwatch.streams.audit import StoredFormatError
from floorwatch.streams.state import (
    _AGENT,
    AGENT_FORMAT,
    ZSTD_MAGIC,
    StoredAgent,
    agent_json,
    dump_agent,
    load_agent,
    load_queue,
)
from tests.unit.core.builders import AVAILABLE, schedule, state, team_shift

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stored"


def test_an_agent_value_written_in_the_current_format_reads_back_unchanged():
    raw = (FIXTURES / "agent.v2.json").read_bytes()
    stored = load_agent(raw)
    assert stored.format == AGENT_FORMAT == 2 and stored.revision == 7
    assert stored.track.agent_id == "a1"
    assert json.loads(agent_json(dump_agent(stored))) == json.loads(raw)


def test_an_agent_value_of_format_1_is_refused_with_what_to_do():
    with pytest.raises(StoredFormatError, match=r"format 1; this worker reads format 2.*Resetting state"):
        load_agent((FIXTURES / "agent.v1.json").read_bytes())


def test_an_agent_value_from_before_formats_is_refused_with_what_to_do():
    value = json.loads((FIXTURES / "agent.v1.json").read_bytes())
    del value["format"], value["revision"]
    with pytest.raises(StoredFormatError, match="format 0"):
        load_agent(json.dumps(value).encode())


def test_an_agent_value_of_an_unknown_format_is_refused_with_what_to_do():
    value = json.loads((FIXTURES / "agent.v2.json").read_bytes())
    with pytest.raises(StoredFormatError, match="Resetting state"):
        load_agent(json.dumps({**value, "format": 3}).encode())


def test_a_queue_value_that_is_not_a_queue_is_refused_with_what_to_do():
    with pytest.raises(StoredFormatError, match="reset the application"):
        load_queue(b'{"format": 1, "something": "else"}')


def test_an_agent_value_is_stored_compressed_and_a_plain_json_value_still_reads():
    raw = (FIXTURES / "agent.v2.json").read_bytes()
    stored = load_agent(raw)  # plain JSON, as values were written before compression
    compressed = dump_agent(stored)
    assert len(compressed) < len(raw) and not compressed.startswith(b"{")
    assert load_agent(compressed) == stored


def test_an_agent_value_is_stored_as_zstandard_and_one_compressed_with_zlib_before_still_reads():
    raw = (FIXTURES / "agent.v2.json").read_bytes()
    stored = load_agent(raw)
    assert dump_agent(stored).startswith(ZSTD_MAGIC)
    written_before = zlib.compress(_AGENT.dump_json(stored), 6)  # how values were stored until this round
    assert load_agent(written_before) == stored


def _tracks_with_schedules() -> list[StoredAgent]:
    events = [
        schedule("ana", 0, 8 * 3600, (("break", 7200, 8100), ("lunch", 14400, 16200))),
        schedule("cy", 0, 8 * 3600),
        state("zoë", AVAILABLE, 60, team="blue"),  # non-ASCII: written as UTF-8 by both
        *team_shift(),
    ]
    ordered = sorted(events, key=lambda e: e.occurred_at)
    tracks = fold((("test", n, e) for n, e in enumerate(ordered)), MetricConfig()).agents.values()
    return [StoredAgent(t, (("agent-events", 12), ("schedules", 3)), revision=9) for t in tracks]


def test_the_stored_json_is_byte_for_byte_what_pydantic_writes_for_the_same_value():
    values = _tracks_with_schedules()
    assert any(v.track.schedule is not None for v in values)
    for stored in values:
        assert agent_json(dump_agent(stored)) == _AGENT.dump_json(stored)
        assert load_agent(dump_agent(stored)) == stored


def test_a_schedule_written_once_is_reused_only_for_that_very_schedule_object():
    first, *_ = [v for v in _tracks_with_schedules() if v.track.schedule is not None]
    again = dump_agent(first)  # the schedule's JSON held from the first write
    assert agent_json(again) == _AGENT.dump_json(first)
    assert first.track.schedule is not None
    other = first.track.schedule.model_copy(update={"agent_id": "somebody-else"})
    moved = StoredAgent(first.track._replace(schedule=other), first.applied_offsets, first.revision)
    assert json.loads(agent_json(dump_agent(moved)))["track"][7]["agent_id"] == "somebody-else"


def test_an_agent_value_that_is_neither_json_nor_compressed_json_is_refused_with_what_to_do():
    with pytest.raises(StoredFormatError, match="Resetting state"):
        load_agent(b"\x00\x01 not a stored value")


def test_a_queue_value_of_format_1_is_migrated_with_no_abandon_waiting_time():
    from floorwatch.core import queue
    from floorwatch.streams.state import QUEUE_FORMAT, StoredQueue, dump_queue

    track = queue.initial("billing")
    counts = (3, 2, 0, 1, 0, 0, 12.5, 2, 400.0)
    old = json.loads(dump_queue(StoredQueue(track=track, handled_ids=("c1",))))
    old["format"] = 1
    old["track"]["totals"] = list(counts)
    old["track"]["buckets"] = [[60.0, list(counts)]]
    stored = load_queue(json.dumps(old).encode())
    assert stored.format == QUEUE_FORMAT == 2
    assert stored.track.totals == (*counts, 0.0)
    assert stored.track.buckets == ((60.0, (*counts, 0.0)),)
    assert stored.handled_ids == ("c1",)


def test_a_value_with_floats_written_in_exponent_form_reads_back_the_same():
    stored = _tracks_with_schedules()[0]
    track = stored.track._replace(last_event_seconds=1e16)
    huge = StoredAgent(track, stored.applied_offsets, stored.revision)
    assert load_agent(dump_agent(huge)) == huge
