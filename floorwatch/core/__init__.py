"""The metric core: plain, typed Python with no Kafka, Faust or Prometheus in it."""
