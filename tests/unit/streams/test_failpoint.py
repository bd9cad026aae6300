"""The injected fault fires once, at the batch asked for, and never without being asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorwatch.streams.failpoint import SKIP_OFFSETS, Failpoint, InjectedFault
from floorwatch.streams.messages import RawMessage


def test_the_failpoint_fires_at_the_nth_batch_once_per_data_directory(tmp_path: Path):
    first = Failpoint(3, tmp_path / "fired")
    first.maybe_fail()
    first.maybe_fail()
    with pytest.raises(InjectedFault):
        first.maybe_fail()
    restarted = Failpoint(3, tmp_path / "fired")
    for _ in range(5):
        restarted.maybe_fail()


def test_without_the_variable_there_is_no_failpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("FLOORWATCH_FAILPOINT", raising=False)
    point = Failpoint.from_environment(tmp_path)
    for _ in range(10):
        point.maybe_fail()
    assert point.after_batches is None


def _run(topic: str, partition: int, offsets: range) -> list[RawMessage]:
    return [RawMessage(topic, partition, offset, b"k", b"v") for offset in offsets]


def test_the_skip_failpoint_withholds_a_jump_once_from_its_batch_on_and_never_raises(tmp_path: Path):
    point = Failpoint(2, tmp_path / "fired", "skip_after_batch")
    point.maybe_fail()
    batch = _run("in", 0, range(10, 50))
    assert point.withhold(batch, {("in", 0): 10}) == batch  # batch 1: not yet
    delivered = point.withhold(batch, {("in", 0): 10})
    assert [m.offset for m in delivered] == list(range(10 + SKIP_OFFSETS, 50))
    assert point.withhold(batch, {("in", 0): 10}) == batch  # once
    assert Failpoint(2, tmp_path / "fired", "skip_after_batch").withhold(batch, {("in", 0): 10}) == batch


def test_the_skip_failpoint_waits_for_a_batch_where_a_record_past_the_jump_arrives(tmp_path: Path):
    point = Failpoint(1, tmp_path / "fired", "skip_after_batch")
    short = _run("in", 0, range(SKIP_OFFSETS)) + _run("in", 1, range(40))
    # Partition 1 is at 30 already (its records below were applied): too few records from there.
    assert point.withhold(short, {("in", 0): 0, ("in", 1): 30}) == short
    longer = _run("in", 1, range(30, 30 + SKIP_OFFSETS + 1))
    assert [m.offset for m in point.withhold(longer, {("in", 1): 30})] == [30 + SKIP_OFFSETS]


def test_the_skip_failpoint_leaves_other_partitions_and_unknown_ones_alone(tmp_path: Path):
    point = Failpoint(1, tmp_path / "fired", "skip_after_batch")
    batch = _run("in", 0, range(30)) + _run("in", 1, range(5, 40)) + _run("other", 0, range(40))
    delivered = point.withhold(batch, {("in", 1): 5})
    assert [m for m in delivered if (m.topic, m.partition) != ("in", 1)] == _run("in", 0, range(30)) + _run(
        "other", 0, range(40)
    )
    assert [m.offset for m in delivered if (m.topic, m.partition) == ("in", 1)] == list(range(30, 40))


def test_a_worker_without_a_failpoint_gets_its_batch_back_untouched_not_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("FLOORWATCH_FAILPOINT", raising=False)
    batch = _run("in", 0, range(40))
    off = Failpoint.from_environment(tmp_path)
    assert off.withhold(batch, {("in", 0): 0}) is batch
    other_kind = Failpoint(1, tmp_path / "fired", "after_batch")
    assert other_kind.withhold(batch, {("in", 0): 0}) is batch
