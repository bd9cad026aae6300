"""Section 5: from an event's production to the changed figure on /metrics, at a live rate.

Background traffic is the simulator's own floor, paced to a fixed rate (events/s); probe
agents change state a few times a second, and a scraper reads /metrics back to back.
A probe's latency is the end of the first scrape that shows it minus the moment it was
handed to the producer: an upper bound that includes the scrape itself and the gap since
the previous one (both grow with the number of agents, and are reported next to it).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import requests

from bench.probes import ProbeLog, percentile, probe_event, probe_states_in
from bench.traffic import Routed, started_producer
from floorwatch.topics import Topics

SCRAPE_MIN_GAP_SECONDS = 0.2
# The gap between scrapes bounds the resolution of the upper bound; it is at least as long as
# the scrape itself, so a slow page (before it was cached, 2 s at 10,000 agents) cannot starve
# the worker's loop.


@dataclass
class Scraper:
    """Reads /metrics in a thread, one request at a time, and feeds the probe log."""

    url: str
    log: ProbeLog
    durations: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: int = 0
    worker_lag: float | None = None  # floorwatch_consumer_lag_messages summed, from the newest scrape

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                text = session.get(self.url, timeout=30).text
            except requests.RequestException:
                self.errors += 1
                self._stop.wait(SCRAPE_MIN_GAP_SECONDS)
                continue
            ended = time.monotonic()
            with self._lock:
                self.log.scraped(began, ended, probe_states_in(text))
                self.worker_lag = consumer_lag(text)
                self.durations.append(ended - began)
                self.sizes.append(len(text))
            self._stop.wait(max(SCRAPE_MIN_GAP_SECONDS, ended - began))

    def locked(self):
        return self._lock


def consumer_lag(metrics_text: str) -> float:
    """Input messages behind, by the worker's own positions (its commits can lag far more when busy)."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics_text.splitlines()
        if line.startswith("floorwatch_consumer_lag_messages{")
    )


async def paced_phase(
    bootstrap: str,
    topics: Topics,
    background: Iterator[Routed],
    rate_per_second: float,
    seconds: float,
    probes: list[str],
    probe_interval_seconds: float,
    log: ProbeLog,
    lock,
) -> dict:
    """Send background events at `rate_per_second` and one probe event every `probe_interval_seconds`."""
    sender = await started_producer(bootstrap)
    sent, probes_sent, behind_max = 0, 0, 0.0
    pending = []
    try:
        began = time.monotonic()
        next_probe = began
        while (now := time.monotonic()) - began < seconds:
            due = int((now - began) * rate_per_second)
            behind_max = max(behind_max, (due - sent) / rate_per_second)
            while sent < due:
                item = next(background)
                pending.append(await sender.send(getattr(topics, item.topic_field), key=item.key, value=item.value))
                sent += 1
            if now >= next_probe:
                agent_id = probes[probes_sent % len(probes)]
                with lock:
                    sequence = log.sent(agent_id, time.monotonic())
                pending.append(
                    await sender.send(topics.agent_events, key=agent_id.encode(), value=probe_event(agent_id, sequence))
                )
                probes_sent += 1
                next_probe += probe_interval_seconds
            await asyncio.sleep(0.005)
        await asyncio.gather(*pending)
        return {
            "background_events": sent,
            "probe_events": probes_sent,
            "seconds": time.monotonic() - began,
            "achieved_rate_per_second": sent / (time.monotonic() - began),
            "producer_behind_max_seconds": behind_max,
        }
    finally:
        await sender.stop()


async def send_probes_once(bootstrap: str, topics: Topics, probes: list[str], log: ProbeLog, lock) -> None:
    """One state change per probe agent, acknowledged."""
    sender = await started_producer(bootstrap)
    try:
        pending = []
        for agent_id in probes:
            with lock:
                sequence = log.sent(agent_id, time.monotonic())
            pending.append(
                await sender.send(topics.agent_events, key=agent_id.encode(), value=probe_event(agent_id, sequence))
            )
        await asyncio.gather(*pending)
    finally:
        await sender.stop()


def summarise(log: ProbeLog, from_seconds: float, to_seconds: float) -> dict:
    """Percentiles of the upper bound (the headline figures) and of the lower bound (`*_not_before`)."""
    upper, lower, missing = log.latencies(from_seconds, to_seconds)
    return {
        "probes_seen": len(upper),
        "probes_never_seen": missing,
        "p50_seconds": percentile(upper, 0.50),
        "p95_seconds": percentile(upper, 0.95),
        "p99_seconds": percentile(upper, 0.99),
        "max_seconds": upper[-1] if upper else None,
        "p50_seconds_not_before": percentile(lower, 0.50),
        "p95_seconds_not_before": percentile(lower, 0.95),
        "p99_seconds_not_before": percentile(lower, 0.99),
    }
