"""Where simulated events go: a JSONL file (what `floorwatch replay` reads) or Kafka."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import BinaryIO, Protocol

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from floorwatch.core.codec import encode
from floorwatch.core.events import partition_key
from floorwatch.kafka_preflight import check_access
from floorwatch.kafka_security import KafkaSecuritySettings
from floorwatch.topics import Topics


class Sink(Protocol):
    def send(self, event) -> None: ...

    def close(self) -> None: ...


def topic_for(event, topics: Topics) -> str:
    """The canonical routing (`Topics.for_event`): an agent's states and the contact events naming
    it share the agent topic, so one partition holds that agent's story in order; contacts before
    any agent is involved go to the contact topic; schedules to their compacted topic."""
    return topics.for_event(event)


class JsonlSink:
    """One canonical event per line; `-` writes to standard output."""

    def __init__(self, path: str | Path):
        self._owned = str(path) != "-"
        self._file: BinaryIO = open(path, "wb") if self._owned else sys.stdout.buffer  # noqa: SIM115 - closed in close()

    def send(self, event) -> None:
        self._file.write(encode(event))
        self._file.write(b"\n")

    def close(self) -> None:
        if self._owned:
            self._file.close()
        else:
            self._file.flush()


class KafkaSinkSettings(KafkaSecuritySettings):
    """Kafka connection for the simulator; FLOORWATCH_* variables (FLOORWATCH_KAFKA_* for TLS and SASL),
    overridden by CLI flags."""

    model_config = SettingsConfigDict(env_prefix="FLOORWATCH_", frozen=True, extra="ignore")

    bootstrap_servers: str = Field("127.0.0.1:19092", description="Kafka bootstrap servers, comma separated.")
    topic_prefix: str = Field("floorwatch", description="Prefix of every floorwatch topic.")
    linger_ms: int = Field(5, ge=0, description="How long the producer waits to fill a batch.")
    flush_timeout_seconds: float = Field(30.0, gt=0, description="Longest wait for the last events on close.")
    topics_wait_seconds: float = Field(60.0, ge=0, description="How long to wait for the input topics to exist.")


class TopicsMissing(RuntimeError):
    """The input topics are not there; the worker creates them with the right partition count."""


def wait_for_topics(settings: KafkaSinkSettings, names: list[str]) -> None:
    """Poll the broker's topic list until `names` exist, without ever creating one.

    A producer writing to a missing topic would have the broker auto-create it with the
    default partition count, which the stream worker then cannot change: so wait, then refuse.
    """
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers.split(","),
        client_id="floorwatch-simulator",
        **settings.kafka_python_options(),
    )
    try:
        deadline = time.monotonic() + settings.topics_wait_seconds
        while missing := sorted(set(names) - set(admin.list_topics())):
            if time.monotonic() >= deadline:
                raise TopicsMissing(
                    f"topics {', '.join(missing)} do not exist on {settings.bootstrap_servers} "
                    f"(waited {settings.topics_wait_seconds:g} s); start a floorwatch worker, "
                    "which creates them, or create them yourself"
                )
            time.sleep(0.5)
    finally:
        admin.close()


class KafkaSink:
    """A kafka-python producer keyed like the rest of floorwatch (agent id, or queue id before an agent)."""

    def __init__(self, settings: KafkaSinkSettings):
        from kafka import KafkaProducer  # imported here: the JSONL path never needs it

        self._settings = settings
        self._topics = Topics.with_prefix(settings.topic_prefix)
        check_access(settings.bootstrap_servers, settings)  # a refused password fails now, with its setting named
        wait_for_topics(settings, [self._topics.agent_events, self._topics.contact_events, self._topics.schedules])
        self._producer = KafkaProducer(
            bootstrap_servers=settings.bootstrap_servers.split(","),
            acks="all",
            enable_idempotence=True,  # retries never reorder an agent's events within its partition
            linger_ms=settings.linger_ms,
            client_id="floorwatch-simulator",
            **settings.kafka_python_options(),
        )
        self.sent = 0
        self.failures: list[str] = []

    @property
    def bootstrap_servers(self) -> str:
        return self._settings.bootstrap_servers

    @property
    def topics(self) -> Topics:
        return self._topics

    def send(self, event) -> None:
        future = self._producer.send(
            topic_for(event, self._topics), key=partition_key(event).encode(), value=encode(event)
        )
        future.add_errback(lambda error, event_id=event.event_id: self.failures.append(f"{event_id}: {error}"))
        self.sent += 1

    def close(self) -> None:
        self._producer.flush(timeout=self._settings.flush_timeout_seconds)
        self._producer.close(timeout=self._settings.flush_timeout_seconds)
