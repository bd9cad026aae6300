"""Section 6 (in-process half) and the profile: state bytes per agent, and where a batch's CPU goes."""

from __future__ import annotations

import gc
from collections.abc import Sequence

from bench.pipeline import StepTimer, as_messages, profile_by_function, run_batches
from bench.ticking import RealTick
from bench.traffic import Routed
from floorwatch.core import replay
from floorwatch.core.config import load_config
from floorwatch.streams.settings import WorkerSettings
from floorwatch.streams.state import StoredAgent, dump_agent


def table_bytes(timer: StepTimer) -> dict:
    """What the worker's tables hold per agent (the JSON bytes its changelogs carry too)."""
    agents = max(len(timer.agents), 1)
    return {
        "agents": len(timer.agents),
        "agent_table_bytes_per_agent": sum(map(len, timer.agents.values())) / agents,
        "team_member_table_bytes_per_agent": sum(map(len, timer.members.values())) / agents,
        "queue_table_bytes_total": sum(map(len, timer.queues.values())),
        "state_bytes_per_agent": (sum(map(len, timer.agents.values())) + sum(map(len, timer.members.values())))
        / agents,
    }


def end_of_shift_bytes(routed: Sequence[Routed]) -> dict:
    """State per agent once a whole 8-hour shift is folded (the most a track holds in a day)."""
    result = replay.fold(replay.decode_lines([r.value for r in routed]), load_config())
    tracks = list(result.agents.values())
    agent_bytes = [len(dump_agent(StoredAgent(t, (("floorwatch.agent-events", 0),), revision=1))) for t in tracks]
    member_bytes = agent_bytes  # the team-members table holds the same stored value (keyed by team and agent)
    return {
        "agents": len(tracks),
        "events": len(routed),
        "agent_table_bytes_per_agent": sum(agent_bytes) / len(tracks),
        "team_member_table_bytes_per_agent": sum(member_bytes) / len(tracks),
        "state_bytes_per_agent": (sum(agent_bytes) + sum(member_bytes)) / len(tracks),
        "largest_agent_bytes": max(agent_bytes),
    }


def step_profile(routed: Sequence[Routed], partitions: int, profile_events: int) -> dict:
    """The worker's batch and tick work in-process: CPU per stage, and cProfile's top functions."""
    messages = as_messages(routed, partitions)
    timer = run_batches(messages, 1000)
    batch_stages = dict(timer.seconds)
    timer.seconds.clear()
    timer.tick()  # first tick decodes every track into the cache
    timer.seconds.clear()
    timer.tick()  # a steady tick: cached tracks
    tick_stages = dict(timer.seconds)
    batch_cpu = sum(batch_stages.values())
    hot = profile_by_function(lambda: run_batches(messages[:profile_events], 1000))
    return {
        "events": len(messages),
        "batch_cpu_seconds": batch_cpu,
        "events_per_cpu_second": len(messages) / batch_cpu,
        "batch_stage_share": {k: v / batch_cpu for k, v in batch_stages.items()},
        "tick_stage_seconds": tick_stages,
        "tick_cpu_seconds": sum(tick_stages.values()),
        "scrape_bytes": timer.scrape_bytes,
        "tables": table_bytes(timer),
        "hot_functions": hot,
        "kafka_records_per_input_event": {
            k: v / len(messages) for k, v in timer.records.items() if k != "input events"
        },
    }


TICK_STAGE = "tick: view what changed, roll teams up, records"
PAGE_STAGE = "scrape: render the changed part of /metrics"  # deploy/sizing.py reads the "scrape:" stage


def tick_cost(routed: Sequence[Routed], partitions: int, live_rate: float, tick_seconds: float | None = None) -> dict:
    """The worker's own tick (`bench.ticking`: its Ticker, Faust stood in for) over every agent in
    `routed`: the first (everything new), one with nothing new, and the mean of ticks that each
    follow a tick's worth of input at `live_rate` (the worker's steady state). Event clock, as
    the live benchmark's worker; garbage collection paced as the worker paces it (frozen after
    each tick)."""
    tick_seconds = tick_seconds or float(WorkerSettings.model_fields["tick_seconds"].default)
    slice_events = max(1, round(live_rate * tick_seconds))
    rounds = 20
    messages = as_messages(routed, partitions)
    timer = run_batches(messages[: -slice_events * rounds], 1000)
    real = RealTick(timer, partitions, tick_seconds=tick_seconds)

    def timed_tick() -> dict:
        seconds = real.tick()
        gc.freeze()  # as the worker's collector pacing does after each tick
        return {
            "stage_seconds": {TICK_STAGE: seconds - real.page_seconds, PAGE_STAGE: real.page_seconds},
            "cpu_seconds": seconds,
        }

    first = timed_tick()
    unchanged = sorted((timed_tick() for _ in range(rounds)), key=lambda t: t["cpu_seconds"])
    after = []
    for n in range(rounds):
        at = len(messages) - slice_events * (rounds - n)
        run_batches(messages[at : at + slice_events], slice_events, timer=timer)
        real.sync()
        after.append(timed_tick())
    gc.unfreeze()
    stages = {stage: sum(t["stage_seconds"][stage] for t in after) / rounds for stage in (TICK_STAGE, PAGE_STAGE)}
    return {
        "agents": len(timer.agents),
        "tick_seconds": tick_seconds,
        "first_tick": first,
        "tick_with_nothing_new": unchanged[rounds // 2],  # the median
        "tick_after_live_input": {"cpu_seconds": sum(stages.values()), "input_events": slice_events, "ticks": rounds},
        "tick_stage_seconds": stages,  # means over the ticks after live input
        "tick_cpu_seconds": sum(stages.values()),
        "scrape_bytes": len(real.worker.page.body),
        "tables": table_bytes(timer),
    }
