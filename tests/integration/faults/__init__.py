"""The fault suite: one scenario per module, each a real fault on real workers and a real
broker, checked by an offset audit and against `floorwatch replay` (docs/reliability.md).

`python -m tests.integration.faults --repeat N` runs it N times and writes bench/results/faults.json."""
