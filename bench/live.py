"""Sections 5 and 6 on a live worker: warm a 10,000-agent floor, restart it (recovery time),
then paced traffic with probe agents (latency, records produced per input event), and the
worker's footprint (memory, scrape time and size). The worker runs with default settings
unless the plan names a tick."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from kafka import KafkaConsumer

from bench import spy, throughput
from bench.broker import committed_offsets, create_input_topics, end_offsets, fresh_prefix
from bench.drain import wait_drained
from bench.latency import Scraper, paced_phase, send_probes_once, summarise
from bench.plan import Plan
from bench.probes import ProbeLog, probe_ids
from bench.processes import floorwatch_worker
from bench.traffic import produce_all, route, simulated
from floorwatch.topics import Topics


def latency(plan: Plan, servers: str, run_dir: Path, live_rate: float, log) -> tuple[dict, int, list]:
    """Warm a worker with every agent, restart it, then the paced phases. The restart measures
    how long a worker takes to read that state back (the packed state log)."""
    prefix = fresh_prefix("latency")
    topics = Topics.with_prefix(prefix)
    group = f"{prefix}-app"
    create_input_topics(servers, topics, plan.partitions)
    background = plan.warm_events + int(sum(plan.rate_factors) * live_rate * plan.phase_seconds * 1.2) + 1000
    events = iter(route(simulated(plan.latency_agents, plan.seed + 1, background)))
    warm = [next(events) for _ in range(plan.warm_events)]
    out: dict = {"agents": plan.latency_agents, "tick_seconds": plan.tick_seconds, "live_rate_per_second": live_rate}
    warmer = floorwatch_worker(servers, prefix, run_dir, partitions=plan.partitions, tick_seconds=plan.tick_seconds)
    warmer.start()
    try:
        warmer.wait_for("/health", 120)
        baseline_rss = warmer.proc().rss_bytes
        log(
            f"latency: warming up {plan.latency_agents:,} agents with {len(warm):,} events "
            f"(tick {plan.tick_seconds or 'default'}) ..."
        )
        started = time.monotonic()
        produce_all(servers, topics, warm)
        drained = wait_drained(servers, group, throughput.inputs_of(topics), len(warm), [warmer], started, 600)
        out["warm_up"] = {
            "events": len(warm),
            "agents": len({w.agent_id for w in warm if w.agent_id}),
            "seconds": drained.total_seconds,
            "events_per_second": drained.events_per_second,
            "stalled": drained.stalled,
        }
        time.sleep(SNAPSHOT_WAIT_SECONDS)  # a tick after the last event: every agent is in the snapshot
        out["after_warm_up"] = _scrape_footprint(warmer, baseline_rss)
        log(
            f"  warm: {drained.total_seconds:.0f} s; /metrics {out['after_warm_up']['scrape_bytes'] / 1e6:.1f} MB "
            f"in {out['after_warm_up']['scrape_seconds']:.2f} s"
        )
    finally:
        warmer.stop()
    worker = floorwatch_worker(servers, prefix, run_dir, partitions=plan.partitions, tick_seconds=plan.tick_seconds)
    began = time.monotonic()
    worker.start()
    try:
        worker.wait_for("/health", 300)
        out["restart_recovery_seconds"] = time.monotonic() - began
        # Team figures come back once every agent partition's owner has sent its agents again
        # (the team table is not stored): the phases start after that, as they did when teams
        # were recovered before /health said ok.
        teams = out["after_warm_up"].get("teams_with_series", 0)
        out["restart_teams_seconds"] = _wait_teams(worker, teams, began, 120)
        log(
            f"  restarted (tick {plan.tick_seconds or 'default'}): "
            f"ready after {out['restart_recovery_seconds']:.1f} s (state log read), "
            f"all {teams} teams on /metrics after {out['restart_teams_seconds']:.1f} s"
        )
        out["phases"], out["scrapes"] = phases(plan, servers, topics, group, events, live_rate, worker, log, run_dir)
        out["after_phases"] = _scrape_footprint(worker, baseline_rss)
        ends = end_offsets(servers, throughput.inputs_of(topics))
        committed = committed_offsets(servers, group)
        out["input_lag_after_phases"] = sum(max(0, end - committed.get(tp, 0)) for tp, end in ends.items())
        out["tick_runtimes_seconds"] = _tick_runtimes(worker.log_path.read_text(errors="replace"))
    finally:
        worker.stop()
    return out, baseline_rss, warm


SNAPSHOT_WAIT_SECONDS = 7.0  # longer than a default tick plus the wall-clock drift refresh of a busy tick
SCRAPES_TIMED = 20
_OVERLAP = re.compile(r"tick is overlapping \(interval=[0-9.]+ runtime=([0-9.]+)\)")


def _tick_runtimes(log_text: str) -> dict:
    """Faust warns when a timer outlasts its interval; those runtimes are the ticks' own durations."""
    runtimes = sorted(float(m.group(1)) for m in _OVERLAP.finditer(log_text))
    if not runtimes:
        return {"overlapping_ticks": 0}
    return {"overlapping_ticks": len(runtimes), "median": runtimes[len(runtimes) // 2], "max": runtimes[-1]}


def phases(
    plan: Plan,
    servers: str,
    topics: Topics,
    group: str,
    events,
    live_rate: float,
    worker,
    log,
    run_dir: Path,
    label: str = "latency",
) -> tuple[list, dict]:
    """Settle, then each rate phase with probes; percentiles per phase and the scrapes seen."""
    probes = probe_ids(plan.partitions)
    probe_log = ProbeLog()
    scraper = Scraper(f"http://127.0.0.1:{worker.port}/metrics", probe_log)
    scraper.start()
    windows = []
    try:
        settle = _settle(servers, topics, probes, probe_log, scraper)
        log(f"  settled: a probe on every partition visible after {settle:.1f} s")
        for factor in plan.rate_factors:
            rate = live_rate * factor
            log(f"  phase {factor:g}x: {rate:.0f} events/s for {plan.phase_seconds:.0f} s ...")
            produced_before = _produced(servers, group)
            folded = run_dir / f"{label}-{factor:g}x.folded"  # py-spy samples of the worker in this phase
            recorder = spy.start(worker.pid, folded)
            cpu_before, t0 = worker.proc().cpu_seconds, time.monotonic()
            sent = asyncio.run(
                paced_phase(
                    servers,
                    topics,
                    events,
                    rate,
                    plan.phase_seconds,
                    probes,
                    plan.probe_interval_seconds,
                    probe_log,
                    scraper.locked(),
                )
            )
            t1 = time.monotonic()
            profile = spy.stop(recorder, folded)
            ends, committed = end_offsets(servers, throughput.inputs_of(topics)), committed_offsets(servers, group)
            lag = sum(max(0, end - committed.get(tp, 0)) for tp, end in ends.items())
            records = _records_per_input_event(produced_before, _produced(servers, group), topics)
            with scraper.locked():
                worker_lag = scraper.worker_lag
            windows.append(
                (
                    factor,
                    rate,
                    t0,
                    t1,
                    {
                        **sent,
                        "input_lag_at_end": worker_lag,
                        "uncommitted_input_at_end": lag,
                        "settle_seconds": settle,
                        "worker_profile": profile,
                        **records,
                    },
                    (worker.proc().cpu_seconds - cpu_before) / (t1 - t0),
                )
            )
        _wait_probes_seen(probe_log, scraper, timeout_seconds=60)
    finally:
        scraper.stop()
    durations = sorted(scraper.durations)
    scrapes = {
        "count": len(durations),
        "errors": scraper.errors,
        "median_seconds": durations[len(durations) // 2] if durations else None,
        "max_seconds": durations[-1] if durations else None,
        "median_bytes": sorted(scraper.sizes)[len(scraper.sizes) // 2] if scraper.sizes else None,
    }
    phases = []
    for factor, rate, t0, t1, sent, cpu_share in windows:
        summary = summarise(probe_log, t0, t1)
        phases.append(
            {
                "rate_factor": factor,
                "target_rate_per_second": rate,
                **sent,
                "worker_cpu_share_of_one_core": cpu_share,
                **summary,
            }
        )
        log(
            f"    {factor:g}x: p50 {_s(summary['p50_seconds'])} p95 {_s(summary['p95_seconds'])} "
            f"p99 {_s(summary['p99_seconds'])} "
            f"({summary['probes_seen']} probes, {summary['probes_never_seen']} unseen); "
            f"worker CPU {cpu_share:.0%} of a core"
        )
    return phases, scrapes


def _s(value) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _settle(servers: str, topics: Topics, probes: list[str], probe_log: ProbeLog, scraper: Scraper) -> float:
    """One probe per partition, end to end, before any phase, and no input waiting on any topic the
    worker reads (its repartitions too: a restart reads again what it applied since its last
    stored positions): the restarted worker is past recovery and its catch-up, so the phases
    measure a steady worker."""
    began = time.monotonic()
    asyncio.run(send_probes_once(servers, topics, probes, probe_log, scraper.locked()))
    _wait_probes_seen(probe_log, scraper, timeout_seconds=180)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with scraper.locked():
            if scraper.worker_lag == 0:
                break
        time.sleep(0.2)
    return time.monotonic() - began


def _wait_teams(worker, teams: int, began: float, timeout_seconds: float) -> float:
    """Seconds from `began` until /metrics shows `teams` teams again (or the deadline)."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if series_per_agent(worker.get("/metrics", timeout_seconds=60).text).get("teams_with_series", 0) >= teams:
            break
        time.sleep(0.2)
    return time.monotonic() - began


def _wait_probes_seen(probe_log: ProbeLog, scraper: Scraper, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        with scraper.locked():
            total = sum(len(t) for t in probe_log.produced.values())
            if len(probe_log.visible) >= total:
                return
        time.sleep(0.2)


def _scrape_footprint(worker, baseline_rss: int) -> dict:
    """Memory, and SCRAPES_TIMED scrapes one after another (the median is the headline)."""
    times, text = [], ""
    for _ in range(SCRAPES_TIMED):
        began = time.monotonic()
        text = worker.get("/metrics", timeout_seconds=60).text
        times.append(time.monotonic() - began)
    times.sort()
    series = series_per_agent(text)
    return {
        "rss_bytes": worker.proc().rss_bytes,
        "rss_delta_bytes": worker.proc().rss_bytes - baseline_rss,
        "scrape_seconds": times[len(times) // 2],
        "scrape_seconds_max": times[-1],
        "scrapes_timed": len(times),
        "scrape_bytes": len(text),
        **series,
    }


def _produced(servers: str, group: str) -> dict[str, int]:
    """End offsets summed per topic: the inputs, and every topic the worker writes (outputs,
    repartitions, the state log, the positions changelog); no transactions, so offsets count records."""
    consumer = KafkaConsumer(bootstrap_servers=servers, client_id="floorwatch-bench-topics")
    try:
        prefix = group.removesuffix("-app")  # the run's prefix: inputs, outputs and internal topics
        names = sorted(t for t in consumer.topics() if t.startswith(prefix))
    finally:
        consumer.close()
    totals: dict[str, int] = {}
    for (topic, _), end in end_offsets(servers, names).items():
        totals[topic] = totals.get(topic, 0) + end
    return totals


def _records_per_input_event(before: dict[str, int], after: dict[str, int], topics: Topics) -> dict:
    grown = {topic: after[topic] - before.get(topic, 0) for topic in after}
    inputs = sum(grown.pop(name, 0) for name in (topics.agent_events, topics.contact_events, topics.schedules))
    produced = sum(grown.values())
    return {
        "input_events": inputs,
        "records_produced": produced,
        "records_per_input_event": produced / inputs if inputs else None,
        "records_per_input_event_by_topic": {t: n / inputs for t, n in sorted(grown.items()) if n and inputs},
    }


def lines_of_teams(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("floorwatch_team_agents_staffed{")]


def series_per_agent(text: str | None) -> dict:
    if not text:
        return {}
    lines = [line for line in text.splitlines() if line.startswith("floorwatch_agent_")]
    agents = sum(1 for line in lines if line.startswith("floorwatch_agent_info{"))
    return {
        "agents_with_series": agents,
        "per_agent_series": len(lines),
        "series_per_agent": len(lines) / agents if agents else None,
        "series_total": sum(1 for line in text.splitlines() if line and not line.startswith("#")),
        "teams_with_series": len(lines_of_teams(text)),
    }
