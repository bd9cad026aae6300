"""The worker's real tick in-process at 10,000 agents, for side-by-side runs across commits:
`python -m bench.tick_cost 0.25 [5]` prints one JSON line (first tick, idle tick, mean tick after a
tick's worth of input at the live rate, or at 5 times it, of which the page; CPU share of a core).
GC frozen after each tick, as the worker's collector pacing does. docs/performance.md says how to
run it on an older commit."""

from __future__ import annotations

import gc
import json
import sys

from bench.pipeline import as_messages, run_batches
from bench.ticking import RealTick
from bench.traffic import route, simulated

AGENTS, WARM_EVENTS, LIVE_RATE, ROUNDS = 10_000, 60_000, 138.0, 20


def main(period: float, rate_multiple: float = 1.0) -> dict:
    messages = as_messages(route(simulated(AGENTS, 8, WARM_EVENTS)), 6)
    per = max(1, round(LIVE_RATE * rate_multiple * period))
    timer = run_batches(messages[: -per * ROUNDS], 1000)
    real = RealTick(timer, 6, tick_seconds=period)
    first = real.tick()
    gc.freeze()
    idle = sorted(real.tick() for _ in range(ROUNDS))[ROUNDS // 2]
    after, page = [], []
    for n in range(ROUNDS):
        at = len(messages) - per * (ROUNDS - n)
        run_batches(messages[at : at + per], per, timer=timer)
        real.sync()
        after.append(real.tick())
        page.append(real.page_seconds)
        gc.freeze()
    mean = sum(after) / ROUNDS
    return {
        "tick_seconds": period,
        "rate_multiple": rate_multiple,
        "events_per_tick": per,
        "first_tick_cpu_seconds": first,
        "idle_tick_cpu_seconds": idle,
        "tick_after_input_cpu_seconds": mean,
        "page_after_input_cpu_seconds": sum(page) / ROUNDS,
        "cpu_share_of_one_core": mean / period,
    }


if __name__ == "__main__":
    arguments = [float(argument) for argument in sys.argv[1:3]]
    print(json.dumps(main(*arguments) if arguments else main(0.25)))
