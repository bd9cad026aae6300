"""A team member's leave guards like an update: an older update cannot add the member back."""

from __future__ import annotations

from floorwatch.streams.group_step import (
    MemberUpdate,
    has_left,
    held_revision,
    left_value,
    member_key,
    newest_members,
    parse_member,
)


def _held(table: dict[str, bytes]):
    def revision(key: str) -> int | None:
        # a member's stored value stands in as b"rev:<n>" here; the worker decodes the agent
        return held_revision(table.get(key), lambda raw: int(raw.split(b":")[1]))

    return revision


def test_a_leave_is_kept_with_its_revision_and_an_older_update_arriving_later_is_refused():
    key = member_key("t1", "ana")
    leave = parse_member("t1", b'{"agent_id": "ana", "revision": 7}\n')
    assert leave == MemberUpdate(key, 7, None)
    table = {key: left_value(leave.revision)}  # what the team-member agent stores for it
    assert has_left(table[key]) and held_revision(table[key], lambda raw: -1) == 7
    late = MemberUpdate(key, 6, b"rev:6")  # from the partition's previous owner, after the leave
    assert newest_members([late], _held(table)) == []
    rejoined = MemberUpdate(key, 9, b"rev:9")  # the agent came back to the team later
    assert newest_members([rejoined], _held(table)) == [rejoined]


def test_within_a_batch_the_newest_revision_of_each_member_wins_and_a_replay_of_the_same_revision_is_kept():
    key = member_key("t1", "ben")
    updates = [MemberUpdate(key, 3, b"rev:3"), MemberUpdate(key, 5, b"rev:5"), MemberUpdate(key, 4, b"rev:4")]
    assert newest_members(updates, _held({})) == [updates[1]]
    assert newest_members([MemberUpdate(key, 5, b"rev:5")], _held({key: b"rev:5"})) == [MemberUpdate(key, 5, b"rev:5")]


def test_a_stored_member_value_is_never_taken_for_a_leave():
    assert not has_left(b'{"format": 3}') and not has_left(b"x\x9c compressed")
