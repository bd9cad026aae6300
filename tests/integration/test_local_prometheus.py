"""The real Prometheus (Debian's package) started by the project: it scrapes an endpoint and answers queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from prometheus_client import CollectorRegistry, Gauge, start_http_server

from floorwatch.deploy.processes import free_ports
from floorwatch.deploy.prometheus import LocalPrometheus
from tests.helpers import wait_until


@pytest.fixture
def metrics_endpoint() -> Iterator[tuple[str, Gauge]]:
    registry = CollectorRegistry()
    gauge = Gauge(
        "floorwatch_probe_ratio", "A value the test sets and reads back through Prometheus.", registry=registry
    )
    port = free_ports(1)[0]
    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    yield f"127.0.0.1:{port}", gauge
    server.shutdown()
    thread.join(timeout=5)


def test_local_prometheus_scrapes_an_endpoint_and_answers_queries_with_the_scraped_value(
    metrics_endpoint: tuple[str, Gauge],
    prometheus_factory: Callable[..., LocalPrometheus],
) -> None:
    target, gauge = metrics_endpoint
    gauge.set(0.37)
    prometheus = prometheus_factory([target])

    samples = wait_until(
        lambda: prometheus.query("floorwatch_probe_ratio"), 30, "Prometheus never scraped the probe gauge"
    )

    assert [float(sample["value"][1]) for sample in samples] == [0.37]
    assert samples[0]["metric"]["instance"] == target
    assert [t["health"] for t in prometheus.targets()] == ["up"]
