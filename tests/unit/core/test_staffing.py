"""Agents needed now, from a queue's own events: demand over its windows, Erlang C or Erlang A, targets."""

from __future__ import annotations

import dataclasses

import pytest

from floorwatch.core import queue
from floorwatch.core.occupancy import ContactHandled
from floorwatch.core.queue import QueueConfig
from floorwatch.core.staffing import Demand, ServiceTarget, StaffingConfig, agents_needed
from tests.unit.core.builders import abandoned, answered, epoch, offered

CONFIG = QueueConfig()
NOW = 1800.0  # on a minute boundary: the 15-minute arrival window is exactly 900 s


def busy_quarter_hour(calls=100, abandons=0, abandon_wait=60.0, handle=180.0):
    """`calls` offered evenly in the last 15 minutes; the first `abandons` give up after
    `abandon_wait`, the rest are answered at once and handled for `handle` seconds each."""
    track = None
    for i in range(calls):
        t = 900.0 + i * 900.0 / calls
        track = queue.apply(track, offered(f"c{i}", t), CONFIG).track
        if i < abandons:
            track = queue.apply(track, abandoned(f"c{i}", t + abandon_wait, wait=abandon_wait), CONFIG).track
            continue
        track = queue.apply(track, answered("a1", f"c{i}", t), CONFIG).track
        done = ContactHandled(f"c{i}", "q1", epoch(t), epoch(t) + handle, handle)
        track = queue.on_handled(track, done, CONFIG)
    return track


def test_a_steady_queue_is_sized_with_erlang_c_from_its_last_quarter_hour():
    figures = queue.view(busy_quarter_hour(), epoch(NOW), CONFIG).staffing
    assert figures.arrival_rate_per_second == pytest.approx(100 / 900)
    assert figures.average_handle_seconds == pytest.approx(180.0)
    assert figures.offered_load_erlangs == pytest.approx(20.0)
    assert figures.model == "erlang_c" and figures.patience_seconds is None
    # 20 Erlangs at 80 % in 20 s: 24 agents (80.9 %; 23 agents would answer fewer than 80 %).
    assert figures.agents_needed == 24
    assert figures.predicted_service_level_ratio >= 0.80
    assert figures.predicted_occupancy_ratio == pytest.approx(20 / 24)
    assert figures.target_label == "80% in 20 s"


def test_arrivals_older_than_the_arrival_window_do_not_count():
    track = busy_quarter_hour()
    later = queue.view(track, epoch(NOW + 600), CONFIG).staffing  # 10 minutes later, no new calls
    assert later.arrival_rate_per_second == pytest.approx(33 / 900)  # only the 33 calls from minute 25 on
    assert later.agents_needed < 24


def test_frequent_abandons_switch_to_erlang_a_with_patience_from_the_waits():
    figures = queue.view(busy_quarter_hour(abandons=20), epoch(NOW), CONFIG).staffing
    assert figures.model == "erlang_a"
    # Maximum likelihood with censoring: waiting time of everyone (20 x 60 s, answered at once) / 20 abandons.
    assert figures.patience_seconds == pytest.approx(60.0)
    assert figures.agents_needed is not None
    erlang_c = agents_needed(
        Demand(figures.arrival_rate_per_second, figures.average_handle_seconds, None),
        ServiceTarget(),
        StaffingConfig(),
    )[0]
    assert figures.agents_needed <= erlang_c  # impatient callers leave: Erlang C over-staffs


def test_a_few_abandons_keep_erlang_c():
    figures = queue.view(busy_quarter_hour(abandons=2), epoch(NOW), CONFIG).staffing
    assert figures.model == "erlang_c" and figures.patience_seconds is None


def test_a_queue_with_its_own_target_is_sized_for_it():
    strict = ServiceTarget(level_ratio=0.95, threshold_seconds=10.0)
    config = dataclasses.replace(CONFIG, staffing=StaffingConfig(targets_by_queue={"q1": strict}))
    figures = queue.view(busy_quarter_hour(), epoch(NOW), config).staffing
    assert figures.target_label == "95% in 10 s"
    assert figures.agents_needed > 24
    assert figures.predicted_service_level_ratio >= 0.95


def test_no_advice_before_a_contact_has_been_handled():
    track = queue.apply(None, offered("c1", 1000.0), CONFIG).track
    figures = queue.view(track, epoch(NOW), CONFIG).staffing
    assert figures.model is None and figures.agents_needed is None
    assert figures.target_label == "80% in 20 s"


def test_staffing_windows_longer_than_the_queue_window_are_refused():
    with pytest.raises(ValueError, match="cannot be longer than the queue window"):
        QueueConfig(window_seconds=600.0)


def test_on_a_large_queue_the_occupancy_cap_binds_before_the_service_level():
    # 180 Erlangs: 188 agents meet 80/20 but would be busy 95.7 % of the time; the cap asks for 212.
    found = Demand(arrival_rate_per_second=1.0, average_handle_seconds=180.0, patience_seconds=None)
    assert agents_needed(found, ServiceTarget(), StaffingConfig(max_occupancy_ratio=1.0))[0] == 188
    agents, _, occupancy = agents_needed(found, ServiceTarget(), StaffingConfig())
    assert agents == 212 and occupancy <= 0.85


def test_a_staffing_file_sets_targets_skills_and_bounds(tmp_path):
    from floorwatch.core.config import load_config

    path = tmp_path / "staffing.yaml"
    path.write_text(
        "target: {service_level: 0.9, within_seconds: 30}\n"
        "horizon_minutes: 20\nmax_occupancy: 0.8\nspare_below_occupancy: 0.7\n"
        "queues:\n  q-a: {skill: billing, service_level: 0.95}\n  q-b: {skill: billing}\n"
    )
    staffing = load_config(staffing=path).queue.staffing
    assert staffing.target_for("q-a") == ServiceTarget(0.95, 30.0)  # its own level, the default threshold
    assert staffing.target_for("q-b") == staffing.target_for("q-c") == ServiceTarget(0.9, 30.0)
    assert staffing.skill_of("q-a") == staffing.skill_of("q-b") == "billing" and staffing.skill_of("q-c") == "q-c"
    assert (staffing.horizon_seconds, staffing.max_occupancy_ratio, staffing.spare_below_ratio) == (1200.0, 0.8, 0.7)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("queues:\n  q-a: {skil: billing}\n", "queues.q-a takes only skill, service_level and within_seconds"),
        ("target: {service_level: 80}\n", "target: a service-level target needs a ratio in (0, 1)"),
        ("targets: {}\n", "unknown key(s) ['targets']"),
        ("max_occupancy: 0\n", "max_occupancy_ratio must be in (0, 1]"),
        ("- a list\n", "expected a mapping"),
    ],
)
def test_a_wrong_staffing_file_is_refused_naming_the_file_and_key(tmp_path, text, named):
    from floorwatch.core.config import ConfigError, load_config

    path = tmp_path / "staffing.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_config(staffing=path)
    assert str(path) in refused.value.reason and named in refused.value.reason
    assert "docs/staffing.md" in refused.value.reason
