"""Section 8: a 50,000-agent floor on two workers, and what a second worker's arrival costs.

One worker starts on the whole input; once it has committed a tenth of it a second worker
starts in the same consumer group. Reported: the time from the second worker's start until
both are healthy (partitions assigned, tables recovered, ticking) and the group's committed
input moves again, the longest stretch without committed progress after that start (the
rebalance stall), then the wall rate of both and each worker's CPU until all input is
committed. Both workers' /health is polled (cheap); /metrics is read once per worker at the
end (tens of MB at this size).
"""

from __future__ import annotations

import time
from pathlib import Path

import requests
from kafka import KafkaAdminClient

from bench.broker import create_input_topics, fresh_prefix
from bench.drain import committed_total
from bench.plan import Plan
from bench.processes import Subject, events_in, floorwatch_worker
from bench.throughput import inputs_of
from bench.traffic import produce_all, route, simulated
from floorwatch.topics import Topics

TIMEOUT_SECONDS = 600.0


def two_workers(plan: Plan, servers: str, run_dir: Path, log) -> dict:
    prefix = fresh_prefix("scale")
    topics = Topics.with_prefix(prefix)
    create_input_topics(servers, topics, plan.partitions)
    count, produced_in = produce_all(servers, topics, route(simulated(plan.scale_agents, plan.seed, plan.scale_events)))
    log(f"  {count:,} events of {plan.scale_agents:,} agents produced in {produced_in:.1f} s")
    group = f"{prefix}-app"
    first, second = (floorwatch_worker(servers, prefix, run_dir, partitions=plan.partitions) for _ in range(2))
    admin = KafkaAdminClient(bootstrap_servers=servers, client_id="floorwatch-bench-scale")
    out: dict = {"agents": plan.scale_agents, "events": count, "partitions": plan.partitions}
    try:
        started = time.monotonic()
        first.start()
        done = _wait(lambda: committed_total(admin, group, inputs_of(topics)) >= count // 10, [first], "a tenth")
        out["first_worker_tenth_seconds"] = done - started
        second_started = time.monotonic()
        cpu = {"first": first.proc().cpu_seconds, "second": 0.0}
        second.start()
        progress: list[tuple[float, int]] = []
        joined = None
        while True:
            _alive(first, second)
            now, committed = time.monotonic(), committed_total(admin, group, inputs_of(topics))
            progress.append((now, committed))
            if joined is None and _healthy(first) and _healthy(second) and _moved_since(progress, second_started):
                joined = now
                log(f"  second worker joined: both healthy, input moving, {joined - second_started:.1f} s after start")
            if committed >= count or now - second_started > TIMEOUT_SECONDS:
                break
            time.sleep(0.2)
        end = progress[-1][0]
        out["join_seconds"] = None if joined is None else joined - second_started
        out["longest_stall_after_join_start_seconds"] = _longest_flat(progress)
        out["all_committed"] = progress[-1][1] >= count
        base = next((c for t, c in progress if t >= (joined or end)), progress[-1][1])
        wall = end - (joined or end)
        out["events_per_second_both_after_join"] = (progress[-1][1] - base) / wall if wall > 0 else None
        out["seconds_after_join"] = wall
        cpu_after = {"first": first.proc().cpu_seconds - cpu["first"], "second": second.proc().cpu_seconds}
        out["cpu_seconds_from_second_start"] = cpu_after
        out["cpu_share_of_one_core_from_second_start"] = {k: v / (end - second_started) for k, v in cpu_after.items()}
        out["rss_bytes"] = {"first": first.proc().rss_bytes, "second": second.proc().rss_bytes}
        out["events_applied"] = {"first": events_in(first), "second": events_in(second)}
        log(
            f"  all committed: {out['all_committed']}; both workers "
            f"{out['events_per_second_both_after_join'] or 0:,.0f} events/s after the join; CPU share "
            f"{out['cpu_share_of_one_core_from_second_start']['first']:.0%} / "
            f"{out['cpu_share_of_one_core_from_second_start']['second']:.0%}"
        )
    finally:
        admin.close()
        first.stop()
        second.stop()
    return out


def _alive(*subjects: Subject) -> None:
    for s in subjects:
        if not s.alive():
            raise RuntimeError(f"a worker died:\n{s.log_tail()}")


def _healthy(subject: Subject) -> bool:
    try:
        return subject.get("/health", timeout_seconds=2).status_code == 200
    except requests.RequestException:
        return False


def _moved_since(progress: list[tuple[float, int]], since: float) -> bool:
    """Committed input grew between two polls after `since` (the group is processing again)."""
    after = [c for t, c in progress if t >= since]
    return len(after) >= 2 and after[-1] > after[-2]


def _longest_flat(progress: list[tuple[float, int]]) -> float:
    longest, flat_since = 0.0, progress[0][0]
    for (t0, c0), (t1, c1) in zip(progress, progress[1:], strict=False):
        if c1 > c0:
            flat_since = t1
        longest = max(longest, t1 - flat_since)
        del t0
    return longest


def _wait(done, subjects: list[Subject], what: str) -> float:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        _alive(*subjects)
        if done():
            return time.monotonic()
        time.sleep(0.2)
    raise RuntimeError(f"the first worker did not commit {what} of the input in {TIMEOUT_SECONDS:.0f} s")
