"""A log delivered again later - a file ingested twice, a topic replayed - changes no figure,
queues included, in the replay and by the same rule in the streams."""

from __future__ import annotations

from floorwatch.core import queue
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.events import AnyEvent
from floorwatch.core.queue import QueueConfig
from floorwatch.core.replay import replay
from tests.unit.core.builders import AVAILABLE, LOGGED_OUT, abandoned, answered, contact_cycle, offered, state


def _shift() -> list:
    events: list[AnyEvent] = [state("ana", AVAILABLE, 0)]
    for k in range(12):  # a contact every ten minutes for two hours, and one caller who gave up
        events += contact_cycle("ana", f"c{k}", 600 * k + 60, talk=240, wait=15, wrap=60)
    events += [offered("lost", 7000), abandoned("lost", 7040, wait=40), state("ana", LOGGED_OUT, 7300)]
    return sorted(events, key=lambda e: e.occurred_at)


def _figures(report: dict) -> dict:
    return {"agents": report["agents"], "teams": report["teams"], "queues": report["queues"]}


def test_ingesting_the_same_log_again_after_it_changes_no_figure():
    once = [encode(e) for e in _shift()]
    first, twice = replay(once, MetricConfig()), replay(once + once, MetricConfig())
    assert _figures(twice) == _figures(first)
    assert twice["events"]["accepted"] == first["events"]["accepted"]
    assert twice["events"]["duplicate"] + twice["events"]["late"] == len(once)


def test_a_queue_event_further_behind_the_queue_clock_than_its_memory_is_late():
    config = QueueConfig(remember_contacts_seconds=600)
    track = queue.apply(None, offered("new", 5000), config).track
    assert queue.apply(track, offered("old", 5000 - 601), config).verdict == "late"
    assert queue.apply(track, answered("ana", "old", 5000 - 599, wait=1), config).verdict == "accepted"
