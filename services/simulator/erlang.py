"""Erlang C (the M/M/N queue): probability of waiting, service level, speed of answer, staffing.

Traffic is in Erlangs: arrival rate x average handle time (talk + hold + wrap-up). Erlang C
assumes Poisson arrivals, exponential handle times and callers who never hang up; real floors
differ on all three, which is why the simulator's tests compare against it with a tolerance.
"""

from __future__ import annotations

import math


def erlang_b(servers: int, traffic_erlangs: float) -> float:
    """Blocking probability, by the numerically stable recursion B(n) = A B(n-1) / (n + A B(n-1))."""
    blocking = 1.0
    for n in range(1, servers + 1):
        blocking = traffic_erlangs * blocking / (n + traffic_erlangs * blocking)
    return blocking


def erlang_c(servers: int, traffic_erlangs: float) -> float:
    """Probability that a contact has to wait (is not answered at once); 1 when overloaded."""
    if servers <= 0 or traffic_erlangs >= servers:
        return 1.0
    if traffic_erlangs <= 0:
        return 0.0
    blocking = erlang_b(servers, traffic_erlangs)
    return servers * blocking / (servers - traffic_erlangs * (1.0 - blocking))


def service_level(servers: int, traffic_erlangs: float, handle_seconds: float, threshold_seconds: float) -> float:
    """Share of contacts answered within the threshold: 1 - C(N, A) exp(-(N - A) t / AHT)."""
    if servers <= 0 or traffic_erlangs >= servers:
        return 0.0
    waiting = erlang_c(servers, traffic_erlangs)
    return 1.0 - waiting * math.exp(-(servers - traffic_erlangs) * threshold_seconds / handle_seconds)


def service_level_fractional(
    servers: float, traffic_erlangs: float, handle_seconds: float, threshold_seconds: float
) -> float:
    """Service level for a time-averaged head count (e.g. 17.4 agents over an interval).

    Linear interpolation between the neighbouring whole numbers of agents: the usual WFM
    practice for fractional staffing, documented as an approximation.
    """
    low = math.floor(servers)
    share = servers - low
    at_low = service_level(low, traffic_erlangs, handle_seconds, threshold_seconds)
    if share == 0:
        return at_low
    at_high = service_level(low + 1, traffic_erlangs, handle_seconds, threshold_seconds)
    return at_low + share * (at_high - at_low)


def average_speed_of_answer_seconds(servers: int, traffic_erlangs: float, handle_seconds: float) -> float:
    """Mean wait over all contacts, C(N, A) AHT / (N - A); infinite when overloaded."""
    if servers <= traffic_erlangs:
        return math.inf
    return erlang_c(servers, traffic_erlangs) * handle_seconds / (servers - traffic_erlangs)


def agents_required(
    traffic_erlangs: float, handle_seconds: float, threshold_seconds: float, target_ratio: float
) -> int:
    """The fewest agents whose predicted service level reaches the target."""
    servers = max(1, math.floor(traffic_erlangs) + 1)
    while service_level(servers, traffic_erlangs, handle_seconds, threshold_seconds) < target_ratio:
        servers += 1
    return servers
