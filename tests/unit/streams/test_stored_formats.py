"""Stored values carry their format: the current one reads back, older ones whose shape cannot
be carried over and unknown ones are refused with what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from floorwatch.streams.audit import StoredFormatError
from floorwatch.streams.state import AGENT_FORMAT, agent_json, dump_agent, load_agent, load_queue

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
