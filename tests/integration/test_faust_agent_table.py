"""faust-streaming on the real broker: a worker process whose agent consumes a topic and writes a table.

The worker runs as a subprocess, as in production; the table's contents are read back
from its changelog topic, which is what Faust recovers the table from after a restart.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient

from tests.helpers import record_summary, wait_until

TABLE = "contacts-per-agent"
_WORKER_STOP_SECONDS = 30


def create_app(broker: str, app_id: str, source_topic: str, datadir: str):
    """A minimal floorwatch-shaped app: keys are agent ids, the table counts contacts per agent."""
    import faust

    app = faust.App(
        app_id, broker=f"kafka://{broker}", store="memory://", datadir=datadir, topic_partitions=2, web_enabled=False
    )
    # Raw bytes in, as the real workers read them (they decode with floorwatch.core.codec).
    contacts = app.topic(source_topic, key_serializer="raw", value_serializer="raw")
    contacts_per_agent = app.Table(TABLE, default=int, partitions=2)

    @app.agent(contacts, concurrency=1)
    async def count_contacts(stream):
        async for agent_id, _contact in stream.items():
            contacts_per_agent[agent_id.decode()] += 1

    return app


def run_worker() -> None:
    """Subprocess entry point: `python -c "...run_worker()" BROKER APP_ID TOPIC DATADIR`."""
    from faust import Worker

    broker, app_id, source_topic, datadir = sys.argv[1:5]
    app = create_app(broker, app_id, source_topic, datadir)
    Worker(app, loglevel="info").execute_from_commandline()


@pytest.fixture
def faust_worker(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    workers: list[subprocess.Popen[bytes]] = []

    def start(app_id: str, source_topic: str) -> Path:
        log_path = tmp_path / f"{app_id}.log"
        root = Path(__file__).parents[2]
        command = [
            sys.executable,
            "-c",
            f"import sys; sys.path[:0] = [{str(root)!r}]; import {__name__} as m; m.run_worker()",
            kafka_bootstrap,
            app_id,
            source_topic,
            str(tmp_path),
        ]
        with open(log_path, "wb") as log:
            workers.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path))
        return log_path

    yield start
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(timeout=_WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _latest_table_values(bootstrap: str, changelog_topic: str, admin: KafkaAdminClient) -> dict[str, int]:
    """Fold the changelog as Faust does on recovery: the newest value per key wins."""
    # Subscribing to a topic that does not exist yet auto-creates it with one partition
    # (kafka-python 3.0.12 ignores allow_auto_create_topics=False), and Faust then refuses
    # a changelog with fewer partitions than its source. So read only once Faust made it.
    if changelog_topic not in admin.list_topics():
        return {}
    consumer = KafkaConsumer(
        changelog_topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    try:
        latest: dict[str, int] = {}
        for record in consumer:
            latest[json.loads(record.key)] = json.loads(record.value)
        return latest
    finally:
        consumer.close()


def test_a_faust_agent_consumes_a_real_topic_and_writes_its_table_to_the_changelog(
    kafka_bootstrap: str,
    kafka_admin: KafkaAdminClient,
    topic_factory: Callable[..., str],
    unique_name: Callable[[str], str],
    faust_worker: Callable[[str, str], Path],
    pytestconfig: pytest.Config,
) -> None:
    source_topic = topic_factory("contact-events", partitions=2)
    app_id = unique_name("floorwatch-test-app")
    contacts = [
        ("agent-1", "c1"),
        ("agent-2", "c2"),
        ("agent-1", "c3"),
        ("agent-3", "c4"),
        ("agent-1", "c5"),
        ("agent-2", "c6"),
    ]
    expected = dict(Counter(agent for agent, _ in contacts))
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for agent_id, contact_id in contacts:
        producer.send(source_topic, key=agent_id.encode(), value=contact_id.encode())
    producer.flush(timeout=30)
    producer.close()

    log_path = faust_worker(app_id, source_topic)

    changelog = f"{app_id}-{TABLE}-changelog"
    try:
        wait_until(
            lambda: _latest_table_values(kafka_bootstrap, changelog, kafka_admin) == expected,
            90,
            f"the table changelog {changelog} never reached {expected}",
        )
    except AssertionError as failure:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
        raise AssertionError(f"{failure}\n--- faust worker log tail ---\n{tail}") from None
    record_summary(
        pytestconfig,
        "faust-streaming agent",
        f"consumed {len(contacts)} events from a real topic; table {TABLE!r} per its changelog: {expected}",
    )
