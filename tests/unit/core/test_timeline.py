"""The floor sampled through the day (floorwatch/core/timeline.py), by folding event lists."""

from __future__ import annotations

import pytest

from floorwatch.core import timeline as tl
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import build_report, fold
from tests.unit.core.builders import (
    AVAILABLE,
    LOGGED_OUT,
    MINUTE,
    ON_CONTACT,
    T0_SECONDS,
    contact_cycle,
    state,
    team_shift,
)

CONFIG = MetricConfig()


def entries(events: list) -> list:
    return [("events", n, e) for n, e in enumerate(events, start=1)]


def by_time(events: list) -> list:
    return sorted(events, key=lambda e: e.occurred_at)


def test_the_occupancy_sampled_at_a_quarter_hour_is_the_handle_share_of_that_quarter():
    events = [
        state("ana", AVAILABLE, 0, team="red"),
        state("ana", ON_CONTACT, 5 * MINUTE, team="red"),
        state("ana", AVAILABLE, 10 * MINUTE, team="red"),
        state("ana", LOGGED_OUT, 20 * MINUTE, team="red"),
    ]
    samples = tl.timeline(entries(events), CONFIG).samples
    first = samples[0]
    assert first.at_seconds == T0_SECONDS + 15 * MINUTE
    (red,) = first.teams
    assert red.occupancy_15m_ratio == pytest.approx(5 / 15)
    assert red.agents_staffed == 1
    assert red.agents_by_stress_band == {"normal": 1, "elevated": 0, "high": 0}


def test_samples_fall_on_every_step_from_the_first_event_and_end_at_the_watermark():
    events = [state("ana", AVAILABLE, 2 * MINUTE, team="red"), state("ana", LOGGED_OUT, 50 * MINUTE, team="red")]
    samples = tl.timeline(entries(events), CONFIG, step_seconds=15 * MINUTE).samples
    assert [round((s.at_seconds - T0_SECONDS) / MINUTE) for s in samples] == [15, 30, 45, 50]


def test_a_logged_out_agent_is_in_no_stress_band():
    events = [state("ana", AVAILABLE, 0, team="red"), state("ana", LOGGED_OUT, 5 * MINUTE, team="red")]
    samples = tl.timeline(entries(events), CONFIG).samples
    assert samples[-1].teams[0].agents_by_stress_band == {"normal": 0, "elevated": 0, "high": 0}
    assert samples[-1].teams[0].agents_staffed == 0


def test_the_last_sample_is_the_replay_reports_picture_at_the_watermark():
    events = by_time(team_shift())
    result = tl.timeline(entries(events), CONFIG)
    report = build_report(fold(entries(events), CONFIG), CONFIG)
    last = result.samples[-1]
    assert last.at_seconds == report["watermark_seconds"]
    (blue,) = last.teams
    at_mark = report["teams"]["blue"]["through_watermark"]
    window = next(w for w in at_mark["windows"] if w["window_seconds"] == 900.0)
    assert round(blue.occupancy_15m_ratio or 0.0, 6) == window["figures"]["occupancy_ratio"]
    assert blue.break_compliance_ratio == at_mark["break_compliance_ratio"]
    assert blue.agents_on_shift == at_mark["agents_on_shift"]
    (q1,) = last.queues
    queue = report["queues"]["q1"]
    assert round(q1.service_level_ratio or 0.0, 6) == queue["contacts"]["window"]["service_level_ratio"]
    assert q1.agents_needed == queue["advice_at_watermark"]["agents_needed"]
    assert q1.agents_serving == queue["advice_at_watermark"]["agents_serving"]


def test_sampling_leaves_the_fold_and_its_report_unchanged():
    events = by_time(team_shift())
    sampled = tl.timeline(entries(events), CONFIG).result
    assert build_report(sampled, CONFIG) == build_report(fold(entries(events), CONFIG), CONFIG)


def test_a_sample_sees_exactly_the_events_up_to_its_instant():
    events = by_time(team_shift())
    samples = tl.timeline(entries(events), CONFIG).samples
    for probe in (samples[3], samples[10], samples[20]):
        upto = [e for e in events if e.occurred_at.timestamp() <= probe.at_seconds]
        alone = fold(entries(upto), CONFIG)
        assert tl.sample(alone.agents, alone.queues, probe.at_seconds, CONFIG) == probe


def test_a_queue_sample_counts_offers_service_level_and_the_agents_serving_it():
    events = by_time(
        [state("ana", AVAILABLE, 0, team="red", queues=("q1",))]
        + contact_cycle("ana", "c1", 2 * MINUTE, talk=3 * MINUTE, wrap=MINUTE, wait=5.0)
        + contact_cycle("ana", "c2", 8 * MINUTE, talk=3 * MINUTE, wrap=MINUTE, wait=40.0)
        + [state("ana", LOGGED_OUT, 20 * MINUTE, team="red", queues=("q1",))]
    )
    first = tl.timeline(entries(events), CONFIG).samples[0]
    (q1,) = first.queues
    assert q1.offered_contacts == 2
    assert q1.service_level_ratio == pytest.approx(0.5)  # one of two answered within 20 s
    assert q1.agents_serving == 1  # ana is available at 08:15


def test_a_step_of_zero_is_refused():
    with pytest.raises(ValueError, match="positive"):
        tl.timeline([], CONFIG, step_seconds=0)
