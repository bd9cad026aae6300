"""Pipeline health, per worker: events in, dead letters, processing latency, consumer lag.

For whoever runs floorwatch; a floor manager only needs to know that when this dashboard is
red, the floor dashboards are late or incomplete.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from floorwatch.dashboards.common import Board, Query, neutral_steps, single, steps, trend, variable
from floorwatch.dashboards.thresholds import WORKER_JOB_SELECTOR, Thresholds

UID = "floorwatch-pipeline"
WORKER = 'instance=~"$instance"'
RATE = "[$__rate_interval]"


def _p95(histogram: str) -> str:
    return f"histogram_quantile(0.95, sum by (le, instance) (rate({histogram}_bucket{{{WORKER}}}{RATE})))"


def build(t: Thresholds) -> Dashboard:
    worker = variable("instance", "Worker", "label_values(floorwatch_snapshot_timestamp_seconds, instance)")
    board = Board(
        UID,
        "floorwatch / Pipeline health",
        "The stream workers: input, dead letters, latency and lag, "
        "per worker. When this is red, the floor dashboards are late or incomplete.",
        [worker],
    )
    board.row("Input")
    board.add(
        trend(
            "Events in, by type",
            "Input events decoded per second, by event type.",
            "ops",
            neutral_steps(),
            [Query(f"sum by (type) (rate(floorwatch_events_in_total{{{WORKER}}}{RATE}))", "{{type}}")],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Events in, per worker",
            "Input events decoded per second by each worker.",
            "ops",
            neutral_steps(),
            [Query(f"sum by (instance) (rate(floorwatch_events_in_total{{{WORKER}}}{RATE}))", "{{instance}}")],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Dead-lettered events",
            "Input that could not be applied, per second and reason (malformed, "
            "invalid, late); each is on the dead-letter topic with its reason and offset.",
            "ops",
            steps((None, "green"), (0.01, "orange")),
            [Query(f"sum by (reason) (rate(floorwatch_events_dead_lettered_total{{{WORKER}}}{RATE}))", "{{reason}}")],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Event verdicts",
            "Agent events accepted, dropped as duplicates, late or redelivered, per second.",
            "ops",
            neutral_steps(),
            [Query(f"sum by (verdict) (rate(floorwatch_events_verdict_total{{{WORKER}}}{RATE}))", "{{verdict}}")],
            min_value=0,
        )
    )
    board.row("Latency and lag")
    board.add(
        trend(
            "Batch processing time (p95)",
            "95th percentile of the time one batch of input takes, per worker.",
            "s",
            steps((None, "green"), (1, "orange"), (5, "red")),
            [Query(_p95("floorwatch_batch_duration_seconds"), "{{instance}}")],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Event delay (p95)",
            "95th percentile of the time from an event's occurrence to its processing "
            "(includes clock skew between the platform and floorwatch).",
            "s",
            steps((None, "green"), (10, "orange"), (60, "red")),
            [Query(_p95("floorwatch_event_processing_delay_seconds"), "{{instance}}")],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Consumer lag",
            "Messages not yet processed, per worker and input topic.",
            "short",
            steps((None, "green"), (t.consumer_lag_messages, "red")),
            [
                Query(
                    f"sum by (instance, topic) (floorwatch_consumer_lag_messages{{{WORKER}}})", "{{instance}} {{topic}}"
                )
            ],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Records published",
            "Output records per second, by topic (wellbeing, team and queue load, alerts, violations).",
            "ops",
            neutral_steps(),
            [Query(f"sum by (topic) (rate(floorwatch_output_records_total{{{WORKER}}}{RATE}))", "{{topic}}")],
            min_value=0,
        )
    )
    board.row("Workers")
    board.add(
        single(
            "Workers up",
            "Whether Prometheus can scrape each worker (1 up, 0 down).",
            "none",
            steps((None, "red"), (1, "green")),
            [Query(f"up{{{WORKER_JOB_SELECTOR}, {WORKER}}}", "{{instance}}")],
        ),
        width=8,
        height=5,
    )
    board.add(
        single(
            "Partitions owned",
            "Input partitions each worker owns; their sum is the partition count.",
            "short",
            neutral_steps(),
            [Query(f"sum by (instance) (floorwatch_worker_partitions{{{WORKER}}})", "{{instance}}")],
        ),
        width=8,
        height=5,
    )
    board.add(
        single(
            "Newest event, per site",
            "Seconds since the newest event of each site; a site silent for "
            f"{t.site_silent_seconds} s raises an alert.",
            "s",
            steps((None, "green"), (60, "orange"), (t.site_silent_seconds, "red")),
            [Query("time() - max by (site) (floorwatch_site_last_event_timestamp_seconds)", "{{site}}")],
        ),
        width=8,
        height=5,
    )
    return board.dashboard
