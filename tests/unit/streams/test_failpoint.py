"""The injected fault fires once, at the batch asked for, and never without being asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorwatch.streams.failpoint import Failpoint, InjectedFault


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


def test_the_skip_failpoint_is_due_once_at_its_batch_and_never_raises(tmp_path: Path):
    point = Failpoint(2, tmp_path / "fired", "skip_after_batch")
    point.maybe_fail()
    assert [point.skip_due() for _ in range(4)] == [False, True, False, False]
