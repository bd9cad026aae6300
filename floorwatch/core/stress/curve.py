"""The load between two knots, and where it crosses a band.

Between events and knots (a rule's work limit reached, the shift's allowed length reached) the
load is, while working, `A*exp(-x/tauA) + E*exp(-x/tauE) + b + k*x` with k >= 0: a convex
function of time with at most one turning point; at rest every term falls, so it is
non-increasing. Split at the turning point, each side is monotone, and each band threshold is
crossed at most once per side. Crossings are found by bisection (deterministic, no tolerance
games), and the maximum over a step is at one of its ends, so peaks compose exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable

_BISECTIONS = 60  # halves the bracket 60 times: below a microsecond for steps of days


def turning_point(a: float, tau_a: float, e: float, tau_e: float, k: float, duration: float) -> float | None:
    """Where a working step's load stops falling and starts rising, if strictly inside (0, duration)."""
    if k <= 0.0 or a + e <= 0.0:
        return None

    def slope(x: float) -> float:
        return k - a / tau_a * math.exp(-x / tau_a) - e / tau_e * math.exp(-x / tau_e)

    low, high = 0.0, duration
    if slope(low) >= 0.0 or slope(high) <= 0.0:
        return None
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if slope(middle) < 0.0:
            low = middle
        else:
            high = middle
    return high


def crossings(
    f: Callable[[float], float], duration: float, turn: float | None, thresholds: tuple[float, ...]
) -> list[tuple[float, float, bool]]:
    """(x, threshold, rising) for every threshold f crosses on [0, duration], in time order;
    `f` is monotone on each side of `turn`. Rising means f reaches the threshold (f(x) == h, at
    or above after); falling means f drops below it after x."""
    cuts = [0.0, duration] if turn is None else [0.0, turn, duration]
    found: list[tuple[float, float, bool]] = []
    for start, end in zip(cuts, cuts[1:]):
        f_start, f_end = f(start), f(end)
        rising = f_end > f_start
        hits = [h for h in thresholds if (f_start < h <= f_end if rising else f_end < h <= f_start)]
        for h in sorted(hits, reverse=not rising):
            found.append((_root(f, start, end, h, rising), h, rising))
    return found


def _root(f: Callable[[float], float], low: float, high: float, h: float, rising: bool) -> float:
    """The x in [low, high] where monotone f meets h: the first instant at/above (rising) or below."""
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if (f(middle) >= h) == rising:
            high = middle
        else:
            low = middle
    return high
