"""The stress score between two knots: f(x) = a*exp(-x/tau) + b + k*x, and where it crosses a band.

Between events and knots (a level starting or stopping to ramp, a rest becoming long
enough) the score is decaying load `a` plus levels `b` ramping at `k` >= 0 points a second.
That is a convex function of time, so it has at most one turning point: split there, each
side is monotone, and each band threshold is crossed at most once per side. Crossings are
found by bisection (deterministic, no tolerance games), and the maximum over a step is at
one of its ends, so peaks compose exactly across any slicing of time.
"""

from __future__ import annotations

import math

_BISECTIONS = 60  # halves the bracket 60 times: below a microsecond for steps of days


def value(a: float, tau: float, b: float, k: float, x: float) -> float:
    return a * math.exp(-x / tau) + b + k * x


def turning_point(a: float, tau: float, k: float, duration: float) -> float | None:
    """Where f stops falling and starts rising, if strictly inside (0, duration)."""
    if a <= 0.0 or k <= 0.0 or a <= k * tau:
        return None
    x = tau * math.log(a / (k * tau))
    return x if 0.0 < x < duration else None


def crossings(
    a: float, tau: float, b: float, k: float, duration: float, thresholds: tuple[float, ...]
) -> list[tuple[float, float, bool]]:
    """(x, threshold, rising) for every threshold f crosses on [0, duration], in time order.

    Rising means f reaches the threshold (f(x) == h, at or above after); falling means f
    drops below it after x.
    """
    cuts = [0.0, duration]
    turn = turning_point(a, tau, k, duration)
    if turn is not None:
        cuts.insert(1, turn)
    found: list[tuple[float, float, bool]] = []
    for start, end in zip(cuts, cuts[1:]):
        f_start, f_end = value(a, tau, b, k, start), value(a, tau, b, k, end)
        rising = f_end > f_start
        hits = [h for h in thresholds if (f_start < h <= f_end if rising else f_end < h <= f_start)]
        for h in sorted(hits, reverse=not rising):
            found.append((_root(a, tau, b, k, start, end, h, rising), h, rising))
    return found


def _root(a: float, tau: float, b: float, k: float, low: float, high: float, h: float, rising: bool) -> float:
    """The x in [low, high] where monotone f meets h: the first instant at/above (rising) or below."""
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        above = value(a, tau, b, k, middle) >= h
        if above == rising:
            high = middle
        else:
            low = middle
    return high
