"""Erlang C (the M/M/N queue): probability of waiting, service level, speed of answer, staffing.

Traffic is in Erlangs: arrival rate x average handle time (talk + hold + wrap-up). Erlang C
assumes Poisson arrivals, exponential handle times and callers who never hang up; real floors
differ on all three, which is why the simulator's tests compare against it with a tolerance.
"""

from __future__ import annotations

import math

from floorwatch.core import erlang as core_erlang

# The formulas live once, in the core (floorwatch/core/erlang.py); the simulator sizes its
# forecasts with the same code the staffing advice uses.
erlang_b = core_erlang.erlang_b
erlang_c = core_erlang.erlang_c
service_level = core_erlang.service_level_c
average_speed_of_answer_seconds = core_erlang.average_wait_c


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


def agents_required(
    traffic_erlangs: float, handle_seconds: float, threshold_seconds: float, target_ratio: float
) -> int:
    """The fewest agents whose predicted service level reaches the target."""
    servers = max(1, math.floor(traffic_erlangs) + 1)
    while service_level(servers, traffic_erlangs, handle_seconds, threshold_seconds) < target_ratio:
        servers += 1
    return servers
