"""Erlang B, C and A against published worked examples and tables, closed forms and a second implementation.

Sources (each test names the one it checks):
- [CCH] Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example"
  (callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in 30 minutes, AHT 180 s,
  80 % answered in 20 s, maximum occupancy 85 %. Traffic 10 Erlangs; 11 agents: probability of
  waiting 68.2 %, service level 39.0 %; 14 agents: 17.4 %, 88.8 %, occupancy 71.4 %: the answer is 14.
- [MITAN] "The Erlang-C formula" worked example (Mitan Ltd, mitan.co.uk/erlang/elgcmath.htm, and
  reproduced widely): 360 calls per half hour, 240 s calls, 55 agents, 15 s target. Traffic 48
  Erlangs, agent occupancy 0.873, probability of waiting 0.2387, average speed of answer 8.2 s.
- [CCTOOLS] call-center-tools (pypi.org/project/call-center-tools), README worked example: 1000 calls per
  hour, AHT 120 s, maximum occupancy 85 %, 80 % answered in 20 s: traffic 33.333 Erlangs, waiting
  probability 19.07 %, service level 93.72 %, average speed of answer 3.43 s, occupancy 83.33 %,
  40 agents (58 with 30 % shrinkage). The 40 comes from the occupancy cap (33.33 / 0.85 = 39.2):
  80/20 alone needs 38. floorwatch caps at 85 % by default too, so it gives 40 as published.
- [TURBOTAB] turbotab (pypi.org/project/turbotab), README quick start "Required staffing for 80% SLA in
  20 seconds": 25 calls per 600 s interval, AHT 180 s: 11 productive agents (16 scheduled with 30 %
  shrinkage). floorwatch advises agents on the queue, so it is checked against the 11 (shrinkage is a
  rostering figure: productive / (1 - shrinkage), rounded up, gives the 16).
- [ERLANG B TABLE] Erlang B (loss) tables as printed in traffic-engineering handbooks: 5 trunks at
  2 Erlangs block 3.67 %; 14 at 10 Erlangs 5.68 %; 10 at 5 Erlangs 1.84 %.
- [KLEINROCK] Kleinrock, Queueing Systems Vol. 1 (1975), section 3.5: for one agent the probability of
  waiting is the utilisation; for two, A^2 / (2 + A).
- [PYWORKFORCE] pyworkforce 0.6 (github.com/rodrigo-arenas/pyworkforce), queuing/tests/test_abandonment.py:
  Erlang A for 100 calls per 30 min, AHT 3 min, patience 5 min, 14 agents, 20 s: waiting 0.14526,
  abandoning 0.013984, occupancy 0.704297, service level 0.916792. A second implementation, not a
  published example: it guards against a slip in the uniformization.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core.erlang import average_wait_c, erlang_a, erlang_b, erlang_c, service_level_c
from floorwatch.core.staffing import Demand, ServiceTarget, StaffingConfig, agents_needed

CCH_ERLANGS = 100 / 1800 * 180  # 10 Erlangs


def test_the_call_centre_helper_example_needs_14_agents_for_80_percent_in_20_seconds():  # [CCH]
    found = Demand(arrival_rate_per_second=100 / 1800, average_handle_seconds=180.0, patience_seconds=None)
    agents, level, occupancy = agents_needed(found, ServiceTarget(0.80, 20.0), StaffingConfig())
    assert agents == 14
    assert round(level, 3) == 0.888
    assert round(occupancy, 3) == 0.714
    assert round(erlang_c(14, CCH_ERLANGS), 3) == 0.174


def test_the_call_centre_helper_example_with_11_agents_waits_68_percent_and_answers_39():  # [CCH]
    assert round(erlang_c(11, CCH_ERLANGS), 4) == 0.6821
    assert round(service_level_c(11, CCH_ERLANGS, 180.0, 20.0), 3) == 0.390


def test_13_agents_fall_just_short_in_the_call_centre_helper_example():  # [CCH]
    assert 0.79 < service_level_c(13, CCH_ERLANGS, 180.0, 20.0) < 0.80


def test_the_call_center_tools_example_needs_40_agents_for_1000_calls_an_hour():  # [CCTOOLS]
    found = Demand(arrival_rate_per_second=1000 / 3600, average_handle_seconds=120.0, patience_seconds=None)
    agents, level, occupancy = agents_needed(found, ServiceTarget(0.80, 20.0), StaffingConfig())
    assert agents == 40
    assert round(level, 4) == 0.9372
    assert round(occupancy, 4) == 0.8333
    assert round(erlang_c(40, 1000 / 3600 * 120), 4) == 0.1907
    assert round(average_wait_c(40, 1000 / 3600 * 120, 120.0), 2) == 3.43


def test_the_call_center_tools_40_is_the_occupancy_cap_not_the_service_level():  # [CCTOOLS]
    found = Demand(arrival_rate_per_second=1000 / 3600, average_handle_seconds=120.0, patience_seconds=None)
    uncapped, _, _ = agents_needed(found, ServiceTarget(0.80, 20.0), StaffingConfig(max_occupancy_ratio=1.0))
    assert uncapped == 38


def test_the_turbotab_quick_start_needs_11_productive_agents_and_16_with_shrinkage():  # [TURBOTAB]
    found = Demand(arrival_rate_per_second=25 / 600, average_handle_seconds=180.0, patience_seconds=None)
    agents, _, _ = agents_needed(found, ServiceTarget(0.80, 20.0), StaffingConfig())
    assert agents == 11
    assert service_level_c(10, 7.5, 180.0, 20.0) < 0.80 <= service_level_c(11, 7.5, 180.0, 20.0)
    assert math.ceil(agents / (1 - 0.30)) == 16


def test_the_mitan_example_of_360_calls_and_55_agents():  # [MITAN]
    load = 360 / 1800 * 240
    assert load == 48
    assert round(load / 55, 3) == 0.873
    assert round(erlang_c(55, load), 4) == 0.2387
    assert round(average_wait_c(55, load, 240.0), 1) == 8.2


@pytest.mark.parametrize(
    ("trunks", "erlangs", "blocked"),
    [(5, 2.0, 0.0367), (14, 10.0, 0.0568), (10, 5.0, 0.0184)],
)
def test_erlang_b_matches_the_printed_loss_tables(trunks, erlangs, blocked):  # [ERLANG B TABLE]
    assert round(erlang_b(trunks, erlangs), 4) == blocked


@pytest.mark.parametrize(
    ("agents", "erlangs", "expected"),
    [(1, 0.3, 0.3), (1, 0.85, 0.85), (2, 1.2, 1.2**2 / 3.2), (2, 0.5, 0.5**2 / 2.5)],
)
def test_erlang_c_reduces_to_the_textbook_closed_forms(agents, erlangs, expected):  # [KLEINROCK]
    assert erlang_c(agents, erlangs) == pytest.approx(expected, rel=1e-12)


def test_the_recursion_handles_a_thousand_agents_where_factorials_overflow():
    with pytest.raises(OverflowError):
        float(math.factorial(1000))
    waits = erlang_c(1000, 950.0)
    assert 0.0 < waits < 1.0
    assert erlang_c(1001, 950.0) < waits


def _direct_sum(agents: int, erlangs: float) -> float:
    top = erlangs**agents / math.factorial(agents) * agents / (agents - erlangs)
    return top / (sum(erlangs**k / math.factorial(k) for k in range(agents)) + top)


@settings(max_examples=100, deadline=None)
@given(agents=st.integers(min_value=1, max_value=60), load=st.floats(min_value=0.01, max_value=0.99))
def test_the_recursion_equals_the_direct_sum_formula(agents, load):
    assert erlang_c(agents, agents * load) == pytest.approx(_direct_sum(agents, agents * load), rel=1e-9)


def test_an_overloaded_erlang_c_queue_always_waits_and_never_meets_a_target():
    assert erlang_c(10, 10.0) == 1.0
    assert service_level_c(10, 12.0, 300.0, 20.0) == 0.0
    assert average_wait_c(10, 12.0, 300.0) == math.inf


def test_erlang_a_agrees_with_a_second_implementation():  # [PYWORKFORCE]
    result = erlang_a(14, 100 / 1800, 180.0, 300.0, 20.0)
    assert round(result.waits_ratio, 5) == 0.14526
    assert round(result.abandons_ratio, 6) == 0.013984
    assert round(result.occupancy_ratio, 6) == 0.704297
    assert round(result.service_level_ratio, 6) == 0.916792


@pytest.mark.parametrize("agents", [11, 12, 14, 20])
def test_erlang_a_with_endless_patience_is_erlang_c(agents):
    patient = erlang_a(agents, 100 / 1800, 180.0, 1e9, 20.0)
    assert patient.waits_ratio == pytest.approx(erlang_c(agents, CCH_ERLANGS), abs=1e-5)
    assert patient.service_level_ratio == pytest.approx(service_level_c(agents, CCH_ERLANGS, 180.0, 20.0), abs=1e-5)


def test_erlang_a_is_stable_and_bounded_when_demand_exceeds_the_agents():
    result = erlang_a(50, 1.0, 300.0, 60.0, 20.0)  # 300 Erlangs on 50 agents: most callers give up
    assert result.abandons_ratio == pytest.approx(1 - 50 / 300, abs=0.01)
    assert 0.0 <= result.service_level_ratio < 0.01
    assert result.occupancy_ratio == pytest.approx(1.0, abs=1e-6)


def test_erlang_a_handles_heavy_loads_without_overflow():
    result = erlang_a(900, 3.0, 300.0, 120.0, 20.0)  # 900 Erlangs
    assert 0.0 < result.service_level_ratio < 1.0
    assert math.isfinite(result.abandons_ratio)


@settings(max_examples=30, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=40),
    load=st.floats(min_value=0.2, max_value=1.5),
    patience=st.floats(min_value=20.0, max_value=1200.0),
)
def test_erlang_a_service_level_never_falls_with_one_more_agent(agents, load, patience):
    rate = agents * load / 240.0
    fewer = erlang_a(agents, rate, 240.0, patience, 20.0)
    more = erlang_a(agents + 1, rate, 240.0, patience, 20.0)
    assert more.service_level_ratio >= fewer.service_level_ratio - 1e-9
    assert more.abandons_ratio <= fewer.abandons_ratio + 1e-9
