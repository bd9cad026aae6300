"""Agent drill-down: one agent's state, occupancy, stress load and breaks, next to the team.

Only useful where per-agent labels are allowed (FLOORWATCH_PRIVACY named or pseudonymous);
with privacy off the agent list is empty and so is every per-agent panel, by design.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.models.common import BigValueTextMode
from grafana_foundation_sdk.models.dashboard import ValueMap, ValueMappingResult

from floorwatch.dashboards import promql as q
from floorwatch.dashboards.common import (
    SITE_TEAM,
    Board,
    Query,
    listing,
    neutral_steps,
    occupancy_steps,
    single,
    site_team_variables,
    steps,
    stress_steps,
    trend,
    variable,
)
from floorwatch.dashboards.thresholds import Thresholds

UID = "floorwatch-agent"
AGENT = f'{SITE_TEAM}, agent="$agent"'


def build(t: Thresholds) -> Dashboard:
    agent = variable("agent", "Agent", f"label_values(floorwatch_agent_info{{{SITE_TEAM}}}, agent)", multi=False)
    board = Board(
        UID,
        "floorwatch / Agent",
        "One agent's workload, stress load and breaks, to decide on a recovery "
        "break or lighter routing. Needs per-agent labels (FLOORWATCH_PRIVACY named or pseudonymous).",
        [*site_team_variables(), agent],
    )
    board.row("Now")
    board.add(
        single(
            "State now",
            "The agent's current state as the contact-center platform reports it.",
            "none",
            neutral_steps(),
            [Query(f"floorwatch_agent_info{{{AGENT}}}", "{{state}}")],
            text_mode=BigValueTextMode.NAME,
        ),
        width=6,
        height=5,
    )
    board.add(
        single(
            "Stress load",
            f"Workload and recovery index, 0-100: below {t.stress_elevated_from:g} normal, "
            f"from {t.stress_high_from:g} a recovery break is due. docs/stress.md explains the components.",
            "none",
            stress_steps(t),
            [Query(f"floorwatch_agent_stress_score{{{AGENT}}}", "stress")],
            text_mode=BigValueTextMode.VALUE,
        ),
        width=6,
        height=5,
    )
    board.add(
        single(
            "Next break due",
            "When the break policy next requires a rest break.",
            "dateTimeFromNow",
            neutral_steps(),
            [Query(f"floorwatch_agent_break_due_timestamp_seconds{{{AGENT}}} * 1000", "due")],
            text_mode=BigValueTextMode.VALUE,
        ),
        width=6,
        height=5,
    )
    overdue = single(
        "Break overdue",
        "Whether a required break is overdue beyond its grace period.",
        "none",
        steps((None, "green"), (1, "red")),
        [Query(f"floorwatch_agent_break_overdue{{{AGENT}}}", "overdue")],
        text_mode=BigValueTextMode.VALUE,
    )
    overdue = overdue.mappings(
        [
            ValueMap(
                {
                    "0": ValueMappingResult(text="no", color="green"),
                    "1": ValueMappingResult(text="overdue", color="red"),
                }
            )
        ]
    )
    board.add(overdue, width=6, height=5)
    board.add(
        listing(
            "Breaks required today: latest start",
            "Breaks the working day already calls for and not yet taken (rules judged when the day "
            "ends included), with the latest start that still satisfies each rule, per rule and basis.",
            "dateTimeAsIso",
            neutral_steps(),
            [Query(f"floorwatch_agent_break_latest_start_timestamp_seconds{{{AGENT}}} * 1000", "{{rule}} ({{basis}})")],
        ),
        width=12,
        height=5,
    )
    board.row("Over time")
    board.add(
        trend(
            "Occupancy (agent)",
            "The agent's occupancy over the last 15 and 60 minutes and since the shift began.",
            "percentunit",
            occupancy_steps(t),
            [Query(f"max by (window) (floorwatch_agent_occupancy_ratio{{{AGENT}}})", "{{window}}")],
            bands=True,
            min_value=0,
            max_value=1,
        )
    )
    board.add(
        trend(
            "Stress load over time",
            "How the agent's load built up and recovered (breaks shed load fast).",
            "none",
            stress_steps(t),
            [Query(f"max(floorwatch_agent_stress_score{{{AGENT}}})", "stress")],
            bands=True,
            min_value=0,
            max_value=100,
        )
    )
    board.add(
        trend(
            "Team occupancy (15 min)",
            "The agent's team, for comparison: an agent far above the team "
            "average is getting more than a fair share of contacts.",
            "percentunit",
            occupancy_steps(t),
            [Query(f'{q.TEAM_OCCUPANCY}{{window="15m", {SITE_TEAM}}}', "{{team}}")],
            bands=True,
            min_value=0,
            max_value=1,
        ),
        width=24,
    )
    return board.dashboard
