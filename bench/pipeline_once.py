"""Row 3 alone: one floorwatch worker draining simulator input of 1,000 agents, for side-by-side
runs of two trees: `python -m bench.pipeline_once [EVENTS] [RUNS]` prints one JSON list (events
per second and per CPU-second, the clock tick's share of the worker's py-spy samples)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from bench import throughput
from bench.broker import create_input_topics, fresh_prefix, local_broker
from bench.traffic import produce_all, route, simulated
from floorwatch.topics import Topics

TICK = "clock tick: view every agent, roll teams up"


def main(events: int, runs: int) -> list[dict]:
    rows = []
    with local_broker() as servers, tempfile.TemporaryDirectory() as scratch:
        for _ in range(runs):
            prefix = fresh_prefix("pipeline-once")
            topics = Topics.with_prefix(prefix)
            create_input_topics(servers, topics, 6)
            count, _ = produce_all(servers, topics, route(simulated(1000, 7, events)))
            result = throughput.pipeline(servers, prefix, topics, count, Path(scratch), 6, 1)
            profile = result.get("live_profile")
            shares = profile.get("inclusive_share", {}) if isinstance(profile, dict) else {}
            row = {key: result.get(key) for key in ("events_per_second", "events_per_cpu_second", "stalled")}
            rows.append({**row, "tick_share_of_samples": shares.get(TICK)})
    return rows


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:3]]
    print(json.dumps(main(*arguments) if arguments else main(60_000, 1)))
