"""The stored input positions: one record per partition number holding all five topics."""

from __future__ import annotations

import pytest

from floorwatch.streams.audit import StoredFormatError, dump_position, position_key
from floorwatch.streams.positions import dump_packed, load_packed, packed_key, packed_writes, stored_positions

EVENTS, QUEUES, TEAMS = "floorwatch.agent-events", "app-queue-events", "app-team-members"


def _table(writes: list[tuple[str, bytes, int]], table: dict[bytes, bytes] | None = None) -> dict[bytes, bytes]:
    table = dict(table or {})
    table.update({key.encode(): value for key, value, _ in writes})
    return table


def test_a_save_writes_one_record_per_partition_number_on_that_changelog_partition():
    owed = {(EVENTS, 0): 10, (QUEUES, 0): 4, (TEAMS, 0): 7, (EVENTS, 3): 2}
    writes = packed_writes(owed, lambda key: None)
    assert [(key, partition) for key, _, partition in writes] == [("@0", 0), ("@3", 3)]
    assert stored_positions(_table(writes).items()) == owed


def test_a_later_save_keeps_the_topics_it_does_not_owe_for_that_partition():
    table = _table(packed_writes({(EVENTS, 1): 10, (QUEUES, 1): 4}, lambda key: None))
    table = _table(packed_writes({(EVENTS, 1): 12}, lambda key: table.get(key.encode())), table)
    assert stored_positions(table.items()) == {(EVENTS, 1): 12, (QUEUES, 1): 4}


def test_positions_of_the_older_format_still_read_and_a_packed_value_wins_for_its_topics():
    table = {
        position_key(EVENTS, 2): dump_position(5),  # written before packing
        position_key(QUEUES, 2): dump_position(9),
        packed_key(2).encode(): dump_packed({EVENTS: 8}),  # written since
    }
    assert stored_positions(table.items()) == {(EVENTS, 2): 8, (QUEUES, 2): 9}


def test_packed_positions_in_an_unknown_format_are_refused_with_what_to_do():
    with pytest.raises(StoredFormatError, match="reset the application"):
        load_packed(b'{"format": 99, "next_offsets": {}}')
    assert load_packed(dump_packed({TEAMS: 3})) == {TEAMS: 3}
