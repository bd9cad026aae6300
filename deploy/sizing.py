"""Sizing a deployment from the benchmark's figures: workers, partitions and memory for a floor.

Every input comes from one named benchmark result (`bench/results/results.json`, written by
`make bench`), read by key, so a new benchmark run updates the sizing:

    python -m floorwatch.deploy.sizing            # the table in docs/operations.md
    python -m floorwatch.deploy.sizing --results bench/results/results-quick.json

The Helm chart computes memory the same way (deploy/helm/floorwatch, `floorwatch.workerMemory`);
tests/unit/deploy/test_sizing.py holds the two and the docs to these figures.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path

from floorwatch.streams.settings import WorkerSettings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "results.json"
FLOOR_SIZES = (1_000, 10_000, 50_000)
TARGET_CORE_SHARE = 0.5  # steady load per worker core: the other half catches up after outages and rebalances
MIN_WORKERS = 2  # one can stop (drain, upgrade) while the other holds the floor
PARTITION_STEP = 6  # partitions in multiples of 6 divide evenly over 1, 2, 3 and 6 workers
SCRAPE_SECONDS = 15.0  # the chart's scrape interval; a scrape serves the page the tick rendered
TICK_SECONDS = float(WorkerSettings.model_fields["tick_seconds"].default)  # the worker's default tick
MIB = 1024 * 1024


@dataclass(frozen=True)
class BenchmarkFigures:
    """The figures sizing uses, each named by its key in the results file."""

    source: str
    commit: str
    events_per_cpu_second: float  # throughput.floorwatch_1_worker
    events_per_agent_hour: float  # traffic
    idle_worker_bytes: float  # memory.baseline_idle_worker_rss_bytes
    rss_bytes_per_agent: float  # memory.agents_1000 (mid-shift, the larger of the two floors measured)
    end_of_shift_growth: float  # state_end_of_shift / profile.tables state bytes per agent
    tick_cpu_seconds_per_agent: float  # profile.tick_at_latency_agents, tick stages (page render included) / agents
    render_cpu_seconds_per_agent: float  # the page's render within the tick / agents; a scrape itself serves bytes

    @property
    def idle_worker_mib(self) -> int:
        return math.ceil(self.idle_worker_bytes / MIB)

    @property
    def kib_per_agent(self) -> int:
        return math.ceil(self.rss_bytes_per_agent / 1024)

    @property
    def core_per_agent(self) -> float:
        """Steady CPU share of one core per agent: its events, its part of every tick and scrape."""
        events = self.events_per_agent_hour / 3600 / self.events_per_cpu_second
        return events + self.tick_cpu_seconds_per_agent / TICK_SECONDS


def load(path: Path = RESULTS) -> BenchmarkFigures:
    results = json.loads(path.read_text())
    tick = results["profile"]["tick_at_latency_agents"]
    stages = tick["tick_stage_seconds"]
    # The tick renders the changed part of the page (its stage is named "scrape: ..."); a scrape
    # then serves the cached bytes, so the render is part of the tick's cost, not a scrape's.
    render = sum(seconds for stage, seconds in stages.items() if stage.startswith("scrape:"))
    return BenchmarkFigures(
        source=str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        commit=results["code_at_start"]["commit"][:7],
        events_per_cpu_second=results["throughput"]["floorwatch_1_worker"]["events_per_cpu_second"],
        events_per_agent_hour=results["traffic"]["events_per_agent_hour"],
        idle_worker_bytes=results["memory"]["baseline_idle_worker_rss_bytes"],
        rss_bytes_per_agent=results["memory"]["agents_1000"]["rss_delta_bytes_per_agent"],
        end_of_shift_growth=results["state_end_of_shift"]["state_bytes_per_agent"]
        / results["profile"]["tables"]["state_bytes_per_agent"],
        tick_cpu_seconds_per_agent=sum(stages.values()) / tick["agents"],
        render_cpu_seconds_per_agent=render / tick["agents"],
    )


@dataclass(frozen=True)
class Plan:
    agents: int
    workers: int
    partitions: int
    agents_per_worker: int
    memory_request_mib: int
    memory_limit_mib: int
    core_share: float  # steady load of each worker's core
    catch_up_minutes_per_hour_down: float  # to apply an hour of backlog with the spare share


def agents_per_worker(figures: BenchmarkFigures) -> int:
    """The most agents one worker on one core serves at the target steady load."""
    return int(TARGET_CORE_SHARE / figures.core_per_agent) // 100 * 100


def held_agents(agents: int, partitions: int, workers: int) -> int:
    """Agents on the busiest worker: whole partitions each, every partition rounded up."""
    return math.ceil(partitions / workers) * math.ceil(agents / partitions)


def memory_mib(figures: BenchmarkFigures, agents: int, growth: float = 1.0) -> int:
    return figures.idle_worker_mib + math.ceil(agents * figures.kib_per_agent * growth / 1024)


def plan(figures: BenchmarkFigures, agents: int) -> Plan:
    capacity = agents_per_worker(figures)
    workers = max(MIN_WORKERS, math.ceil(agents / capacity))
    while True:
        # twice the workers, so the floor can double without touching the partition count
        partitions = math.ceil(2 * workers / PARTITION_STEP) * PARTITION_STEP
        held = held_agents(agents, partitions, workers)
        if held <= capacity:  # whole partitions can put more than the average on the busiest worker
            break
        workers += 1
    held_by_one_fewer = held_agents(agents, partitions, max(1, workers - 1))
    share = held * figures.core_per_agent
    spare_events_per_second = (1 - share) * figures.events_per_cpu_second
    backlog = held * figures.events_per_agent_hour
    return Plan(
        agents=agents,
        workers=workers,
        partitions=partitions,
        agents_per_worker=held,
        memory_request_mib=memory_mib(figures, held),
        # the limit holds one worker fewer (a drain or a rolling update) late in the shift
        memory_limit_mib=memory_mib(figures, held_by_one_fewer, growth_ratio(figures)),
        core_share=share,
        catch_up_minutes_per_hour_down=backlog / spare_events_per_second / 60,
    )


def growth_ratio(figures: BenchmarkFigures) -> float:
    """The chart's rounded end-of-shift growth (two decimals, up)."""
    return math.ceil(figures.end_of_shift_growth * 100) / 100


def markdown(figures: BenchmarkFigures, sizes: tuple[int, ...] = FLOOR_SIZES) -> str:
    rows = [
        "| agents | workers (1 core each) | partitions | agents per worker | memory request / limit per worker "
        "| steady load per core | catch-up after 1 h down |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in (plan(figures, agents) for agents in sizes):
        rows.append(
            f"| {p.agents:,} | {p.workers} | {p.partitions} | {p.agents_per_worker:,} | "
            f"{p.memory_request_mib:,} / {p.memory_limit_mib:,} MiB | {p.core_share:.0%} | "
            f"{p.catch_up_minutes_per_hour_down:.1f} min |"
        )
    return "\n".join(rows) + "\n"


def figures_table(figures: BenchmarkFigures) -> str:
    per_core = agents_per_worker(figures)
    rows = [
        "| figure | value | from |",
        "|---|---:|---|",
        f"| worker throughput | {figures.events_per_cpu_second:,.0f} events per CPU-second "
        "| `throughput.floorwatch_1_worker.events_per_cpu_second` |",
        f"| traffic per agent | {figures.events_per_agent_hour:.1f} events per hour "
        "| `traffic.events_per_agent_hour` |",
        f"| tick CPU per agent | {figures.tick_cpu_seconds_per_agent * 1e6:.0f} µs per tick "
        "| `profile.tick_at_latency_agents.tick_stage_seconds` (tick stages) / `agents` |",
        f"| of which the `/metrics` page render | {figures.render_cpu_seconds_per_agent * 1e6:.1f} µs per tick "
        "| the same, `scrape: render the changed part of /metrics`; a scrape serves the cached page |",
        f"| steady CPU per agent ({TICK_SECONDS:g} s tick) | {figures.core_per_agent * 1e6:.0f} µs per second | "
        "the three above |",
        f"| **agents per worker per core** at {TARGET_CORE_SHARE:.0%} load | **{per_core:,}** | the line above |",
        f"| idle worker | {figures.idle_worker_mib} MiB | `memory.baseline_idle_worker_rss_bytes` |",
        f"| **memory per agent** (mid-shift) | **{figures.kib_per_agent} KiB** "
        "| `memory.agents_1000.rss_delta_bytes_per_agent` |",
        f"| end-of-shift growth of stored state | x{growth_ratio(figures):.2f} "
        "| `state_end_of_shift.state_bytes_per_agent` / `profile.tables.state_bytes_per_agent` |",
    ]
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--results", type=Path, default=RESULTS, help="benchmark results (default: %(default)s)")
    args = parser.parse_args(argv)
    figures = load(args.results.resolve())
    print(f"From `{figures.source}` (commit {figures.commit}):\n")
    print(figures_table(figures))
    print(markdown(figures), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
