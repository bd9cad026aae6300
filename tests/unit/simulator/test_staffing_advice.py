"""Staffing advice against the simulator: a queue staffed at the advised level meets its target.

The simulator staffs a queue at a chosen level (`arrivals_per_hour` with `agents_per_team`):
one team, one queue, a fixed Poisson rate, lognormal talk/hold/wrap-up, exponential patience
(150 s), no breaks (a shift under two hours) and no other auxiliary time, so the only question
is whether the advised head count answers the traffic. Service level is measured as the core
defines it for Erlang A: answered within 20 s over every contact offered, from minute 30 (after
the empty start) to the end of arrivals (minute 110).

Tolerances, stated once: a single 80-minute run near full occupancy is a slow-mixing process
whose service level swings by +/-0.15 between seeds (measured below), so single seeds are held
to a wide band and the pooled figure over 8 seeds to a narrow one.
"""

from __future__ import annotations

import dataclasses

import pytest

from floorwatch.core import queue
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.core.staffing import Demand, ServiceTarget, StaffingConfig, agents_needed
from floorwatch.services.simulator.settings import SimulatorSettings
from floorwatch.services.simulator.staffing import expected_handle_seconds
from tests.unit.simulator.simulated_shift import generate

SEEDS = range(1, 9)
TARGET = ServiceTarget()  # 80 % in 20 s
ARRIVALS_END_SECONDS = 6600.0
MEASURED_FROM_SECONDS = 1800.0
POOLED_TOLERANCE = 0.05
SINGLE_SEED_TOLERANCE = 0.05  # with the default 85 % occupancy cap (the advice as shipped)


def queue_at(level: int, seed: int, arrivals_per_hour: float) -> SimulatorSettings:
    return SimulatorSettings(
        seed=seed,
        duration_seconds=ARRIVALS_END_SECONDS,
        sites=1,
        teams_per_site=1,
        agents_per_team=level,
        understaffed_teams=0,
        arrivals_per_hour=arrivals_per_hour,
        training_ratio=0.0,
        meeting_ratio=0.0,
        personal_aux_per_hour=0.0,
        late_login_ratio=0.0,
    )


def measured_service_level(events, start_seconds: float) -> tuple[int, int]:
    """(answered within 20 s, offered) for contacts offered in the measured span."""
    offered, met = set(), set()
    for event in events:
        at = event.occurred_at.timestamp() - start_seconds
        if event.type == "contact.offered" and MEASURED_FROM_SECONDS <= at < ARRIVALS_END_SECONDS:
            offered.add(event.data.contact_id)
        elif event.type == "contact.answered" and event.data.wait_seconds <= TARGET.threshold_seconds:
            met.add(event.data.contact_id)
    return len(offered & met), len(offered)


def advised_from_a_short_staffed_run(seed: int, arrivals_per_hour: float, short_level: int):
    """Run the queue short-staffed, replay it, and read the advice at the end of arrivals: the
    demand (rate, handle time, patience) is estimated from the events, as a live floor would."""
    shift = generate(queue_at(short_level, seed, arrivals_per_hour))
    result = fold(decode_lines([encode(e) for e in shift.events]), MetricConfig())
    (track,) = result.queues.values()
    now = shift.settings.start.timestamp() + ARRIVALS_END_SECONDS
    return queue.view(track, now, MetricConfig().queue).staffing, shift


def test_a_queue_staffed_at_the_advice_meets_its_target_on_every_seed():
    """900 contacts an hour (about 84 Erlangs), first run with 60 agents; the advice is computed from
    that run's events; a second run (another seed) staffs the queue at the advised level."""
    met_total = offered_total = 0
    for seed in SEEDS:
        staffing, short = advised_from_a_short_staffed_run(seed, 900.0, 60)
        met_short, offered_short = measured_service_level(short.events, short.settings.start.timestamp())
        assert met_short / offered_short < 0.3  # the short-staffed run really misses the target
        assert staffing.model == "erlang_a"  # its callers abandon: patience estimated from them
        advised = generate(dataclasses.replace(short.settings, seed=seed + 100, agents_per_team=staffing.agents_needed))
        met, offered = measured_service_level(advised.events, advised.settings.start.timestamp())
        assert met / offered >= TARGET.level_ratio - SINGLE_SEED_TOLERANCE, (seed, staffing, met / offered)
        met_total, offered_total = met_total + met, offered_total + offered
    assert met_total / offered_total >= TARGET.level_ratio


@pytest.mark.parametrize("arrivals_per_hour", [300.0, 900.0])
def test_erlang_a_predicts_the_simulated_service_level_at_the_fewest_agents_meeting_the_target(arrivals_per_hour):
    """The maths alone: the true demand (the simulator's own rate, mean handle time and patience),
    no occupancy cap, so the head count is the smallest Erlang A says meets 80/20; pooled over 8
    seeds the simulated service level is that prediction within POOLED_TOLERANCE."""
    settings = queue_at(1, 1, arrivals_per_hour)
    demand = Demand(arrivals_per_hour / 3600.0, expected_handle_seconds(settings), settings.patience_mean_seconds)
    level, predicted, _ = agents_needed(demand, TARGET, StaffingConfig(max_occupancy_ratio=1.0))
    met_total = offered_total = 0
    for seed in SEEDS:
        shift = generate(dataclasses.replace(settings, seed=seed, agents_per_team=level))
        met, offered = measured_service_level(shift.events, shift.settings.start.timestamp())
        met_total, offered_total = met_total + met, offered_total + offered
    assert predicted >= TARGET.level_ratio
    assert met_total / offered_total == pytest.approx(predicted, abs=POOLED_TOLERANCE)
    assert met_total / offered_total >= TARGET.level_ratio - POOLED_TOLERANCE
