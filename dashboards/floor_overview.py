"""Floor overview: is the floor coping right now? Occupancy against the healthy band, agents by
state, the queues (waiting, longest wait, service level, abandons, short abandons) and the alerts firing."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

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
    trend,
)
from floorwatch.dashboards.thresholds import Thresholds

UID = "floorwatch-floor-overview"
# Queues served by the selected teams (someone staffed in them serves the queue).
SERVED = f"and on (queue) sum by (queue) (floorwatch_team_queue_agents{{{SITE_TEAM}}})"


def build(t: Thresholds) -> Dashboard:
    band = (
        f"Healthy band: {t.target_from_ratio:.0%}-{t.pressure_above_ratio:.0%} (green); pressure up to "
        f"{t.burnout_above_ratio:.0%} (orange); above that, sustained, is the burnout zone (red); below "
        f"{t.overstaffed_below_ratio:.0%} the floor is overstaffed (blue)."
    )
    board = Board(
        UID,
        "floorwatch / Floor overview",
        "Workload on the floor now: occupancy, agents by state, queues and active alerts.",
        site_team_variables(),
    )
    board.row("Occupancy")
    board.add(
        trend(
            "Occupancy by site (15 min)",
            "Share of the agents' ready time (handling + available) spent handling contacts over the last 15 "
            "minutes, summed over the site's agents (time-weighted). " + band,
            "percentunit",
            occupancy_steps(t),
            [
                Query(f'{q.SITE_OCCUPANCY}{{window="15m", site=~"$site"}}', "{{site}}"),
                Query(f'{q.FLOOR_OCCUPANCY}{{window="15m"}}', "whole floor"),
            ],
            bands=True,
            min_value=0,
            max_value=1,
        ),
        width=12,
    )
    board.add(
        trend(
            "Occupancy by team (15 min)",
            "The same figure per team: a team far above the others needs agents moved to it. " + band,
            "percentunit",
            occupancy_steps(t),
            [Query(f'{q.TEAM_OCCUPANCY}{{window="15m", {SITE_TEAM}}}', "{{team}} ({{site}})")],
            bands=True,
            min_value=0,
            max_value=1,
        ),
        width=12,
    )
    board.add(
        single(
            "Live occupancy",
            "Of the agents staffed and not on a break or other auxiliary work right now, "
            "the share handling a contact. " + band,
            "percentunit",
            occupancy_steps(t),
            [Query(f'{q.SITE_LIVE_OCCUPANCY}{{site=~"$site"}}', "{{site}}")],
        ),
        width=8,
        height=5,
    )
    board.add(
        single(
            "Occupancy since the shift began",
            "Shift-to-date occupancy per site, time-weighted. " + band,
            "percentunit",
            occupancy_steps(t),
            [Query(f'{q.SITE_SHIFT_OCCUPANCY}{{site=~"$site"}}', "{{site}}")],
        ),
        width=8,
        height=5,
    )
    board.add(
        single(
            "Agents staffed",
            "Agents logged in now in the selected teams, on any state.",
            "short",
            neutral_steps(),
            [Query(f"sum(floorwatch_team_agents_staffed{{{SITE_TEAM}}})", "staffed")],
        ),
        width=8,
        height=5,
    )
    board.row("Agents")
    board.add(
        trend(
            "Agents by state",
            "How many agents are available, on a contact, on hold, in wrap-up, on a break "
            "or in other auxiliary work (training, meetings), stacked.",
            "short",
            neutral_steps(),
            [Query(f'sum by (state) (floorwatch_team_agents{{{SITE_TEAM}, state!="LOGGED_OUT"}})', "{{state}}")],
            stacked=True,
            min_value=0,
        ),
        width=24,
    )
    board.row("Queues")
    board.add(
        trend(
            "Contacts waiting",
            "Contacts waiting now in each queue the selected teams serve.",
            "short",
            steps((None, "green"), (t.coverage_min_contacts_waiting, "orange"), (10, "red")),
            [Query(f"{q.QUEUE_WAITING} {SERVED}", "{{queue}}")],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Longest wait",
            "How long the longest-waiting contact in each queue has waited so far.",
            "s",
            steps(
                (None, "green"), (t.longest_wait_warning_seconds, "orange"), (t.longest_wait_critical_seconds, "red")
            ),
            [Query(f"max by (queue) (floorwatch_queue_longest_wait_seconds) {SERVED}", "{{queue}}")],
            min_value=0,
        )
    )
    board.add(
        trend(
            "Service level (30 min)",
            f"Share of contacts answered within the threshold over the last 30 "
            f"minutes; the target is {t.service_level_target_ratio:.0%}.",
            "percentunit",
            steps((None, "red"), (t.service_level_target_ratio, "green")),
            [Query(f"{q.QUEUE_SERVICE_LEVEL} {SERVED}", "{{queue}}")],
            min_value=0,
            max_value=1,
        )
    )
    board.add(
        trend(
            "Abandon rate (30 min)",
            "Share of contacts whose caller hung up before being answered, over the last 30 minutes.",
            "percentunit",
            steps((None, "green"), (0.05, "orange"), (0.10, "red")),
            [Query(f"max by (queue) (floorwatch_queue_abandon_ratio) {SERVED}", "{{queue}}")],
            min_value=0,
            max_value=1,
        )
    )
    board.add(
        trend(
            "Short abandons (30 min)",
            "Callers who hung up within 5 seconds, over the last 30 minutes: left out of the abandon rate "
            "and service level, so shown here on their own. A rise often means a broken announcement or IVR.",
            "short",
            steps((None, "green")),
            [Query(f"max by (queue) (floorwatch_queue_short_abandoned_contacts) {SERVED}", "{{queue}}")],
            min_value=0,
        )
    )
    board.row("Staffing advice")
    board.add(
        trend(
            "Agents needed and serving",
            "Per queue: the agents needed now to meet its service-level target (Erlang C, or Erlang A when "
            "callers abandon; from the last 15 minutes of arrivals and 30 of handle time) against the agents "
            "handling or available for it across every team. docs/manager-guide.md explains how to read it.",
            "short",
            neutral_steps(),
            [
                Query(f"{q.QUEUE_AGENTS_NEEDED} {SERVED}", "{{queue}} needs ({{target}})"),
                Query(f"{q.QUEUE_AGENTS_SERVING} {SERVED}", "{{queue}} serving"),
            ],
            min_value=0,
        ),
        width=12,
    )
    board.add(
        listing(
            "Agents short now",
            "Per queue: agents needed minus agents serving, never below 0. A queue short of agents is where "
            "people are working beyond a sustainable pace.",
            "short",
            steps((None, "green"), (1, "orange"), (3, "red")),
            [Query(f"{q.QUEUE_AGENTS_SHORT} {SERVED}")],
        ),
        width=6,
    )
    board.add(
        listing(
            "Agents teams could lend",
            "Per team and skill: members available now, with no rest break due within the advice horizon "
            f"and stress not high. Only teams below {t.spare_below_ratio:.0%} occupancy over 15 minutes are "
            "suggested to lend (the overload alert names them).",
            "short",
            neutral_steps(),
            [Query("max by (site, team, skill) (floorwatch_team_skill_agents_movable)")],
        ),
        width=6,
    )
    board.row("Alerts")
    board.add(
        listing(
            "Active floor alerts",
            "Floor alerts firing now (overload, stress, breaks, coverage, service "
            "level). docs/runbook.md says what each means and what to do.",
            "short",
            steps((None, "red")),
            [Query('sum by (alertname, severity, site, team, queue) (ALERTS{alertstate="firing", component="floor"})')],
        ),
        width=24,
    )
    return board.dashboard
