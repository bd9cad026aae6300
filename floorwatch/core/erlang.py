"""Erlang B, Erlang C and Erlang A (M/M/N+M) queueing formulas (docs/staffing.md).

All rates are per second and all times in seconds. Erlang B is computed with its recursion
B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)), which never forms A^N or N! and so neither overflows
nor loses precision for hundreds of agents; Erlang C follows from it. Erlang A is solved
exactly from its birth-death chain (truncated where the tail is negligible) and the service
level from the tagged caller's own chain, by uniformization.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

TAIL = 1e-12  # states of the Erlang A chain are added until a new one weighs less than this share
RESCALE_ABOVE = 1e200  # unnormalised weights are scaled down past this, so heavy loads never overflow


def erlang_b(agents: int, load_erlangs: float) -> float:
    """Blocking probability of N agents and no queue (Erlang's loss formula)."""
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load_erlangs * blocking / (n + load_erlangs * blocking)
    return blocking


def erlang_c(agents: int, load_erlangs: float) -> float:
    """Probability that a caller waits (all N agents busy); 1.0 when the queue is unstable (N <= A)."""
    if agents <= load_erlangs:
        return 1.0
    blocking = erlang_b(agents, load_erlangs)
    return agents * blocking / (agents - load_erlangs * (1.0 - blocking))


def service_level_c(agents: int, load_erlangs: float, handle_seconds: float, threshold_seconds: float) -> float:
    """Share of callers answered within the threshold, Erlang C: 1 - C exp(-(N - A) T / AHT)."""
    if agents <= load_erlangs:
        return 0.0
    waits = erlang_c(agents, load_erlangs)
    return 1.0 - waits * math.exp(-(agents - load_erlangs) * threshold_seconds / handle_seconds)


def average_wait_c(agents: int, load_erlangs: float, handle_seconds: float) -> float:
    """Average speed of answer over all callers, Erlang C: C AHT / (N - A)."""
    if agents <= load_erlangs:
        return math.inf
    return erlang_c(agents, load_erlangs) * handle_seconds / (agents - load_erlangs)


@dataclass(frozen=True, slots=True)
class ErlangA:
    """The stationary figures of an M/M/N+M queue (Palm's queue with exponential patience)."""

    waits_ratio: float  # an arriving caller finds every agent busy
    abandons_ratio: float  # an arriving caller hangs up before an answer
    service_level_ratio: float  # an arriving caller is answered within the threshold (abandons count as missed)
    occupancy_ratio: float  # busy agents / agents


@lru_cache(maxsize=4096)  # live ticks ask the same question until the queue's figures change
def erlang_a(
    agents: int,
    arrival_rate_per_second: float,
    handle_seconds: float,
    patience_seconds: float,
    threshold_seconds: float,
) -> ErlangA:
    """Erlang A figures for N agents; exact up to the truncation of the chain's tail (TAIL)."""
    service, patience = 1.0 / handle_seconds, 1.0 / patience_seconds
    weights = _stationary(agents, arrival_rate_per_second, service, patience)
    immediate = sum(weights[:agents])
    queued = weights[agents:]
    waiting = sum(j * p for j, p in enumerate(queued))
    abandons = patience * waiting / arrival_rate_per_second
    served = _answered_within(queued, agents * service, patience, threshold_seconds)
    return ErlangA(
        waits_ratio=1.0 - immediate,
        abandons_ratio=abandons,
        service_level_ratio=min(1.0, immediate + served),
        occupancy_ratio=arrival_rate_per_second * (1.0 - abandons) * handle_seconds / agents,
    )


def _stationary(agents: int, arrival: float, service: float, patience: float) -> list[float]:
    """P(n callers in the system), n = 0, 1, ...: births at the arrival rate, deaths at
    min(n, N) service + max(n - N, 0) patience."""
    weights, total, n = [1.0], 1.0, 0
    while True:
        n += 1
        deaths = min(n, agents) * service + max(n - agents, 0) * patience
        weight = weights[-1] * arrival / deaths
        weights.append(weight)
        total += weight
        if weight > RESCALE_ABOVE:
            weights = [w / RESCALE_ABOVE for w in weights]
            total /= RESCALE_ABOVE
        if n > agents and weight < TAIL * total:
            break
    return [w / total for w in weights]


def _answered_within(queued: list[float], serving_rate: float, patience: float, threshold_seconds: float) -> float:
    """P(arrive to find j callers ahead, and be answered within the threshold), summed over j.

    The tagged caller moves up at rate N mu + j theta (an answer or an abandon ahead), is
    answered from the head at rate N mu, and hangs up at rate theta. Uniformized at the
    largest total rate, the chain is stepped once for all starting positions together."""
    if not queued or threshold_seconds <= 0:
        return 0.0
    last = len(queued) - 1
    uniform = serving_rate + (last + 1) * patience
    expected = uniform * threshold_seconds
    steps = int(expected + 10.0 * math.sqrt(expected) + 20)
    move = [(serving_rate + j * patience) / uniform for j in range(last + 1)]
    stay = [1.0 - move[j] - patience / uniform for j in range(last + 1)]
    ahead = list(queued)
    answered, within = 0.0, 0.0
    log_expected = math.log(expected) if expected > 0 else 0.0
    for k in range(steps + 1):
        within += math.exp(-expected + k * log_expected - math.lgamma(k + 1)) * answered
        answered += ahead[0] * move[0]
        ahead = [ahead[j] * stay[j] + (ahead[j + 1] * move[j + 1] if j < last else 0.0) for j in range(last + 1)]
    return within
