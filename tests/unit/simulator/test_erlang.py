"""Erlang C against published values and closed forms.

Sources:
- Call Centre Helper, "Erlang C formula - example" (callcentrehelper.com/erlang-c-formula-example-121281.htm):
  100 calls in 30 minutes, 180 s average handle time, target 80% answered in 20 s -> 14 agents,
  probability of waiting 17.4%, service level 88.8-88.9%, occupancy 71.4%. (The same figures are
  the expected values of pyworkforce's ErlangC test suite.)
- Kleinrock, Queueing Systems Vol. 1 (1975), section 3.5, M/M/m: for one server the probability of
  waiting is the utilisation rho; for two servers it is A^2 / (2 + A). C(3, 2) = 4/9 by hand.
"""

from __future__ import annotations

import math

import pytest

from floorwatch.services.simulator.erlang import (
    agents_required,
    average_speed_of_answer_seconds,
    erlang_c,
    service_level,
    service_level_fractional,
)

WORKED_EXAMPLE_ERLANGS = 100 / (30 * 60) * 180  # 10 Erlangs


def test_staffing_matches_the_call_centre_helper_worked_example():
    assert agents_required(WORKED_EXAMPLE_ERLANGS, 180, 20, 0.80) == 14
    assert round(erlang_c(14, WORKED_EXAMPLE_ERLANGS), 3) == 0.174
    assert round(service_level(14, WORKED_EXAMPLE_ERLANGS, 180, 20), 3) == 0.888
    assert round(WORKED_EXAMPLE_ERLANGS / 14, 3) == 0.714


def test_thirteen_agents_fall_just_short_of_the_target_in_the_worked_example():
    assert 0.79 < service_level(13, WORKED_EXAMPLE_ERLANGS, 180, 20) < 0.80


@pytest.mark.parametrize(
    ("servers", "erlangs", "expected"),
    [
        (1, 0.3, 0.3),
        (1, 0.85, 0.85),
        (2, 1.2, 1.2**2 / (2 + 1.2)),
        (2, 0.5, 0.5**2 / (2 + 0.5)),
        (3, 2.0, 4 / 9),
    ],
)
def test_erlang_c_reduces_to_the_textbook_closed_forms(servers, erlangs, expected):
    assert erlang_c(servers, erlangs) == pytest.approx(expected, rel=1e-12)


def test_average_speed_of_answer_is_the_mean_of_the_wait_distribution():
    # E[W] = integral of P(W > t) = C * AHT / (N - A), with P(W > t) = C exp(-(N - A) t / AHT).
    servers, erlangs, handle = 14, WORKED_EXAMPLE_ERLANGS, 180.0
    step = 0.05
    integral = sum(
        erlang_c(servers, erlangs) * math.exp(-(servers - erlangs) * (i + 0.5) * step / handle) * step
        for i in range(40000)
    )
    assert average_speed_of_answer_seconds(servers, erlangs, handle) == pytest.approx(integral, rel=1e-4)


def test_fractional_staffing_lies_between_the_neighbouring_whole_numbers():
    low = service_level(13, WORKED_EXAMPLE_ERLANGS, 180, 20)
    high = service_level(14, WORKED_EXAMPLE_ERLANGS, 180, 20)
    assert service_level_fractional(13.0, WORKED_EXAMPLE_ERLANGS, 180, 20) == low
    assert service_level_fractional(13.25, WORKED_EXAMPLE_ERLANGS, 180, 20) == pytest.approx(low + 0.25 * (high - low))
