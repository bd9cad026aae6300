"""The printed summary of a results document (the same figures docs/performance.md quotes)."""

from __future__ import annotations

SUBJECTS = (
    ("raw_aiokafka", "1. raw aiokafka + JSON decode"),
    ("bare_faust_events", "2. bare Faust agent (per event)"),
    ("bare_faust_batches", "2b. bare Faust agent (take_events batches)"),
    ("floorwatch_1_worker", "3. floorwatch worker, full pipeline"),
    ("floorwatch_2_workers", "7. floorwatch, two workers"),
    ("pure_core_replay", "4. pure core (replay decode + fold)"),
)


def _n(value, digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def table(results: dict) -> str:
    thr, lat, mem, goals = results["throughput"], results["latency"], results["memory"], results["goals"]
    lines = [
        f"Throughput: {thr['events']:,} simulator events, {thr['agents']:,} agents, {thr['partitions']} partitions",
        f"{'subject':46s} {'events/s':>10s} {'events/CPU-s':>13s}",
    ]
    for key, label in SUBJECTS:
        r = thr.get(key, {})
        if "error" in r:
            lines.append(f"{label:46s} FAILED: {r['error'][:80]}")
        else:
            stalled = f"  STALLED: {r['stalled']}" if r.get("stalled") else ""
            lines.append(
                f"{label:46s} {_n(r.get('events_per_second')):>10s} {_n(r.get('events_per_cpu_second')):>13s}{stalled}"
            )
    lines.append("ratios (wall / per CPU-second):")
    ratios = thr["ratios"]
    for pair in (
        "floorwatch_1_worker/bare_faust_events",
        "floorwatch_1_worker/raw_aiokafka",
        "floorwatch_1_worker/bare_faust_batches",
        "floorwatch_2_workers/floorwatch_1_worker",
    ):
        wall, cpu = ratios.get(f"{pair} (events_per_second)"), ratios.get(f"{pair} (events_per_cpu_second)")
        lines.append(f"  {pair:44s} {_n(wall, 3):>10s} {_n(cpu, 3):>13s}")
    lines.append("")
    lines.append(
        f"Latency, event produced -> figure on /metrics ({lat['agents']:,} agents, "
        f"tick {lat['tick_seconds'] or 'default'}, "
        f"scrape median {_n(lat.get('scrapes', {}).get('median_seconds'), 2, ' s')}, tick median "
        f"{_n(lat.get('tick_runtimes_seconds', {}).get('median'), 2, ' s')}, restart recovery "
        f"{_n(lat.get('restart_recovery_seconds'), 1, ' s')})"
    )
    for phase in lat.get("phases", []):
        lines.append(
            f"  {phase['rate_factor']:g}x = {phase['target_rate_per_second']:,.0f} events/s: "
            f"p50 {_n(phase['p50_seconds'], 2, ' s')}  p95 {_n(phase['p95_seconds'], 2, ' s')}  "
            f"p99 {_n(phase['p99_seconds'], 2, ' s')}  "
            f"[lower bounds p50 {_n(phase.get('p50_seconds_not_before'), 2, ' s')}, "
            f"p99 {_n(phase.get('p99_seconds_not_before'), 2, ' s')}]  (probes seen {phase['probes_seen']}, unseen "
            f"{phase['probes_never_seen']}, worker CPU {phase['worker_cpu_share_of_one_core']:.0%} of a core, "
            f"worker's input lag at end {_n(phase.get('input_lag_at_end'))}, "
            f"records produced per input event {_n(phase.get('records_per_input_event'), 2)})"
        )
    warm = lat.get("after_warm_up", {})
    if warm:
        lines.append(
            f"  /metrics after warm-up: median of {warm.get('scrapes_timed', 1)} scrapes "
            f"{_n(warm.get('scrape_seconds'), 3, ' s')} for {warm.get('scrape_bytes', 0) / 1e6:.1f} MB"
        )
    tick = results.get("profile", {}).get("tick_at_latency_agents")
    if tick:
        first, after = tick.get("first_tick", {}), tick.get("tick_after_live_input", {})
        lines.append(
            f"  in-process over {tick['agents']:,} agents: first tick {_n(first.get('cpu_seconds'), 2, ' s')} CPU; "
            f"a tick after {after.get('input_events', 0)} new events {_n(after.get('cpu_seconds'), 3, ' s')} CPU; "
            f"/metrics {tick['scrape_bytes'] / 1e6:.1f} MB"
        )
    lines.append("")
    lines.append("Memory per tracked agent")
    for key in ("agents_1000", "agents_10000"):
        m = mem.get(key)
        if m:
            tables = m.get("tables", {})
            lines.append(
                f"  {m['agents']:,} agents ({m['events_per_agent']:.0f} events each): RSS delta "
                f"{_n(m['rss_delta_bytes_per_agent'] / 1024, 1, ' KiB')}/agent, "
                f"{_n(m.get('series_per_agent'), 1)} series/agent"
                + (f", table state {_n(tables.get('state_bytes_per_agent'))} B/agent" if tables else "")
            )
    end = mem["end_of_shift_state"]
    lines.append(
        f"  end of an 8 h shift: table state {_n(end['state_bytes_per_agent'])} B/agent "
        f"(agent table {_n(end['agent_table_bytes_per_agent'])} "
        f"+ team-member copy {_n(end['team_member_table_bytes_per_agent'])})"
    )
    scale = results.get("scale")
    if scale:
        lines.append("")
        if "error" in scale:
            lines.append(f"Two workers at scale: FAILED: {scale['error'][:120]}")
        else:
            share = scale.get("cpu_share_of_one_core_from_second_start", {})
            stall = _n(scale.get("longest_stall_after_join_start_seconds"), 1, " s")
            lines.append(
                f"Two workers, {scale['agents']:,} agents ({scale['events']:,} events): second worker joined after "
                f"{_n(scale.get('join_seconds'), 1, ' s')} (longest stall {stall}); "
                f"then {_n(scale.get('events_per_second_both_after_join'))} events/s wall, CPU "
                f"{_n(share.get('first', 0) * 100)} % / {_n(share.get('second', 0) * 100)} % of a core; "
                f"all committed: {scale.get('all_committed')}"
            )
    lines.append("")
    lines.append("Goals (reported, not asserted)")
    for name, goal in goals.items():
        measured = goal.get("measured", goal.get("measured_mid_run", goal.get("measured_seconds")))
        lines.append(
            f"  [{'met' if goal['met'] else 'MISSED'}] {name}: goal {goal['goal']}, measured {_n(measured, 3)}"
        )
    return "\n".join(lines)
