"""The whole benchmark run: every section on one broker, results as one JSON document."""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import time
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import footprint, late_shift, live, scale, throughput
from bench.broker import create_input_topics, fresh_prefix, local_broker
from bench.plan import Plan
from bench.processes import REPO_ROOT
from bench.traffic import SHIFT_SECONDS, produce_all, route, simulated
from floorwatch.topics import Topics

KB = 1024


def run(plan: Plan, bootstrap: str | None = None, log=print, latency_only: bool = False) -> dict:
    began = time.monotonic()
    results: dict = {"plan": asdict(plan), "machine": _machine(), "code_at_start": code_version()}
    log("shift sample: events per agent-hour and end-of-shift state ...")
    shift = route(simulated(plan.shift_sample_agents, plan.seed))
    per_agent_hour = len(shift) / plan.shift_sample_agents / (SHIFT_SECONDS / 3600)
    live_rate = plan.latency_agents * per_agent_hour / 3600
    results["traffic"] = {
        "events_per_agent_hour": per_agent_hour,
        "shift_sample_events": len(shift),
        "live_rate_per_second_at_latency_agents": live_rate,
    }
    results["state_end_of_shift"] = footprint.end_of_shift_bytes(shift)
    log(f"  {per_agent_hour:.1f} events per agent-hour -> {live_rate:.0f} events/s for {plan.latency_agents:,} agents")
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="floorwatch-bench-") as scratch, local_broker(bootstrap) as servers:
        run_dir = Path(scratch)
        if not latency_only:
            results["throughput"], throughput_input = _throughput(plan, servers, run_dir, log)
        results["latency"], baseline_rss, warm = live.latency(plan, servers, run_dir, live_rate, log)
        if plan.late_shift_hours > 0:
            results["latency_late_shift"] = _late_shift(plan, servers, run_dir, live_rate, log)
        if not latency_only:
            results["scale"] = _scale(plan, servers, run_dir, log)
    results["machine"]["load_average_at_start"] = load_at_start
    results["machine"]["load_average_at_end"] = os.getloadavg()
    if latency_only:
        results["code_at_end"] = code_version()
        results["total_seconds"] = time.monotonic() - began
        return results
    log("profile: the worker's step functions in-process ...")
    results["profile"] = footprint.step_profile(throughput_input, plan.partitions, plan.profile_events)
    log(f"profile: one tick and one /metrics render over {plan.latency_agents:,} agents in-process ...")
    results["profile"]["tick_at_latency_agents"] = footprint.tick_cost(warm, plan.partitions, live_rate)
    results["memory"] = _memory(results, baseline_rss)
    results["goals"] = goals(results)
    results["code_at_end"] = code_version()
    results["total_seconds"] = time.monotonic() - began
    return results


def _late_shift(plan: Plan, servers: str, run_dir: Path, live_rate: float, log) -> dict:
    try:
        return late_shift.late_latency(plan, servers, run_dir, live_rate, log, live.phases)
    except Exception as problem:  # reported, not fatal: the other sections stand on their own
        log(f"  failed: {type(problem).__name__}: {problem}")
        return {"error": f"{type(problem).__name__}: {problem}"[:2000]}


def _scale(plan: Plan, servers: str, run_dir: Path, log) -> dict:
    log(f"scale: {plan.scale_agents:,} agents, a second worker joining the first ...")
    try:
        return scale.two_workers(plan, servers, run_dir, log)
    except Exception as problem:  # reported, not fatal: the other sections stand on their own
        log(f"  failed: {type(problem).__name__}")
        return {"error": f"{type(problem).__name__}: {problem}"[:2000]}


def late_shift_only(plan: Plan, bootstrap: str | None, log=print) -> dict:
    shift = route(simulated(plan.shift_sample_agents, plan.seed))
    live_rate = plan.latency_agents * len(shift) / plan.shift_sample_agents / SHIFT_SECONDS
    with tempfile.TemporaryDirectory(prefix="floorwatch-bench-") as scratch, local_broker(bootstrap) as servers:
        out = _late_shift(plan, servers, Path(scratch), live_rate, log)
    return {"latency_late_shift": out, "code": code_version()}


# rows 2, 2b, 2c and 3
THROUGHPUT_ROWS = ("bare_faust_events", "bare_faust_batches", "bare_faust_batches_uvloop", "floorwatch_1_worker")


def throughput_only(plan: Plan, bootstrap: str | None, log=print) -> dict:
    """Rows 2, 2b and 3 alone: the pipeline against the bare Faust agent, side by side, in minutes."""
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="floorwatch-bench-") as scratch, local_broker(bootstrap) as servers:
        out, _ = _throughput(plan, servers, Path(scratch), log, only=THROUGHPUT_ROWS)
    out.pop("_metrics_text_1_worker", None)
    machine = {**_machine(), "load_average_at_start": load_at_start, "load_average_at_end": os.getloadavg()}
    return {"throughput": out, "machine": machine, "code": code_version()}


def scale_only(plan: Plan, bootstrap: str | None, log=print) -> dict:
    with tempfile.TemporaryDirectory(prefix="floorwatch-bench-") as scratch, local_broker(bootstrap) as servers:
        return {"scale": _scale(plan, servers, Path(scratch), log), "code": code_version()}


def code_version() -> dict:
    """The commit measured, and uncommitted changes under the measured code (others edit this tree live)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO_ROOT)
        return done.stdout.rstrip("\n") if done.returncode == 0 else ""  # porcelain lines start with a space

    dirty = git("status", "--porcelain", "--", "floorwatch", "streams", "services", "deploy").splitlines()
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": [line[3:] for line in dirty]}


def _machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "faust_streaming": version("faust-streaming"),
        "aiokafka": version("aiokafka"),
    }


def _throughput(plan: Plan, servers: str, run_dir: Path, log, only: tuple[str, ...] | None = None) -> tuple[dict, list]:
    prefix = fresh_prefix("throughput")
    topics = Topics.with_prefix(prefix)
    create_input_topics(servers, topics, plan.partitions)
    routed = route(simulated(plan.throughput_agents, plan.seed, plan.throughput_events))
    count, seconds = produce_all(servers, topics, routed)
    log(
        f"throughput input: {count:,} events of {plan.throughput_agents:,} agents on {plan.partitions} partitions "
        f"(produced in {seconds:.1f} s)"
    )
    out: dict = {"events": count, "agents": plan.throughput_agents, "partitions": plan.partitions}
    steps = [
        ("raw_aiokafka", lambda: throughput.raw_aiokafka(servers, topics, count, plan.partitions)),
        ("bare_faust_events", lambda: throughput.bare(servers, prefix, topics, count, run_dir, "events")),
        ("bare_faust_batches", lambda: throughput.bare(servers, prefix, topics, count, run_dir, "batches")),
        (  # the same on the loop the worker runs on: the framework's ceiling for it, like for like
            "bare_faust_batches_uvloop",
            lambda: throughput.bare(servers, prefix, topics, count, run_dir, "batches-uvloop"),
        ),
        (
            "floorwatch_1_worker",
            lambda: throughput.pipeline(servers, prefix, topics, count, run_dir, plan.partitions, 1),
        ),
        (
            "floorwatch_2_workers",
            lambda: throughput.pipeline(servers, prefix, topics, count, run_dir, plan.partitions, 2),
        ),
        ("pure_core_replay", lambda: throughput.pure_core(routed)),
    ]
    for name, step in steps:
        if only is not None and name not in only:
            continue
        log(f"  {name} ...")
        try:
            out[name] = step()
        except Exception as problem:
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
    return (
        f"{result['events_per_second']:,.0f} events/s wall, {result['events_per_cpu_second']:,.0f} "
        f"events per CPU-second"
    )


def _ratios(out: dict) -> dict:
    def ratio(a: str, b: str, key: str):
        x, y = out.get(a, {}), out.get(b, {})
        return x[key] / y[key] if key in x and key in y and y[key] else None

    return {
        f"{a}/{b} ({key})": ratio(a, b, key)
        for a, b in (
            ("floorwatch_1_worker", "bare_faust_events"),
            ("floorwatch_1_worker", "raw_aiokafka"),
            ("floorwatch_1_worker", "bare_faust_batches"),
            ("floorwatch_1_worker", "bare_faust_batches_uvloop"),
            ("floorwatch_2_workers", "floorwatch_1_worker"),
        )
        for key in ("events_per_second", "events_per_cpu_second")
    }


def _memory(results: dict, baseline_rss: int) -> dict:
    thr, lat = results["throughput"], results["latency"]
    one = thr.get("floorwatch_1_worker", {})
    text = thr.pop("_metrics_text_1_worker", None)
    memory: dict[str, Any] = {"baseline_idle_worker_rss_bytes": baseline_rss}
    if "rss_bytes" in one:
        agents = thr["agents"]
        memory["agents_1000"] = {
            "agents": agents,
            "events_per_agent": thr["events"] / agents,
            "rss_delta_bytes_per_agent": (one["rss_bytes"][0] - baseline_rss) / agents,
            **live.series_per_agent(text),
            "tables": results["profile"]["tables"],
        }
    warm = lat.get("after_warm_up")
    if warm:
        agents = lat["warm_up"]["agents"]
        memory["agents_10000"] = {
            "agents": agents,
            "events_per_agent": lat["warm_up"]["events"] / agents,
            "rss_delta_bytes_per_agent": warm["rss_delta_bytes"] / agents,
            **{k: warm[k] for k in ("series_per_agent", "agents_with_series", "series_total") if k in warm},
        }
    memory["end_of_shift_state"] = results["state_end_of_shift"]
    return memory


def goals(results: dict) -> dict:
    thr, lat, mem = results["throughput"], results["latency"], results["memory"]
    # The yardstick: a bare Faust agent that reads as floorwatch reads (take_events
    # batches), per CPU-second of the process measured; the wall rate moves with the machine.
    ratio = thr["ratios"].get("floorwatch_1_worker/bare_faust_batches (events_per_cpu_second)")
    one_x: dict[str, Any] = next((p for p in lat.get("phases", []) if p["rate_factor"] == 1.0), {})
    five_x: dict[str, Any] = next((p for p in lat.get("phases", []) if p["rate_factor"] == 5.0), {})
    scrape = lat.get("after_warm_up", {}).get("scrape_seconds")
    records = one_x.get("records_per_input_event")
    state = mem.get("agents_1000", {}).get("tables", {}).get("state_bytes_per_agent")
    end_state = mem["end_of_shift_state"]["state_bytes_per_agent"]
    return {
        "pipeline_at_least_half_bare_faust": {
            "goal": ">= 0.5 of the bare Faust agent reading take_events batches, per CPU-second",
            "measured": ratio,
            "met": ratio is not None and ratio >= 0.5,
        },
        "p99_event_to_metric_under_1s_at_10k_rate": {
            "goal": "< 1 s",
            "measured": one_x.get("p99_seconds"),
            "met": one_x.get("p99_seconds") is not None and one_x["p99_seconds"] < 1.0,
        },
        "p99_event_to_metric_under_2s_at_5x": {
            "goal": "< 2 s",
            "measured": five_x.get("p99_seconds"),
            "met": five_x.get("p99_seconds") is not None and five_x["p99_seconds"] < 2.0,
        },
        "metrics_scrape_median_under_50ms_at_10k_agents": {
            "goal": "< 0.05 s (median of 20)",
            "measured": scrape,
            "met": scrape is not None and scrape < 0.05,
        },
        "records_per_input_event_at_most_1_2_at_live_rate": {
            "goal": "<= 1.2",
            "measured": records,
            "met": records is not None and records <= 1.2,
        },
        "state_under_4kb_per_agent": {
            "goal": "< 4096 bytes",
            "measured_mid_run": state,
            "measured_end_of_shift": end_state,
            "met": state is not None and max(state, end_state) < 4 * KB,
        },
    }
