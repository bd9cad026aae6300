"""Dashboards and alerting as code: Grafana dashboards, Prometheus rules, the Grafana API client."""
