"""Local Kafka from Maven, the Prometheus runner, and the Prometheus/Alertmanager/Grafana configuration."""
