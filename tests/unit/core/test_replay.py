"""The batch fold and its report: counts, positions, figures, determinism, interleaving."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import LISTED_LIMIT, replay
from tests.unit.core.builders import AVAILABLE, BREAK, LOGGED_OUT, MINUTE, ON_CONTACT, T0_SECONDS, state, team_shift

SAMPLE = Path(__file__).parents[2] / "fixtures" / "replay_sample.jsonl"
CONFIG = MetricConfig()


def report_of(lines, config=CONFIG):
    return replay(lines, config)


@pytest.fixture(scope="module")
def sample():
    """tests/fixtures/replay_sample.jsonl, 17 lines, 08:00-08:10:
    a1 available 08:00, on contact c1 08:01-08:05, wrap-up till 08:06, available, out 08:10;
    a2 available 08:00-08:10; line 6 broken JSON; line 9 repeats line 8; line 11 blank;
    line 12 a2 BREAK stamped 07:50 (10 min behind a2's clock); line 13 an unknown state;
    c2 offered 08:09, abandoned after 40 s."""
    return report_of(SAMPLE.read_bytes().splitlines(keepends=True))


def test_every_line_is_counted_once_as_accepted_duplicate_late_rejected_or_blank(sample):
    events = sample["events"]
    assert (
        events["lines"],
        events["accepted"],
        events["duplicate"],
        events["late"],
        events["rejected"],
        events["blank_lines"],
    ) == (17, 12, 1, 1, 2, 1)
    assert (
        events["accepted"] + events["duplicate"] + events["late"] + events["rejected"] + events["blank_lines"]
        == events["lines"]
    )


def test_rejected_lines_are_reported_with_their_line_number_and_reason(sample):
    rejections = sample["events"]["rejections"]
    assert [r["line"] for r in rejections] == [6, 13]
    assert rejections[0]["reason"].startswith("not valid JSON")
    assert rejections[1]["reason"].startswith("agent.state_changed.data.state:")


def test_late_and_duplicate_events_are_listed_with_their_positions(sample):
    assert sample["events"]["late_events"] == [
        {"file": "events", "line": 12, "event_id": "state:a2:BREAK:-600", "agent_id": "a2", "lateness_seconds": 600.0}
    ]
    assert [d["line"] for d in sample["events"]["duplicates"]] == [9]


def test_agent_totals_in_the_report_match_the_timeline(sample):
    a1 = sample["agents"]["a1"]["through_last_event"]["occupancy"]
    assert (a1["handle_seconds"], a1["available_seconds"], a1["staffed_seconds"]) == (300.0, 300.0, 600.0)
    assert a1["seconds_by_state"]["ON_CONTACT"] == 240.0
    assert a1["seconds_by_state"]["AFTER_CONTACT_WORK"] == 60.0
    assert (a1["occupancy_ratio"], a1["utilization_ratio"], a1["average_handle_seconds"]) == (0.5, 0.5, 300.0)
    a2 = sample["agents"]["a2"]["through_last_event"]["occupancy"]
    assert (a2["available_seconds"], a2["aux_seconds"], a2["occupancy_ratio"]) == (600.0, 0.0, 0.0)


def test_team_and_queue_totals_are_time_weighted_sums(sample):
    team = sample["teams"]["team-1"]["through_last_event"]["total"]
    assert (team["handle_seconds"], team["available_seconds"], team["occupancy_ratio"]) == (300.0, 900.0, 0.25)
    contacts = sample["queues"]["q1"]["contacts"]["total"]
    assert (contacts["answered"], contacts["abandoned"], contacts["service_level_ratio"]) == (1, 1, 0.5)
    assert contacts["average_handle_seconds"] == 300.0


def test_the_watermark_is_the_newest_accepted_event_time(sample):
    assert sample["watermark"] == "2026-11-24T08:10:00.000Z"


def test_agents_are_projected_to_the_watermark_beside_their_own_last_event():
    # a1's log stops at 08:05 (on contact); a2's runs to 08:10. Through its last event a1 has
    # 4 min of handle; projected to the 08:10 watermark, 9 min.
    lines = [
        encode(e)
        for e in (
            state("a1", AVAILABLE, 0),
            state("a1", ON_CONTACT, 60),
            state("a2", AVAILABLE, 0),
            state("a1", ON_CONTACT, 300, event_id="again"),
            state("a2", AVAILABLE, 600, event_id="later"),
        )
    ]
    agent = report_of(lines)["agents"]["a1"]
    assert agent["through_last_event"]["occupancy"]["handle_seconds"] == 240.0
    assert agent["through_watermark"]["occupancy"]["handle_seconds"] == 540.0
    assert agent["through_watermark"]["as_of_seconds"] == agent["through_last_event"]["as_of_seconds"] + 300


def test_the_same_log_gives_the_same_bytes():
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    first = json.dumps(report_of(lines), sort_keys=True)
    assert json.dumps(report_of(list(lines)), sort_keys=True) == first


def test_problem_lists_are_capped_but_every_problem_is_counted():
    lines = [b"not json"] * (LISTED_LIMIT + 5)
    events = report_of(lines)["events"]
    assert events["rejected"] == LISTED_LIMIT + 5
    assert len(events["rejections"]) == LISTED_LIMIT


def test_the_team_shift_replays_to_the_hand_computed_team_figures():
    report = report_of([encode(e) for e in team_shift()])
    team = report["teams"]["blue"]["through_last_event"]
    assert team["total"]["handle_seconds"] == 992 * MINUTE
    assert team["total"]["occupancy_ratio"] == round(992 / 1230, 6)
    assert team["contacts_handled"] == 86
    assert report["events"]["accepted"] == report["events"]["lines"]


SHIFT = team_shift()


def interleavings():
    """Shuffle the shift across agents while keeping each agent's (and each queue's) own order."""

    def shuffle(seed):
        streams = {}
        for event in SHIFT:
            key = getattr(event.data, "agent_id", None) or "queue"
            streams.setdefault(key, []).append(event)
        rng, merged = random.Random(seed), []
        queues = {key: list(reversed(events)) for key, events in streams.items()}
        while queues:
            key = rng.choice(sorted(queues))
            merged.append(queues[key].pop())
            if not queues[key]:
                del queues[key]
        return merged

    return st.integers(0, 2**32).map(shuffle)


@settings(max_examples=15, deadline=None)
@given(events=interleavings())
def test_per_agent_figures_do_not_depend_on_how_other_agents_events_interleave(events):
    ordered = report_of([encode(e) for e in SHIFT])["agents"]
    shuffled = report_of([encode(e) for e in events])["agents"]
    for agent_id in ordered:
        assert shuffled[agent_id]["through_last_event"] == ordered[agent_id]["through_last_event"]
        assert shuffled[agent_id]["outputs"] == ordered[agent_id]["outputs"]


# --- days the end of the log closes ------------------------------------------------------------


def _uk_config():
    from floorwatch.core.breaks import load_profile

    return MetricConfig(breaks=load_profile("uk"))


def test_a_log_ending_at_the_last_logout_reports_that_days_violations():
    # UK reg. 12: 7 h of work without a break, then the log ends at the logout. The day is
    # over; the rule judged at day end is reported, not lost to the 4 h no log covers.
    events = [state("a1", AVAILABLE, 0), state("a1", LOGGED_OUT, 7 * 3600)]
    report = report_of([encode(e) for e in events], _uk_config())
    day = report["agents"]["a1"]["day_at_end_of_log"]
    assert day["status"] == "ended"
    assert [(v["rule"], v["at_seconds"] - T0_SECONDS, v["basis"]) for v in day["violations"]] == [
        ("uk-rest-break", 7 * 3600, "statute")
    ]
    assert report["days_at_end_of_log"] == {"ended_agents": ["a1"], "open_agents": [], "violations_judged": 1}


def test_a_day_still_open_at_the_end_of_the_log_is_named_with_the_break_it_still_needs():
    events = [state("a1", AVAILABLE, 0), state("a1", ON_CONTACT, 7 * 3600)]
    report = report_of([encode(e) for e in events], _uk_config())
    day = report["agents"]["a1"]["day_at_end_of_log"]
    assert day["status"] == "open" and day["violations"] == []
    assert [(r["rule"], r["basis"], r["missing"]) for r in day["required"]] == [("uk-rest-break", "statute", 1)]
    assert report["days_at_end_of_log"]["open_agents"] == ["a1"]


def test_a_compliant_day_ending_the_log_reports_nothing():
    events = [
        state("a1", AVAILABLE, 0),
        state("a1", BREAK, 3 * 3600),
        state("a1", AVAILABLE, 3 * 3600 + 20 * 60),
        state("a1", LOGGED_OUT, 7 * 3600),
    ]
    report = report_of([encode(e) for e in events], _uk_config())
    assert report["agents"]["a1"]["day_at_end_of_log"] == {"status": "ended", "violations": [], "required": []}
