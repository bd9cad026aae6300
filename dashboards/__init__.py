"""Dashboards and alerting as code: Grafana dashboards (grafana-foundation-sdk), Prometheus
recording and alert rules, and the Grafana HTTP API client behind `floorwatch dashboards`."""
