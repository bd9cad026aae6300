"""Real infrastructure for the integration tier: Kafka started once per session, Prometheus per test.

Fixtures:
- `kafka_bootstrap` (session): "host:port" of a real broker; started from the cached jars, or
  `FLOORWATCH_TEST_BOOTSTRAP` when set (then nothing is started).
- `local_kafka` (session): the LocalKafka behind `kafka_bootstrap`; skips when reusing a broker.
- `kafka_admin` (session): a kafka-python admin client on that broker.
- `topic_factory` (function): `topic_factory("prefix", partitions=1, replication_factor=1, configs=None)`
  creates a fresh topic (leaders elected) and returns its name.
- `input_topics` (function): fresh floorwatch input topics (agent events, contact events, schedules),
  three partitions each, as `floorwatch.topics.Topics`.
- `kafka_cluster` (module): a started three-node LocalKafka; a test that stops a node restarts it.
- `prometheus_factory` (function): `prometheus_factory(targets, rule_files=(), scrape_interval_seconds=1,
  security=ScrapeSecurity())`
  starts a real Prometheus scraping `targets` and returns the started LocalPrometheus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from kafka.admin import KafkaAdminClient

from floorwatch.deploy.jvm_archive import archive_path
from floorwatch.deploy.kafka_jars import ensure_kafka_jars, folder_size_bytes
from floorwatch.deploy.localkafka import LocalKafka, broker_ready
from floorwatch.deploy.prometheus import LocalPrometheus, ScrapeSecurity
from floorwatch.deploy.settings import DeploySettings
from floorwatch.topics import Topics
from tests.helpers import record_summary

TopicFactory = Callable[..., str]
PrometheusFactory = Callable[..., LocalPrometheus]
INPUT_PARTITIONS = 3


@pytest.fixture(scope="session")
def deploy_settings() -> DeploySettings:
    return DeploySettings()


@pytest.fixture(scope="session")
def kafka_jars(deploy_settings: DeploySettings, pytestconfig: pytest.Config) -> Path:
    jars = ensure_kafka_jars(deploy_settings.cache_root)
    archive = archive_path(jars, "java")
    archived = (
        f" + {archive.stat().st_size / 1e6:.0f} MB JVM class archive"
        if archive.is_file()
        else " (no JVM class archive yet)"
    )
    record_summary(pytestconfig, "kafka jar cache", f"{folder_size_bytes(jars) / 1e6:.0f} MB in {jars}{archived}")
    return jars


@pytest.fixture(scope="session")
def _session_kafka(
    request: pytest.FixtureRequest,
    deploy_settings: DeploySettings,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> Iterator[LocalKafka | None]:
    if deploy_settings.test_bootstrap:
        if not broker_ready(deploy_settings.test_bootstrap, 1):
            pytest.fail(f"FLOORWATCH_TEST_BOOTSTRAP={deploy_settings.test_bootstrap} does not answer Kafka requests")
        record_summary(
            pytestconfig, "kafka broker", f"reused {deploy_settings.test_bootstrap} (FLOORWATCH_TEST_BOOTSTRAP)"
        )
        yield None
        return
    # Only now the jars: a reused broker needs neither Java nor Maven on this machine.
    kafka = LocalKafka(tmp_path_factory.mktemp("kafka-single"), jars=request.getfixturevalue("kafka_jars"))
    seconds = kafka.start()
    record_summary(
        pytestconfig,
        "single broker start-up",
        f"{seconds:.1f} s (format + start + serving requests) at {kafka.bootstrap_servers}",
    )
    yield kafka
    kafka.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(_session_kafka: LocalKafka | None, deploy_settings: DeploySettings) -> str:
    return _session_kafka.bootstrap_servers if _session_kafka is not None else deploy_settings.test_bootstrap


@pytest.fixture(scope="session")
def local_kafka(_session_kafka: LocalKafka | None) -> LocalKafka:
    if _session_kafka is None:
        pytest.skip("needs the broker this session starts; FLOORWATCH_TEST_BOOTSTRAP points at another one")
    return _session_kafka


@pytest.fixture(scope="session")
def kafka_admin(kafka_bootstrap: str) -> Iterator[KafkaAdminClient]:
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="floorwatch-tests")
    yield admin
    admin.close()


@pytest.fixture
def topic_factory(kafka_admin: KafkaAdminClient, unique_name: Callable[[str], str]) -> TopicFactory:
    def create(
        prefix: str = "topic",
        *,
        partitions: int = 1,
        replication_factor: int = 1,
        configs: dict[str, str] | None = None,
    ) -> str:
        name = unique_name(prefix)
        spec = {"num_partitions": partitions, "replication_factor": replication_factor, "configs": configs or {}}
        kafka_admin.create_topics({name: spec}, wait_for_metadata=True)
        return name

    return create


@pytest.fixture
def input_topics(kafka_admin: KafkaAdminClient, unique_name: Callable[[str], str]) -> Topics:
    topics = Topics.with_prefix(unique_name("input"))
    spec = {"num_partitions": INPUT_PARTITIONS, "replication_factor": 1, "configs": {}}
    kafka_admin.create_topics(
        dict.fromkeys((topics.agent_events, topics.contact_events, topics.schedules), spec), wait_for_metadata=True
    )
    return topics


@pytest.fixture(scope="module")
def kafka_cluster(
    kafka_jars: Path, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[LocalKafka]:
    cluster = LocalKafka(tmp_path_factory.mktemp("kafka-cluster"), jars=kafka_jars, nodes=3)
    seconds = cluster.start()
    record_summary(pytestconfig, "three-broker cluster start-up", f"{seconds:.1f} s at {cluster.bootstrap_servers}")
    yield cluster
    cluster.stop()


@pytest.fixture
def prometheus_factory(tmp_path: Path, pytestconfig: pytest.Config) -> Iterator[PrometheusFactory]:
    started: list[LocalPrometheus] = []

    def start(
        targets: Sequence[str],
        *,
        rule_files: Sequence[Path] = (),
        scrape_interval_seconds: float = 1,
        security: ScrapeSecurity | None = None,
    ) -> LocalPrometheus:
        run_dir = tmp_path / f"prometheus-{len(started)}"
        prometheus = LocalPrometheus.scraping(
            targets,
            run_dir,
            rule_files=rule_files,
            scrape_interval_seconds=scrape_interval_seconds,
            security=security or ScrapeSecurity(),
        )
        started.append(prometheus)
        seconds = prometheus.start()
        record_summary(pytestconfig, "prometheus start-up", f"{seconds:.1f} s")
        return prometheus

    yield start
    for prometheus in started:
        prometheus.stop()
