"""Where translated events go: a JSONL stream (a file or stdout) or Kafka.

On Kafka each event goes to its topic from `floorwatch.topics.Topics`, keyed by
`partition_key` (the agent, or the queue before an agent is involved), so one
agent's events stay in order on one partition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from floorwatch.core.codec import encode
from floorwatch.core.events import Event, partition_key
from floorwatch.topics import Topics

if TYPE_CHECKING:
    from kafka import KafkaProducer

    from floorwatch.kafka_security import KafkaSecuritySettings


def topic_for(event: Event, topics: Topics) -> str:
    return topics.for_event(event)


class JsonlSink:
    """One canonical event per line, exactly the bytes `floorwatch.core.codec.encode` gives."""

    def __init__(self, stream: TextIO, owns_stream: bool = False):
        self._stream = stream
        self._owns_stream = owns_stream

    def send(self, event: Event) -> None:
        self._stream.write(encode(event).decode() + "\n")

    def close(self) -> None:
        self._stream.flush()
        if self._owns_stream:
            self._stream.close()


class KafkaSink:
    """Sends with acks from all in-sync replicas; `close` flushes, so a run ends only once Kafka has it all."""

    def __init__(self, producer: KafkaProducer, topics: Topics):
        self._producer = producer
        self._topics = topics

    @classmethod
    def connect(cls, bootstrap_servers: str, topics: Topics, security: KafkaSecuritySettings) -> KafkaSink:
        from kafka import KafkaProducer  # imported here: the jsonl path must not need a broker library loaded

        from floorwatch.kafka_preflight import check_access

        check_access(bootstrap_servers, security)  # a refused password fails now, with its setting named
        producer = KafkaProducer(
            bootstrap_servers=bootstrap_servers.split(","),
            acks="all",
            linger_ms=20,
            key_serializer=str.encode,
            **security.kafka_python_options(),
        )
        return cls(producer, topics)

    def send(self, event: Event) -> None:
        self._producer.send(topic_for(event, self._topics), key=partition_key(event), value=encode(event))

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()
