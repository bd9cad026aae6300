"""Objects alive after a tick are frozen out of garbage collections; frozen garbage in
reference cycles is still reclaimed by the periodic full collection."""

from __future__ import annotations

import gc
import weakref

import pytest

from floorwatch.streams.collector_pacing import CollectorPacing


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector can free it


@pytest.fixture(autouse=True)
def _thaw():
    yield
    gc.unfreeze()


def _frozen_cycle() -> weakref.ref:
    node = _Node()
    ref = weakref.ref(node)
    del node
    return ref


def test_what_is_alive_after_a_tick_is_left_out_of_collections():
    pacing = CollectorPacing(full_every_seconds=60.0, last_full_monotonic=0.0)
    ref = _frozen_cycle()
    pacing.after_tick(1.0)
    gc.collect()
    assert ref() is not None and gc.get_freeze_count() > 0


def test_frozen_cyclic_garbage_is_reclaimed_by_the_periodic_full_collection():
    pacing = CollectorPacing(full_every_seconds=60.0, last_full_monotonic=0.0)
    ref = _frozen_cycle()
    pacing.after_tick(1.0)
    pacing.after_tick(61.0)
    assert ref() is None
