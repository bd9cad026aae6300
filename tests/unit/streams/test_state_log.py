"""The packed state log: record format and the fold a new owner reads a state partition with."""

from __future__ import annotations

import pytest

from floorwatch.streams.audit import StoredFormatError
from floorwatch.streams.state_log import (
    CHECKPOINT,
    DELTA,
    checkpoint_records,
    claim_record,
    covers,
    decode,
    delta_records,
    fold,
)

EVENTS = "floorwatch.agent-events"
A1, A2, Q1 = ("agents", "a-1"), ("agents", "a-2"), ("queues", "q-1")


def _log(*values: bytes) -> list[tuple[int, bytes]]:
    return list(enumerate(values))


def test_a_delta_reads_back_with_its_header_entries_and_deletions():
    [record] = delta_records("w1", {EVENTS: 7}, [(A1, b"one"), (Q1, None)])
    header, entries = decode(record)
    assert (header.kind, header.owner, header.next_offsets) == (DELTA, "w1", {EVENTS: 7})
    assert entries == [(A1, b"one"), (Q1, None)]


def test_a_delta_over_the_size_limit_is_cut_into_several_whole_deltas():
    entries = [(("agents", f"a-{n}"), b"x" * 100) for n in range(10)]
    records = delta_records("w1", {EVENTS: 3}, entries, limit=350)
    assert len(records) > 1
    assert fold(_log(*records)).values == dict(entries)


def test_deltas_set_values_and_an_empty_value_deletes_the_key():
    log = _log(
        *delta_records("w1", {EVENTS: 2}, [(A1, b"v1"), (A2, b"v1"), (Q1, b"q")]),
        *delta_records("w1", {EVENTS: 5}, [(A1, b"v2"), (A2, None)]),
    )
    folded = fold(log)
    assert folded.values == {A1: b"v2", Q1: b"q"}
    assert folded.next_offsets == {EVENTS: 5}


def test_deltas_read_twice_give_the_same_state_as_read_once():
    deltas = [
        *delta_records("w1", {EVENTS: 2}, [(A1, b"v1"), (Q1, b"q1")]),
        *delta_records("w1", {EVENTS: 4}, [(A1, b"v2"), (Q1, None)]),
    ]
    assert fold(_log(*deltas, *deltas)).values == fold(_log(*deltas)).values == {A1: b"v2"}


def test_a_complete_checkpoint_replaces_the_state_before_it():
    log = _log(
        *delta_records("w1", {EVENTS: 2}, [(A1, b"old"), (A2, b"gone")]),
        *checkpoint_records("w1", "c1", {EVENTS: 3}, [(A1, b"v1"), (Q1, b"q")], limit=10),
        *delta_records("w1", {EVENTS: 4}, [(A1, b"v2")]),
    )
    folded = fold(log)
    assert folded.values == {A1: b"v2", Q1: b"q"}
    assert folded.next_offsets == {EVENTS: 4}
    assert folded.checkpoints == [1]  # where the checkpoint's first chunk lies


def test_a_checkpoint_cut_short_by_a_crash_is_ignored():
    chunks = checkpoint_records("w1", "c1", {EVENTS: 3}, [(A1, b"new"), (Q1, b"new")], limit=10)
    assert len(chunks) == 2 and decode(chunks[0])[0].kind == CHECKPOINT
    log = _log(
        *delta_records("w1", {EVENTS: 2}, [(A1, b"v1"), (A2, b"v1")]),
        chunks[0],  # the last chunk was never written
        *delta_records("w1", {EVENTS: 3}, [(A2, b"v2")]),
    )
    folded = fold(log)
    assert folded.values == {A1: b"v1", A2: b"v2"}
    assert folded.checkpoints == []


def test_after_a_claim_an_older_owner_s_records_do_not_count():
    log = _log(
        *delta_records("w1", {EVENTS: 2}, [(A1, b"w1")]),
        claim_record("w2", {EVENTS: 2}, read_to=1),
        *delta_records("w2", {EVENTS: 3}, [(A1, b"w2")]),
        *delta_records("w1", {EVENTS: 9}, [(A1, b"zombie"), (A2, b"zombie")]),  # w1 has not heard yet
        *checkpoint_records("w1", "z", {EVENTS: 9}, [(A1, b"zombie")]),
    )
    folded = fold(log)
    assert folded.values == {A1: b"w2"}
    assert folded.next_offsets == {EVENTS: 3}


def test_records_written_while_the_claimant_was_reading_do_not_count():
    log = _log(
        *delta_records("w1", {EVENTS: 2}, [(A1, b"seen")]),
        *delta_records("w1", {EVENTS: 5}, [(A1, b"unseen"), (A2, b"unseen")]),  # offset 1, past the read
        claim_record("w2", {EVENTS: 2}, read_to=1),
        *delta_records("w2", {EVENTS: 3}, [(Q1, b"w2")]),
    )
    folded = fold(log)
    assert folded.values == {A1: b"seen", Q1: b"w2"}
    assert folded.next_offsets == {EVENTS: 3}


def test_a_later_claim_hands_the_partition_on_again():
    log = _log(
        claim_record("w1", {}, read_to=0),
        *delta_records("w1", {EVENTS: 2}, [(A1, b"w1")]),
        claim_record("w2", {EVENTS: 2}, read_to=2),
        *delta_records("w2", {EVENTS: 3}, [(A1, b"w2")]),
        claim_record("w3", {EVENTS: 3}, read_to=4),
        *delta_records("w2", {EVENTS: 4}, [(A1, b"late w2")]),
        *delta_records("w3", {EVENTS: 5}, [(A2, b"w3")]),
    )
    assert fold(log).values == {A1: b"w2", A2: b"w3"}


def test_the_fold_counts_delta_bytes_since_the_last_checkpoint_and_the_state_s_size():
    first = delta_records("w1", {EVENTS: 1}, [(A1, b"x" * 50)])
    cp = checkpoint_records("w1", "c1", {EVENTS: 1}, [(A1, b"x" * 50)])
    second = delta_records("w1", {EVENTS: 2}, [(A1, b"y" * 50)])
    folded = fold(_log(*first, *cp, *second))
    assert folded.delta_bytes == len(second[0])
    assert folded.state_bytes >= 50


def test_a_state_record_of_an_unknown_format_stops_with_what_to_do():
    with pytest.raises(StoredFormatError, match="reset the application"):
        fold(_log(b'{"format": 99, "kind": "delta"}\n'))


def test_stored_positions_past_what_the_state_covers_are_named():
    assert covers({EVENTS: 5, "q": 2}, {EVENTS: 5, "q": 3, "t": 1}) == ["q", "t"]
    assert covers({EVENTS: 5}, {EVENTS: 4}) == []
