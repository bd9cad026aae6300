"""Stored values carry their format: the current one reads back, an older one is migrated,
an unknown one is refused with what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from floorwatch.streams.audit import StoredFormatError
from floorwatch.streams.state import AGENT_FORMAT, dump_agent, load_agent, load_queue

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stored"


def test_an_agent_value_written_in_the_current_format_reads_back_unchanged():
    raw = (FIXTURES / "agent.v2.json").read_bytes()
    stored = load_agent(raw)
    assert stored.format == AGENT_FORMAT and stored.revision == 7
    assert stored.track.agent_id == "a1"
    assert json.loads(dump_agent(stored)) == json.loads(raw)


def test_an_agent_value_from_before_formats_is_migrated_with_revision_zero():
    value = json.loads((FIXTURES / "agent.v2.json").read_bytes())
    del value["format"], value["revision"]
    stored = load_agent(json.dumps(value).encode())
    assert stored.revision == 0 and stored.format == AGENT_FORMAT


def test_an_agent_value_of_an_unknown_format_is_refused_with_what_to_do():
    value = json.loads((FIXTURES / "agent.v2.json").read_bytes())
    with pytest.raises(StoredFormatError, match="Resetting state"):
        load_agent(json.dumps({**value, "format": 3}).encode())


def test_an_agent_value_from_the_stress_model_before_issue_20_is_refused_with_what_to_do():
    # Format 1 holds the old stress state, which the new model cannot continue: rebuilding from
    # the input topics is the only way the live figures equal the replay again.
    with pytest.raises(StoredFormatError, match="Resetting state"):
        load_agent((FIXTURES / "agent.v1.json").read_bytes())


def test_a_queue_value_that_is_not_a_queue_is_refused_with_what_to_do():
    with pytest.raises(StoredFormatError, match="reset the application"):
        load_queue(b'{"format": 1, "something": "else"}')
