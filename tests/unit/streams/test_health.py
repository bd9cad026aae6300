"""/health says what is wrong, and only then."""

from __future__ import annotations

from floorwatch.streams.health import HealthLimits, Progress, problems, stalled_seconds

LIMITS = HealthLimits(tick_seconds=5.0, broker_silent_seconds=15.0, stalled_seconds=30.0)


def _healthy(now: float = 100.0) -> Progress:
    return Progress(started_at=0.0, recovered=True, last_tick_at=now - 1, last_applied_at=now - 1, broker_seen_at=now)


def test_a_recovered_worker_that_ticks_and_reaches_kafka_is_healthy():
    assert problems(_healthy(), LIMITS, now=100.0, rebalancing=False) == []


def test_a_worker_still_recovering_is_not_healthy():
    progress = _healthy()
    progress.recovered = False
    assert any("starting" in p for p in problems(progress, LIMITS, now=100.0, rebalancing=False))
    assert any("starting" in p for p in problems(_healthy(), LIMITS, now=100.0, rebalancing=True))


def test_kafka_silent_past_the_limit_makes_the_worker_unhealthy():
    progress = _healthy()
    progress.broker_seen_at = 80.0
    found = problems(progress, LIMITS, now=100.0, rebalancing=False)
    assert found == ["Kafka has not answered for 20 s (check the brokers and the network)"]


def test_a_stale_tick_makes_the_worker_unhealthy():
    progress = _healthy()
    progress.last_tick_at = 70.0
    assert any("last tick ran 30 s ago" in p for p in problems(progress, LIMITS, now=100.0, rebalancing=False))


def test_input_waiting_with_nothing_applied_is_a_stall_but_waiting_briefly_is_not():
    progress = _healthy()
    progress.input_waiting_since, progress.last_applied_at = 50.0, 40.0
    progress.behind_messages = {"t[0]": 12}
    assert stalled_seconds(progress, 100.0) == 50.0
    assert any("while 12 messages wait" in p for p in problems(progress, LIMITS, now=100.0, rebalancing=False))
    progress.last_applied_at = 90.0
    assert stalled_seconds(progress, 100.0) == 10.0
    assert problems(progress, LIMITS, now=100.0, rebalancing=False) == []


def test_a_caught_up_worker_is_never_stalled_however_long_since_its_last_batch():
    progress = _healthy()
    progress.last_applied_at = 0.0
    assert stalled_seconds(progress, 10_000.0) == 0.0
