"""`floorwatch simulate` live on the real broker: topics, keys, pacing, and the same events as the file."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer

from floorwatch.cli import main
from floorwatch.core.codec import decode
from floorwatch.core.events import partition_key
from floorwatch.topics import Topics
from tests.helpers import wait_until

FLOOR = ["--sites", "1", "--teams-per-site", "2", "--agents-per-team", "5", "--seed", "9"]


def _consume(bootstrap: str, topics: Topics, expected: int, timeout_seconds: float) -> list:
    consumer = KafkaConsumer(
        topics.agent_events,
        topics.contact_events,
        topics.schedules,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    records = []

    def all_arrived() -> bool:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
        return len(records) >= expected

    try:
        wait_until(all_arrived, timeout_seconds, f"{expected} simulated events on the topics")
    finally:
        consumer.close()
    return records


def test_a_sped_up_live_run_delivers_the_same_events_as_the_file_keyed_and_paced(
    kafka_bootstrap, input_topics, tmp_path
):
    start = "2026-11-24T08:00:00Z"
    reference = tmp_path / "reference.jsonl"
    assert main(["simulate", "--output", str(reference), "--quiet", "--start", start, "--duration", "30m", *FLOOR]) == 0
    lines = reference.read_bytes().splitlines()
    began = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "floorwatch.cli",
            "simulate",
            "--bootstrap-servers",
            kafka_bootstrap,
            "--topic-prefix",
            input_topics.agent_events.removesuffix(".agent-events"),
            "--speed",
            "600",
            "--start",
            start,
            "--duration",
            "30m",
            "--quiet",
            *FLOOR,
        ],
        check=True,
        timeout=120,
    )
    elapsed = time.monotonic() - began
    records = _consume(kafka_bootstrap, input_topics, len(lines), 60)

    assert sorted(record.value for record in records) == sorted(lines)
    span_seconds = (decode(lines[-1]).occurred_at - decode(lines[0]).occurred_at).total_seconds()
    assert elapsed >= span_seconds / 600  # paced: the simulated half hour took at least 3 wall seconds
    # Each event left when the wall clock reached its simulated time / 600 (producer create times).
    first_sent_ms = min(record.timestamp for record in records)
    simulated_start = decode(lines[0]).occurred_at
    for record in records:
        simulated = (decode(record.value).occurred_at - simulated_start).total_seconds()
        assert (record.timestamp - first_sent_ms) / 1000 == pytest.approx(simulated / 600, abs=0.5)
    partitions = defaultdict(set)
    for record in records:
        event = decode(record.value)
        assert record.topic == input_topics.for_event(event)
        assert record.key == partition_key(event).encode()
        partitions[(record.topic, record.key)].add(record.partition)
    assert all(len(found) == 1 for found in partitions.values())
    assert len({partition for found in partitions.values() for partition in found}) > 1
    # Each agent's states and contact events are read back in the order they happened.
    by_agent_kafka, by_agent_file = defaultdict(list), defaultdict(list)
    for record in sorted(records, key=lambda r: (r.topic, r.partition, r.offset)):
        if record.topic == input_topics.agent_events:
            by_agent_kafka[record.key].append(record.value)
    for line in lines:
        event = decode(line)
        if input_topics.for_event(event) == input_topics.agent_events:
            by_agent_file[partition_key(event).encode()].append(line)
    assert by_agent_kafka == by_agent_file


def test_in_real_time_each_event_is_stamped_with_the_wall_clock_time_it_is_sent(kafka_bootstrap, input_topics):
    # 200 agents: schedules and (most) logins at the start, then a contact every few seconds.
    count = 395
    args = [
        "simulate",
        "--bootstrap-servers",
        kafka_bootstrap,
        "--topic-prefix",
        input_topics.agent_events.removesuffix(".agent-events"),
        "--agents",
        "200",
        "--duration",
        "30m",
        "--max-events",
        str(count),
        "--quiet",
    ]
    before = datetime.now(UTC)
    assert main(args) == 0
    records = _consume(kafka_bootstrap, input_topics, count, 60)
    for record in records:
        event = decode(record.value)
        assert event.occurred_at >= before.replace(microsecond=0)
        sent_ms = record.timestamp  # the producer's create time
        assert abs(event.occurred_at.timestamp() * 1000 - sent_ms) < 1000
    assert any(decode(record.value).type == "contact.offered" for record in records)


def test_missing_input_topics_are_reported_and_never_auto_created(kafka_bootstrap, kafka_admin, unique_name, capsys):
    prefix = unique_name("absent")
    args = [
        "simulate",
        "--bootstrap-servers",
        kafka_bootstrap,
        "--topic-prefix",
        prefix,
        "--wait-for-topics",
        "1",
        "--sites",
        "1",
        "--teams-per-site",
        "1",
        "--agents-per-team",
        "3",
        "--max-events",
        "10",
    ]
    assert main(args) == 1
    assert (
        f"topics {prefix}.agent-events, {prefix}.contact-events, {prefix}.schedules do not exist"
        in capsys.readouterr().err
    )
    assert not [name for name in kafka_admin.list_topics() if name.startswith(prefix)]
