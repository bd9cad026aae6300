"""The worker's own account of its input: every offset gets one verdict, gaps are seen."""

from __future__ import annotations

import pytest

from floorwatch.streams.audit import (
    Gap,
    InputAudit,
    OwedPositions,
    StoredFormatError,
    Unsaved,
    dump_position,
    load_position,
    parse_position_key,
    position_key,
)
from floorwatch.streams.messages import RawMessage

T = "floorwatch.agent-events"


def _messages(*offsets: int, partition: int = 0, topic: str = T) -> list[RawMessage]:
    return [RawMessage(topic, partition, offset, b"k", b"{}") for offset in offsets]


def test_consecutive_offsets_are_applied_and_move_the_next_offset():
    audit = InputAudit({(T, 0): 5})
    plan = audit.plan(_messages(5, 6, 7))
    assert [m.offset for m in plan.to_apply] == [5, 6, 7]
    assert plan.gaps == [] and plan.next_offsets == {(T, 0): 8}
    assert audit.next_offsets == {(T, 0): 5}, "nothing moves until the batch is stored"
    audit.stored(plan)
    assert audit.next_offsets == {(T, 0): 8}


def test_offsets_below_the_next_offset_are_redeliveries_and_are_not_applied_again():
    audit = InputAudit({(T, 0): 7})
    plan = audit.plan(_messages(5, 6, 7, 8))
    assert [m.offset for m in plan.redelivered] == [5, 6]
    assert [m.offset for m in plan.to_apply] == [7, 8]


def test_a_jump_past_the_next_offset_is_reported_as_a_gap():
    audit = InputAudit({(T, 0): 5})
    plan = audit.plan(_messages(5, 9, 10))
    assert plan.gaps == [Gap(T, 0, 6, 8)]
    assert plan.gaps[0].size == 3


def test_cutting_at_a_skipped_gap_applies_only_what_came_before_it():
    audit = InputAudit({(T, 0): 5, (T, 1): 0})
    plan = audit.plan(_messages(5, 9, 10) + _messages(0, 1, partition=1))
    plan.cut_at(plan.gaps[0])
    assert [(m.partition, m.offset) for m in plan.to_apply] == [(0, 5), (1, 0), (1, 1)]
    assert plan.next_offsets == {(T, 0): 6, (T, 1): 2}
    assert plan.gaps == []


def test_records_fetched_ahead_while_going_back_are_set_aside_until_the_gap_arrives():
    audit = InputAudit({(T, 0): 6})
    audit.rewind(Gap(T, 0, 6, 8), now_seconds=100.0)
    ahead = audit.plan(_messages(9, 10))
    assert ahead.to_apply == [] and [m.offset for m in ahead.rewinding] == [9, 10] and ahead.gaps == []
    back = audit.plan(_messages(6, 7, 8, 9))
    assert [m.offset for m in back.to_apply] == [6, 7, 8, 9]
    audit.stored(back)
    assert audit.rewinds == {}
    assert audit.longest_rewind_seconds(200.0) == 0.0


def test_a_rewind_that_brings_nothing_is_measured():
    audit = InputAudit({(T, 0): 6})
    audit.rewind(Gap(T, 0, 6, 8), now_seconds=100.0)
    assert audit.longest_rewind_seconds(161.0) == pytest.approx(61.0)


def test_every_offset_of_a_batch_gets_exactly_one_verdict():
    audit = InputAudit({(T, 0): 3})
    batch = _messages(1, 2, 3, 4, 7, 8)
    plan = audit.plan(batch)
    judged = [m.offset for m in plan.to_apply + plan.redelivered + plan.rewinding]
    assert sorted(judged) == [1, 2, 3, 4, 7, 8]
    assert [(g.first, g.last) for g in plan.gaps] == [(5, 6)]


def test_a_partition_with_no_known_position_applies_nothing_until_it_is_adopted():
    audit = InputAudit({(T, 1): 0})
    plan = audit.plan(_messages(4, 5) + _messages(0, partition=1))
    assert plan.unknown == [(T, 0)]
    assert [m.offset for m in plan.unplaced] == [4, 5]
    assert [(m.partition, m.offset) for m in plan.to_apply] == [(1, 0)]
    assert (T, 0) not in plan.next_offsets


def test_an_adopted_partition_starts_at_its_stored_position_and_waits_for_it():
    audit = InputAudit()
    audit.adopt((T, 0), 2, now_seconds=10.0)
    ahead = audit.plan(_messages(4, 5))
    assert ahead.to_apply == [] and [m.offset for m in ahead.rewinding] == [4, 5]
    back = audit.plan(_messages(2, 3, 4))
    assert [m.offset for m in back.to_apply] == [2, 3, 4] and back.gaps == []


def test_partitions_that_moved_away_are_forgotten():
    audit = InputAudit({(T, 0): 1, (T, 1): 2})
    audit.rewind(Gap(T, 1, 2, 3), 0.0)
    audit.forget([(T, 0)])
    assert audit.next_offsets == {(T, 0): 1} and audit.rewinds == {}


def test_positions_round_trip_through_their_stored_form():
    assert parse_position_key(position_key("floorwatch.schedules", 11)) == ("floorwatch.schedules", 11)
    assert load_position(dump_position(42)) == 42


def test_a_position_in_an_unknown_format_is_refused_with_what_to_do():
    with pytest.raises(StoredFormatError, match="reset the application"):
        load_position(b'{"format": 99, "next_offset": 3}')


def test_a_partition_with_input_waiting_that_does_not_move_is_reported_stuck_once_a_period():
    audit = InputAudit({(T, 0): 5, (T, 1): 9})
    audit.moved_at = {(T, 0): 0.0, (T, 1): 0.0}
    assert audit.stuck({(T, 0): 12}, now_seconds=20.0, after_seconds=30.0) == []
    assert audit.stuck({(T, 0): 12, (T, 1): 0}, now_seconds=31.0, after_seconds=30.0) == [(T, 0)]
    assert audit.stuck({(T, 0): 12}, now_seconds=40.0, after_seconds=30.0) == [], "its clock restarted"


def test_a_partition_that_moves_is_never_stuck():
    audit = InputAudit({(T, 0): 5})
    audit.moved_at = {(T, 0): 0.0}
    audit.stored(audit.plan(_messages(5, 6)), now_seconds=25.0)
    assert audit.stuck({(T, 0): 40}, now_seconds=50.0, after_seconds=30.0) == []


def test_owed_positions_are_due_once_the_period_has_passed_and_taken_together():
    owed = OwedPositions()
    assert not owed.due(0.0, 1.0)  # nothing owed
    owed.owed.update({("t", 0): 5})
    assert owed.due(0.0, 1.0)  # never written: due at once
    assert owed.take(10.0) == {("t", 0): 5} and owed.owed == {}
    owed.owed.update({("t", 0): 9, ("t", 1): 3})
    assert not owed.due(10.5, 1.0)
    assert owed.due(11.0, 1.0)
    assert owed.take(11.0) == {("t", 0): 9, ("t", 1): 3}


def test_unsaved_keys_are_taken_once_and_a_later_change_marks_them_again():
    unsaved = Unsaved()
    unsaved.mark("agents", "ana", 0)
    unsaved.mark("agents", "ana", 0)  # changed by two batches: one changelog record
    unsaved.mark("queues", "q1", 3)
    assert unsaved.take() == {"agents": {"ana": 0}, "queues": {"q1": 3}}
    assert unsaved.take() == {}
    unsaved.mark("agents", "ana", 0)
    assert unsaved.take() == {"agents": {"ana": 0}}


def test_unsaved_keys_of_partitions_no_longer_owned_are_dropped_and_the_rest_kept():
    unsaved = Unsaved()
    unsaved.mark("agents", "ana", 0)
    unsaved.mark("agents", "ben", 1)
    unsaved.mark("team-members", "t1\x1fben", 2)
    dropped = unsaved.drop_unowned({0, 2})
    assert dropped == {"agents": ["ben"]}
    assert unsaved.take() == {"agents": {"ana": 0}, "team-members": {"t1\x1fben": 2}}
