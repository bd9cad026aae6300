"""The whole benchmark run: every section on one broker, results as one JSON document."""
from __future__ import annotations

import asyncio
import os
import platform
import re
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

from floorwatch.topics import Topics

from bench import footprint, throughput
from bench.broker import create_input_topics, end_offsets, fresh_prefix, local_broker, committed_offsets
from bench.drain import wait_drained
from bench.latency import Scraper, paced_phase, send_probes_once, summarise
from bench.probes import ProbeLog, probe_ids
from bench.processes import REPO_ROOT, floorwatch_worker
from bench.traffic import SHIFT_SECONDS, produce_all, route, simulated

KB = 1024


@dataclass(frozen=True)
class Plan:
    throughput_agents: int = 1000
    throughput_events: int = 60_000
    shift_sample_agents: int = 200  # a whole 8-hour shift: events per agent-hour, end-of-shift state
    latency_agents: int = 10_000
    warm_events: int = 60_000  # schedules and logins of every agent, then the first contacts
    phase_seconds: float = 60.0
    rate_factors: tuple[float, ...] = (1.0, 5.0)
    probe_interval_seconds: float = 0.25
    tick_seconds: float = 0.2
    profile_events: int = 20_000
    partitions: int = 6
    seed: int = 7

    @classmethod
    def quick(cls) -> "Plan":
        return cls(throughput_events=20_000, shift_sample_agents=100, warm_events=25_000, phase_seconds=20.0,
                   profile_events=8_000)


def run(plan: Plan, bootstrap: str | None = None, log=print) -> dict:
    began = time.monotonic()
    results: dict = {"plan": asdict(plan), "machine": _machine(), "code_at_start": code_version()}
    log("shift sample: events per agent-hour and end-of-shift state ...")
    shift = route(simulated(plan.shift_sample_agents, plan.seed))
    per_agent_hour = len(shift) / plan.shift_sample_agents / (SHIFT_SECONDS / 3600)
    live_rate = plan.latency_agents * per_agent_hour / 3600
    results["traffic"] = {"events_per_agent_hour": per_agent_hour, "shift_sample_events": len(shift),
                          "live_rate_per_second_at_latency_agents": live_rate}
    results["state_end_of_shift"] = footprint.end_of_shift_bytes(shift)
    log(f"  {per_agent_hour:.1f} events per agent-hour -> {live_rate:.0f} events/s for {plan.latency_agents:,} agents")
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="floorwatch-bench-") as scratch, local_broker(bootstrap) as servers:
        run_dir = Path(scratch)
        results["throughput"], throughput_input = _throughput(plan, servers, run_dir, log)
        results["latency"], baseline_rss, warm = _latency(plan, servers, run_dir, live_rate, log)
    results["machine"]["load_average_at_start"] = load_at_start
    results["machine"]["load_average_at_end"] = os.getloadavg()
    log("profile: the worker's step functions in-process ...")
    results["profile"] = footprint.step_profile(throughput_input, plan.partitions, plan.profile_events)
    log(f"profile: one tick and one /metrics render over {plan.latency_agents:,} agents in-process ...")
    results["profile"]["tick_at_latency_agents"] = footprint.tick_cost(warm, plan.partitions)
    results["memory"] = _memory(results, baseline_rss)
    results["goals"] = goals(results)
    results["code_at_end"] = code_version()
    results["total_seconds"] = time.monotonic() - began
    return results


def code_version() -> dict:
    """The commit measured, and uncommitted changes under the measured code (others edit this tree live)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO_ROOT)
        return done.stdout.rstrip("\n") if done.returncode == 0 else ""  # porcelain lines start with a space

    dirty = git("status", "--porcelain", "--", "floorwatch", "streams", "services", "deploy").splitlines()
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": [line[3:] for line in dirty]}


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "faust_streaming": version("faust-streaming"), "aiokafka": version("aiokafka")}


def _throughput(plan: Plan, servers: str, run_dir: Path, log) -> tuple[dict, list]:
    prefix = fresh_prefix("throughput")
    topics = Topics.with_prefix(prefix)
    create_input_topics(servers, topics, plan.partitions)
    routed = route(simulated(plan.throughput_agents, plan.seed, plan.throughput_events))
    count, seconds = produce_all(servers, topics, routed)
    log(f"throughput input: {count:,} events of {plan.throughput_agents:,} agents on {plan.partitions} partitions "
        f"(produced in {seconds:.1f} s)")
    out: dict = {"events": count, "agents": plan.throughput_agents, "partitions": plan.partitions}
    steps = [
        ("raw_aiokafka", lambda: throughput.raw_aiokafka(servers, topics, count, plan.partitions)),
        ("bare_faust_events", lambda: throughput.bare(servers, prefix, topics, count, run_dir, "events")),
        ("bare_faust_batches", lambda: throughput.bare(servers, prefix, topics, count, run_dir, "batches")),
        ("floorwatch_1_worker", lambda: throughput.pipeline(servers, prefix, topics, count, run_dir, plan.partitions, 1)),
        ("floorwatch_2_workers", lambda: throughput.pipeline(servers, prefix, topics, count, run_dir, plan.partitions, 2)),
        ("pure_core_replay", lambda: throughput.pure_core(routed)),
    ]
    for name, step in steps:
        log(f"  {name} ...")
        try:
            out[name] = step()
        except Exception as problem:  # noqa: BLE001 - one failed subject must not lose the others' figures
            out[name] = {"error": f"{type(problem).__name__}: {problem}"[:2000]}
        log(f"    {_rate_line(out[name])}")
    out["_metrics_text_1_worker"] = (out.get("floorwatch_1_worker", {}).pop("metrics_text", None) or [None])[0]
    out.get("floorwatch_2_workers", {}).pop("metrics_text", None)
    out["ratios"] = _ratios(out)
    return out, routed


def _rate_line(result: dict) -> str:
    if "error" in result:
        return f"FAILED: {result['error'][:300]}"
    if result.get("stalled"):
        return f"STALLED ({result['stalled']}); before that {result['events_per_second']:,.0f} events/s"
    return (f"{result['events_per_second']:,.0f} events/s wall, {result['events_per_cpu_second']:,.0f} "
            f"events per CPU-second")


def _ratios(out: dict) -> dict:
    def ratio(a: str, b: str, key: str):
        x, y = out.get(a, {}), out.get(b, {})
        return x[key] / y[key] if key in x and key in y and y[key] else None

    return {f"{a}/{b} ({key})": ratio(a, b, key)
            for a, b in (("floorwatch_1_worker", "bare_faust_events"), ("floorwatch_1_worker", "raw_aiokafka"),
                         ("floorwatch_1_worker", "bare_faust_batches"), ("floorwatch_2_workers", "floorwatch_1_worker"))
            for key in ("events_per_second", "events_per_cpu_second")}


def _latency(plan: Plan, servers: str, run_dir: Path, live_rate: float, log) -> tuple[dict, int, list]:
    """Warm a worker (normal tick) with every agent, restart it with the small tick, then the paced phases.

    Warming with the small tick would take minutes: each tick views every agent, so with
    10,000 agents the worker would spend nearly all its time ticking. The restart also
    measures how long a worker takes to recover that state from its changelogs."""
    prefix = fresh_prefix("latency")
    topics = Topics.with_prefix(prefix)
    group = f"{prefix}-app"
    create_input_topics(servers, topics, plan.partitions)
    background = plan.warm_events + int(sum(plan.rate_factors) * live_rate * plan.phase_seconds * 1.2) + 1000
    events = iter(route(simulated(plan.latency_agents, plan.seed + 1, background)))
    warm = [next(events) for _ in range(plan.warm_events)]
    out: dict = {"agents": plan.latency_agents, "tick_seconds": plan.tick_seconds, "live_rate_per_second": live_rate}
    warmer = floorwatch_worker(servers, prefix, run_dir, partitions=plan.partitions, tick_seconds=WARM_TICK_SECONDS)
    warmer.start()
    try:
        warmer.wait_for("/health", 120)
        baseline_rss = warmer.proc().rss_bytes
        log(f"latency: warming up {plan.latency_agents:,} agents with {len(warm):,} events (tick {WARM_TICK_SECONDS:g} s) ...")
        started = time.monotonic()
        produce_all(servers, topics, warm)
        drained = wait_drained(servers, group, throughput.inputs_of(topics), len(warm), [warmer], started, 600)
        out["warm_up"] = {"events": len(warm), "agents": len({w.agent_id for w in warm if w.agent_id}),
                          "seconds": drained.total_seconds, "events_per_second": drained.events_per_second,
                          "stalled": drained.stalled}
        time.sleep(WARM_TICK_SECONDS + 2)  # a tick after the last event: every agent is in the snapshot
        out["after_warm_up"] = _scrape_footprint(warmer, baseline_rss)
        log(f"  warm: {drained.total_seconds:.0f} s; /metrics {out['after_warm_up']['scrape_bytes'] / 1e6:.1f} MB "
            f"in {out['after_warm_up']['scrape_seconds']:.2f} s")
    finally:
        warmer.stop()
    worker = floorwatch_worker(servers, prefix, run_dir, partitions=plan.partitions, tick_seconds=plan.tick_seconds)
    began = time.monotonic()
    worker.start()
    try:
        worker.wait_for("/health", 300)
        out["restart_recovery_seconds"] = time.monotonic() - began
        log(f"  restarted with tick {plan.tick_seconds:g} s: ready after {out['restart_recovery_seconds']:.1f} s (changelog recovery)")
        out["phases"], out["scrapes"] = _phases(plan, servers, topics, group, events, live_rate, worker, log)
        ends = end_offsets(servers, throughput.inputs_of(topics))
        committed = committed_offsets(servers, group)
        out["input_lag_after_phases"] = sum(max(0, end - committed.get(tp, 0)) for tp, end in ends.items())
        out["tick_runtimes_seconds"] = _tick_runtimes(worker.log_path.read_text(errors="replace"))
    finally:
        worker.stop()
    return out, baseline_rss, warm


WARM_TICK_SECONDS = 5.0
_OVERLAP = re.compile(r"tick is overlapping \(interval=[0-9.]+ runtime=([0-9.]+)\)")


def _tick_runtimes(log_text: str) -> dict:
    """Faust warns when a timer outlasts its interval; those runtimes are the ticks' own durations."""
    runtimes = sorted(float(m.group(1)) for m in _OVERLAP.finditer(log_text))
    if not runtimes:
        return {"overlapping_ticks": 0}
    return {"overlapping_ticks": len(runtimes), "median": runtimes[len(runtimes) // 2], "max": runtimes[-1]}


def _phases(plan: Plan, servers: str, topics: Topics, group: str, events, live_rate: float, worker, log) -> tuple[list, dict]:
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
            cpu_before, t0 = worker.proc().cpu_seconds, time.monotonic()
            sent = asyncio.run(paced_phase(servers, topics, events, rate, plan.phase_seconds, probes,
                                           plan.probe_interval_seconds, probe_log, scraper.locked()))
            t1 = time.monotonic()
            ends, committed = end_offsets(servers, throughput.inputs_of(topics)), committed_offsets(servers, group)
            lag = sum(max(0, end - committed.get(tp, 0)) for tp, end in ends.items())
            with scraper.locked():
                worker_lag = scraper.worker_lag
            windows.append((factor, rate, t0, t1, {**sent, "input_lag_at_end": worker_lag,
                                                   "uncommitted_input_at_end": lag, "settle_seconds": settle},
                            (worker.proc().cpu_seconds - cpu_before) / (t1 - t0)))
        _wait_probes_seen(probe_log, scraper, timeout_seconds=60)
    finally:
        scraper.stop()
    durations = sorted(scraper.durations)
    scrapes = {"count": len(durations), "errors": scraper.errors,
               "median_seconds": durations[len(durations) // 2] if durations else None,
               "max_seconds": durations[-1] if durations else None,
               "median_bytes": sorted(scraper.sizes)[len(scraper.sizes) // 2] if scraper.sizes else None}
    phases = []
    for factor, rate, t0, t1, sent, cpu_share in windows:
        summary = summarise(probe_log, t0, t1)
        phases.append({"rate_factor": factor, "target_rate_per_second": rate, **sent,
                       "worker_cpu_share_of_one_core": cpu_share, **summary})
        log(f"    {factor:g}x: p50 {_s(summary['p50_seconds'])} p95 {_s(summary['p95_seconds'])} "
            f"p99 {_s(summary['p99_seconds'])} ({summary['probes_seen']} probes, {summary['probes_never_seen']} unseen); "
            f"worker CPU {cpu_share:.0%} of a core")
    return phases, scrapes


def _s(value) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _settle(servers: str, topics: Topics, probes: list[str], probe_log: ProbeLog, scraper: Scraper) -> float:
    """One probe per partition, end to end, before any phase: the restarted worker is past recovery
    and its first ticks, so the phases measure a steady worker."""
    began = time.monotonic()
    asyncio.run(send_probes_once(servers, topics, probes, probe_log, scraper.locked()))
    _wait_probes_seen(probe_log, scraper, timeout_seconds=180)
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
    began = time.monotonic()
    text = worker.get("/metrics", timeout_seconds=60).text
    seconds = time.monotonic() - began
    series = _series_per_agent(text)
    return {"rss_bytes": worker.proc().rss_bytes, "rss_delta_bytes": worker.proc().rss_bytes - baseline_rss,
            "scrape_seconds": seconds, "scrape_bytes": len(text), **series}


def _series_per_agent(text: str | None) -> dict:
    if not text:
        return {}
    lines = [line for line in text.splitlines() if line.startswith("floorwatch_agent_")]
    agents = sum(1 for line in lines if line.startswith("floorwatch_agent_info{"))
    return {"agents_with_series": agents, "per_agent_series": len(lines),
            "series_per_agent": len(lines) / agents if agents else None, "series_total": sum(
                1 for line in text.splitlines() if line and not line.startswith("#"))}


def _memory(results: dict, baseline_rss: int) -> dict:
    thr, lat = results["throughput"], results["latency"]
    one = thr.get("floorwatch_1_worker", {})
    text = thr.pop("_metrics_text_1_worker", None)
    memory = {"baseline_idle_worker_rss_bytes": baseline_rss}
    if "rss_bytes" in one:
        agents = thr["agents"]
        memory["agents_1000"] = {"agents": agents, "events_per_agent": thr["events"] / agents,
                                 "rss_delta_bytes_per_agent": (one["rss_bytes"][0] - baseline_rss) / agents,
                                 **_series_per_agent(text), "tables": results["profile"]["tables"]}
    warm = lat.get("after_warm_up")
    if warm:
        agents = lat["warm_up"]["agents"]
        memory["agents_10000"] = {"agents": agents, "events_per_agent": lat["warm_up"]["events"] / agents,
                                  "rss_delta_bytes_per_agent": warm["rss_delta_bytes"] / agents,
                                  **{k: warm[k] for k in ("series_per_agent", "agents_with_series", "series_total") if k in warm}}
    memory["end_of_shift_state"] = results["state_end_of_shift"]
    return memory


def goals(results: dict) -> dict:
    thr, lat, mem = results["throughput"], results["latency"], results["memory"]
    ratio = thr["ratios"].get("floorwatch_1_worker/bare_faust_events (events_per_second)")
    one_x = next((p for p in lat.get("phases", []) if p["rate_factor"] == 1.0), {})
    state = mem.get("agents_1000", {}).get("tables", {}).get("state_bytes_per_agent")
    end_state = mem["end_of_shift_state"]["state_bytes_per_agent"]
    core = thr.get("pure_core_replay", {}).get("events_per_second")
    return {
        "pipeline_at_least_half_bare_faust": {"goal": ">= 0.5", "measured": ratio, "met": ratio is not None and ratio >= 0.5},
        "p99_event_to_metric_under_1s_at_10k_rate": {"goal": "< 1 s", "measured": one_x.get("p99_seconds"),
                                                     "met": one_x.get("p99_seconds") is not None and one_x["p99_seconds"] < 1.0},
        "state_under_4kb_per_agent": {"goal": "< 4096 bytes", "measured_mid_run": state, "measured_end_of_shift": end_state,
                                      "met": state is not None and max(state, end_state) < 4 * KB},
        "pure_core_over_100k_events_per_second": {"goal": "> 100000", "measured": core, "met": core is not None and core > 100_000},
    }
