"""Recording rules: the roll-ups that dashboards and alerts read many times a minute."""

from __future__ import annotations

from floorwatch.dashboards import promql as q


def recording_rules() -> list[dict[str, str]]:
    waiting_per_queue = "max by (queue) (floorwatch_queue_contacts_waiting)"
    # 1 for every (site, team, queue) where the team has someone staffed serving the queue.
    served = "(count by (site, team, queue) (floorwatch_team_queue_agents) > bool 0)"
    on_break = f'sum by (site, team, queue) (floorwatch_team_queue_agents{{state=~"{q.REST_STATES}"}})'
    staffed_per_queue = "sum by (site, team, queue) (floorwatch_team_queue_agents)"
    return [
        _record(q.TEAM_OCCUPANCY, q.window_occupancy("site, team")),
        _record(q.SITE_OCCUPANCY, q.window_occupancy("site")),
        _record(q.FLOOR_OCCUPANCY, q.window_occupancy("")),
        _record(q.TEAM_SHIFT_OCCUPANCY, q.shift_occupancy("site, team")),
        _record(q.SITE_SHIFT_OCCUPANCY, q.shift_occupancy("site")),
        _record(q.FLOOR_SHIFT_OCCUPANCY, q.shift_occupancy("")),
        _record(
            q.SITE_LIVE_OCCUPANCY,
            f'sum by (site) (floorwatch_team_agents{{state=~"{q.HANDLE_STATES}"}})'
            f' / (sum by (site) (floorwatch_team_agents{{state=~"{q.READY_STATES}"}}) > 0)',
        ),
        _record(
            q.SITE_BREAK_COMPLIANCE,
            "(sum by (site) (floorwatch_team_agents_on_shift) - sum by (site) (floorwatch_team_agents_break_overdue))"
            " / (sum by (site) (floorwatch_team_agents_on_shift) > 0)",
        ),
        # Queue series live on one worker at a time; max drops `instance` without doubling a
        # queue that is briefly reported by the worker handing it over and the one taking it.
        _record(q.QUEUE_WAITING, waiting_per_queue),
        _record(q.QUEUE_SERVICE_LEVEL, "max by (queue) (floorwatch_queue_service_level_ratio)"),
        _record(q.QUEUE_OFFERED, "max by (queue) (floorwatch_queue_offered_contacts)"),
        # Nobody on a break is a ratio of 0, not a missing series.
        _record(q.TEAM_QUEUE_ON_BREAK, f"({on_break} or 0 * {staffed_per_queue}) / ({staffed_per_queue} > 0)"),
        _record(q.TEAM_WAITING, f"sum by (site, team) ({waiting_per_queue} * on (queue) group_right () {served})"),
        # Staffing advice (docs/staffing.md): what each queue needs, serves (members handling or
        # available, over every team) and lacks. A queue nobody serves lacks all it needs.
        _record(q.QUEUE_AGENTS_NEEDED, "max by (queue, skill, target) (floorwatch_queue_agents_needed)"),
        _record(q.QUEUE_AGENTS_SERVING, f'sum by (queue) (floorwatch_team_queue_agents{{state=~"{q.READY_STATES}"}})'),
        _record(
            q.QUEUE_AGENTS_SHORT,
            f"clamp_min({q.QUEUE_AGENTS_NEEDED} - on (queue) group_left () {q.QUEUE_AGENTS_SERVING}, 0)"
            f" or {q.QUEUE_AGENTS_NEEDED}",
        ),
    ]


def _record(name: str, expr: str) -> dict[str, str]:
    return {"record": name, "expr": expr}
