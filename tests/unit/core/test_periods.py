"""Per-day and per-shift figures (`floorwatch replay --by day|shift`), folded from event lists."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core.config import MetricConfig
from floorwatch.core.events import AnyEvent
from floorwatch.core.period_rows import agent_rows, team_rows
from floorwatch.core.periods import AgentPeriod, PeriodKind, fold_periods
from tests.unit.core.builders import (
    AVAILABLE,
    BREAK,
    HOUR,
    LOGGED_OUT,
    MINUTE,
    ON_CONTACT,
    T0_SECONDS,
    answered,
    ended,
    state,
)

CONFIG = MetricConfig()
DAY = 24 * HOUR
# T0 is 08:00 UTC, so midnight comes 16 hours after it.
MIDNIGHT = 16 * HOUR


def by_day(events: list) -> list[AgentPeriod]:
    return fold_periods(events, CONFIG, PeriodKind.DAY, UTC)


def test_a_shift_running_past_midnight_is_split_at_midnight():
    events = [
        state("a1", AVAILABLE, MIDNIGHT - 2 * HOUR),
        state("a1", ON_CONTACT, MIDNIGHT - HOUR),
        state("a1", AVAILABLE, MIDNIGHT + HOUR),
        state("a1", LOGGED_OUT, MIDNIGHT + 3 * HOUR),
    ]
    first, second = by_day(events)
    assert (first.period, second.period) == ("2026-11-24", "2026-11-25")
    assert first.totals.available_seconds == HOUR and first.totals.handle_seconds == HOUR
    assert second.totals.handle_seconds == HOUR and second.totals.available_seconds == 2 * HOUR


def test_an_agent_logged_in_for_three_days_has_a_full_day_in_the_middle():
    events = [state("a1", AVAILABLE, MIDNIGHT - HOUR), state("a1", LOGGED_OUT, MIDNIGHT + 2 * DAY + HOUR)]
    days = by_day(events)
    assert [d.totals.available_seconds for d in days] == [HOUR, DAY, DAY, HOUR]


def test_contacts_and_breaks_count_in_the_day_they_happen():
    events = [
        state("a1", AVAILABLE, 0),
        state("a1", ON_CONTACT, 60),
        answered("a1", "c1", 60),
        ended("a1", "c1", 300),
        state("a1", AVAILABLE, 300),
        state("a1", BREAK, HOUR),
        state("a1", AVAILABLE, HOUR + 15 * MINUTE),
        state("a1", LOGGED_OUT, 2 * HOUR),
        state("a1", AVAILABLE, DAY),
        state("a1", LOGGED_OUT, DAY + HOUR),
    ]
    first, second = by_day(events)
    assert (first.totals.contacts_handled, first.breaks_taken) == (1, 1)
    assert (second.totals.contacts_handled, second.breaks_taken) == (0, 0)
    assert first.peak_stress_score > 0


def test_shifts_are_cut_where_a_login_after_a_long_absence_starts_a_new_one():
    events = [
        state("a1", AVAILABLE, 0),
        state("a1", LOGGED_OUT, 2 * HOUR),
        state("a1", AVAILABLE, 2 * HOUR + 30 * MINUTE),  # back from a short absence: the same shift
        state("a1", LOGGED_OUT, 4 * HOUR),
        state("a1", AVAILABLE, 10 * HOUR),  # six hours later: a new shift, the same day
        state("a1", LOGGED_OUT, 11 * HOUR),
    ]
    first, second = fold_periods(events, CONFIG, PeriodKind.SHIFT, UTC)
    assert first.period == "2026-11-24T08:00:00+00:00" and second.period == "2026-11-24T18:00:00+00:00"
    assert first.totals.available_seconds == 3.5 * HOUR and second.totals.available_seconds == HOUR


def test_a_team_row_divides_the_summed_seconds_not_the_average_of_ratios():
    events = [
        state("a1", ON_CONTACT, 0),
        state("a1", LOGGED_OUT, HOUR),  # occupancy 1.0 over an hour
        state("a2", AVAILABLE, 0),
        state("a2", ON_CONTACT, 3 * HOUR),
        state("a2", LOGGED_OUT, 4 * HOUR),  # 0.25 over four hours
    ]
    periods = by_day(events)
    (team,) = team_rows(periods, PeriodKind.DAY, CONFIG.occupancy, UTC)
    assert team["id"] == "team-1" and team["agents"] == 2
    assert team["occupancy_ratio"] == 0.4  # 2 h handle / 5 h, not (1.0 + 0.25) / 2
    assert [row["occupancy_ratio"] for row in agent_rows(periods, CONFIG.occupancy, UTC)] == [1.0, 0.25]


def test_a_day_ends_at_the_agents_last_event_not_at_midnight():
    (only,) = by_day([state("a1", AVAILABLE, 0), state("a1", ON_CONTACT, HOUR)])
    assert only.end_seconds - only.start_seconds == 9 * HOUR  # from midnight (08:00 - 8 h) to the last event
    assert only.totals.available_seconds == HOUR and only.totals.handle_seconds == 0


# --- property: a day of a long log is that day's events replayed alone ------------------------------------

# One working day of one agent: minutes after 06:00 at which it changes state (all before 20:00,
# so every day ends logged out and the nights are long enough that no daily-rest rule links days).
STATES = (AVAILABLE, ON_CONTACT, AVAILABLE, BREAK)
day_plan = st.lists(st.integers(min_value=1, max_value=60), min_size=2, max_size=12)


def _day_events(agent: str, day: int, gaps: list[int]) -> list:
    t = day * DAY - 2 * HOUR  # 06:00 UTC
    events: list[AnyEvent] = []
    for index, gap in enumerate(gaps):
        t += gap * MINUTE
        new = STATES[index % len(STATES)]
        events.append(state(agent, new, t))
        if new is ON_CONTACT:
            events.append(answered(agent, f"{agent}-{day}-{index}", t))
        elif index and STATES[(index - 1) % len(STATES)] is ON_CONTACT:
            events.append(ended(agent, f"{agent}-{day}-{index - 1}", t))
    if STATES[(len(gaps) - 1) % len(STATES)] is ON_CONTACT:
        events.append(ended(agent, f"{agent}-{day}-{len(gaps) - 1}", t + MINUTE))
    events.append(state(agent, LOGGED_OUT, t + MINUTE))
    return events


def _comparable(period: AgentPeriod) -> tuple:
    # Stress is left out on purpose: its load and baseline carry over from earlier days, by design.
    return (period.agent_id, period.period, period.start_seconds, period.end_seconds, period.totals) + (
        period.breaks_taken,
        period.violations,
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(day_plan, min_size=1, max_size=2), min_size=2, max_size=4))
def test_by_day_on_a_multi_day_log_equals_replaying_each_days_events_alone(days):
    per_day = [
        sorted(
            (e for a, plan in enumerate(agents) for e in _day_events(f"a{a}", d, plan)),
            key=lambda e: e.occurred_at,
        )
        for d, agents in enumerate(days)
    ]
    whole = [_comparable(p) for p in by_day([e for events in per_day for e in events])]
    alone = [_comparable(p) for events in per_day for p in by_day(events)]
    assert sorted(whole) == sorted(alone)


def test_a_working_day_too_long_without_a_break_is_a_violation_of_that_day():
    events = [state("a1", AVAILABLE, 0), state("a1", ON_CONTACT, 60), state("a1", LOGGED_OUT, 11 * HOUR)]
    (only,) = by_day(events)
    assert only.violations >= 1 and only.breaks_taken == 0
    rested = [
        state("a1", AVAILABLE, 0),
        state("a1", BREAK, HOUR),
        state("a1", AVAILABLE, HOUR + 15 * MINUTE),
        state("a1", LOGGED_OUT, 90 * MINUTE),
    ]
    assert [p.violations for p in by_day(rested)] == [0]


def test_days_follow_the_chosen_zones_midnights_and_a_daylight_saving_day_is_23_hours():
    berlin = ZoneInfo("Europe/Berlin")
    login = datetime(2026, 3, 28, 22, 0, tzinfo=berlin).timestamp() - T0_SECONDS
    logout = datetime(2026, 3, 30, 1, 0, tzinfo=berlin).timestamp() - T0_SECONDS
    events = [state("a1", AVAILABLE, login), state("a1", LOGGED_OUT, logout)]
    days = fold_periods(events, CONFIG, PeriodKind.DAY, berlin)
    assert [(d.period, d.totals.available_seconds / HOUR) for d in days] == [
        ("2026-03-28", 2.0),
        ("2026-03-29", 23.0),  # clocks went forward at 02:00
        ("2026-03-30", 1.0),
    ]
