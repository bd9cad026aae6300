"""Wellbeing: stress bands across the floor, who carries the highest load (when per-agent detail
is allowed), breaks due and overdue, break compliance and violations by rule."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from floorwatch.dashboards import promql as q
from floorwatch.dashboards.common import (
    SITE_TEAM,
    Board,
    Query,
    listing,
    neutral_steps,
    single,
    site_team_variables,
    steps,
    stress_steps,
    trend,
)
from floorwatch.dashboards.thresholds import Thresholds

UID = "floorwatch-wellbeing"
PRIVACY = (
    "Per-agent rows follow the workers' privacy setting: named ids, pseudonyms (FLOORWATCH_PRIVACY="
    "pseudonymous) or nothing at all (off); the team panels work in every mode."
)


def build(t: Thresholds) -> Dashboard:
    compliance = steps((None, "red"), (0.8, "orange"), (0.95, "green"))
    board = Board(
        UID,
        "floorwatch / Wellbeing",
        "Stress load and breaks: who needs a recovery break, and whether the break rules are kept. "
        "Protective, never a performance measure.",
        site_team_variables(),
    )
    board.row("Stress load")
    board.add(
        trend(
            "Agents by stress band",
            f"Staffed agents per stress band: normal (< {t.stress_elevated_from:g}), "
            f"elevated, high (>= {t.stress_high_from:g}, a recovery break is due). The score is an explained "
            "workload index (docs/stress.md).",
            "short",
            neutral_steps(),
            [Query(f"sum by (band) (floorwatch_team_agents_by_stress_band{{{SITE_TEAM}}})", "{{band}}")],
            stacked=True,
            min_value=0,
        ),
        width=12,
    )
    board.add(
        single(
            "Agents at high stress",
            "Agents whose stress load is in the high band now: offer each a recovery break and lighter routing.",
            "short",
            steps((None, "green"), (1, "red")),
            [Query(f'sum(floorwatch_team_agents_by_stress_band{{{SITE_TEAM}, band="high"}})', "high")],
        ),
        width=4,
    )
    board.add(
        listing(
            "Highest stress loads now",
            "The ten highest stress scores (0-100) in the selected teams. " + PRIVACY,
            "none",
            stress_steps(t),
            [Query(f"topk(10, floorwatch_agent_stress_score{{{SITE_TEAM}}})")],
        ),
        width=8,
    )
    board.row("Breaks")
    board.add(
        trend(
            "Agents with a break overdue",
            "Agents on shift whose rest or meal break, required by the break "
            "policy, is overdue beyond its grace period.",
            "short",
            steps((None, "green"), (1, "orange")),
            [
                Query(
                    f"sum by (site, team) (floorwatch_team_agents_break_overdue{{{SITE_TEAM}}})", "{{team}} ({{site}})"
                )
            ],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Break compliance by team",
            "Agents on shift with no break overdue, as a share of the agents on shift.",
            "percentunit",
            compliance,
            [
                Query(
                    f"max by (site, team) (floorwatch_team_break_compliance_ratio{{{SITE_TEAM}}})",
                    "{{team}} ({{site}})",
                )
            ],
            bands=True,
            min_value=0,
            max_value=1,
        )
    )
    board.add(
        single(
            "Break compliance by site",
            "The same share for each site as a whole.",
            "percentunit",
            compliance,
            [Query(f'{q.SITE_BREAK_COMPLIANCE}{{site=~"$site"}}', "{{site}}")],
        ),
        width=6,
    )
    board.add(
        trend(
            "Violations by rule",
            "Break-rule violations in the members' current shifts, per rule of the policy (docs/breaks.md).",
            "short",
            steps((None, "green"), (1, "orange")),
            [Query(f"sum by (rule, basis) (floorwatch_team_break_violations{{{SITE_TEAM}}})", "{{rule}} ({{basis}})")],
            min_value=0,
        ),
        width=18,
    )
    board.add(
        trend(
            "Break compliance by basis",
            "The compliance share for statute, guidance and house-policy rules apart: only statute "
            "breaches are breaches of law, and the works-council ratio counts those alone by default.",
            "percentunit",
            compliance,
            [
                Query(
                    f"min by (basis) (floorwatch_team_break_compliance_by_basis_ratio{{{SITE_TEAM}}})",
                    "{{basis}}",
                )
            ],
            min_value=0,
            max_value=1,
        ),
        width=12,
    )
    board.add(
        listing(
            "Next breaks due",
            "When each agent's next rest break is due, soonest first. " + PRIVACY,
            "dateTimeFromNow",
            neutral_steps(),
            [Query(f"sort(floorwatch_agent_break_due_timestamp_seconds{{{SITE_TEAM}}} * 1000)")],
        )
    )
    board.add(
        trend(
            "Share of a queue's agents on a break",
            "Per team and queue, the share of the staffed agents "
            f"serving it who are on a rest break; from {t.coverage_on_break_ratio:.0%} with contacts waiting "
            "the break-coverage alert fires.",
            "percentunit",
            steps((None, "green"), (t.coverage_on_break_ratio, "orange")),
            [Query(f"{q.TEAM_QUEUE_ON_BREAK}{{{SITE_TEAM}}}", "{{team}} / {{queue}}")],
            bands=True,
            min_value=0,
            max_value=1,
        )
    )
    return board.dashboard
