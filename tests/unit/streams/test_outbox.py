"""Repartition records are packed per destination partition and read back entry by entry."""

from __future__ import annotations

from floorwatch.streams.messages import RawMessage, Send
from floorwatch.streams.outbox import PACKED_BYTES_LIMIT, Outbox, entries_of, pack, partition_for, unpack


def test_a_packed_value_reads_back_as_its_entries_in_order():
    entries = [(b"q1", b'{"type": "contact.offered"}'), (b"q2", b""), (b"q1", b"\x00\xff binary\n")]
    assert list(unpack(None, pack(entries))) == entries


def test_a_record_written_before_packing_reads_as_one_entry_under_its_own_key():
    assert list(unpack(b"q1", b'{"type": "contact.offered"}')) == [(b"q1", b'{"type": "contact.offered"}')]
    message = RawMessage("t", 2, 40, b"team-1", b'{"agent_id": "ana"}\n')
    assert entries_of(message) == [message]


def test_entries_keep_the_coordinates_of_the_record_that_carried_them():
    message = RawMessage("t", 2, 40, None, pack([(b"a", b"1"), (b"b", b"2")]), 12.5)
    assert [(m.topic, m.partition, m.offset, m.key, m.value, m.timestamp) for m in entries_of(message)] == [
        ("t", 2, 40, b"a", b"1", 12.5),
        ("t", 2, 40, b"b", b"2", 12.5),
    ]


def test_the_outbox_sends_one_record_per_destination_partition_where_the_keyed_record_would_have_gone():
    box = Outbox(partitions=6)
    keys = [f"team-{n}".encode() for n in range(40)]
    for key in keys:
        box.add(Send("members", key, b"value of " + key))
    box.add(Send("queues", b"q1", b"event"))
    sends = box.take()
    assert box.take() == [] and len(box) == 0
    wanted = {("members", partition_for(k, 6)) for k in keys} | {("queues", partition_for(b"q1", 6))}
    assert {(s.topic, s.partition) for s in sends} == wanted
    assert len(sends) == len(wanted)
    for send in sends:
        for key, value in unpack(send.key, send.value):
            assert key is not None and partition_for(key, 6) == send.partition
            assert value == (b"event" if send.topic == "queues" else b"value of " + key)
    assert sum(len(list(unpack(s.key, s.value))) for s in sends) == 41


def test_a_large_outbox_is_cut_into_records_under_the_size_limit_losing_nothing():
    box = Outbox(partitions=1)
    values = [bytes([n % 256]) * 10_000 for n in range(100)]  # 1 MB in all, one partition
    for n, value in enumerate(values):
        box.add(Send("members", f"k{n}".encode(), value))
    sends = box.take()
    assert len(sends) > 1
    assert all(s.value is not None and len(s.value) <= PACKED_BYTES_LIMIT + 100 for s in sends)
    assert [v for s in sends for _, v in unpack(s.key, s.value)] == values


def test_a_newer_value_of_the_same_member_replaces_the_held_one_in_its_place():
    box = Outbox(partitions=1)
    box.add(Send("members", b"blue", b"ana rev 1", newest_of="ana"))
    box.add(Send("members", b"blue", b"ben rev 1", newest_of="ben"))
    box.add_to("members", 0, b"\x00resent", b"marker")
    box.add(Send("members", b"blue", b"ana rev 2", newest_of="ana"))
    box.add(Send("members", b"red", b"ana left", newest_of="ana"))  # another team: its own entry
    box.add(Send("queues", b"q1", b"event"))
    box.add(Send("queues", b"q1", b"event"))  # no newest_of: every one is kept
    entries = [(s.topic, k, v) for s in box.take() for k, v in unpack(s.key, s.value)]
    assert entries == [
        ("members", b"blue", b"ana rev 2"),
        ("members", b"blue", b"ben rev 1"),
        ("members", b"\x00resent", b"marker"),
        ("members", b"red", b"ana left"),
        ("queues", b"q1", b"event"),
        ("queues", b"q1", b"event"),
    ]


def test_after_a_take_a_member_sent_again_is_a_new_entry_not_a_replacement():
    box = Outbox(partitions=1)
    box.add(Send("members", b"blue", b"ana rev 1", newest_of="ana"))
    assert len(box.take()) == 1
    box.add(Send("members", b"other", b"x"))
    box.add(Send("members", b"blue", b"ana rev 2", newest_of="ana"))
    assert [v for s in box.take() for _, v in unpack(s.key, s.value)] == [b"x", b"ana rev 2"]
