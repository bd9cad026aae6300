"""PromQL fragments shared by the recording rules, the alerts and the dashboards.

Site, floor and team figures are sums of the workers' team series (`sum by (site)`), and
ratios are sums of seconds divided by sums of seconds - time-weighted, never an average of
ratios (docs/metrics.md). Summing also drops `instance`, so a team that moves to another
worker keeps one unbroken series.
"""

from __future__ import annotations

from floorwatch.core.events import STATE_CATEGORY, StateCategory


def states_matching(*categories: StateCategory) -> str:
    """A label regex of the agent states in these categories, e.g. `AFTER_CONTACT_WORK|HOLD|ON_CONTACT`."""
    return "|".join(sorted(state.value for state, category in STATE_CATEGORY.items() if category in categories))


HANDLE_STATES = states_matching(StateCategory.HANDLE)
READY_STATES = states_matching(StateCategory.HANDLE, StateCategory.AVAILABLE)
REST_STATES = states_matching(StateCategory.AUX_REST)

SLIDING_WINDOWS = ("15m", "60m")  # the worker's `window` label values

# Record names follow Prometheus's level:metric:operation convention.
TEAM_OCCUPANCY = "site_team:floorwatch_occupancy:ratio"
SITE_OCCUPANCY = "site:floorwatch_occupancy:ratio"
FLOOR_OCCUPANCY = "floor:floorwatch_occupancy:ratio"
TEAM_SHIFT_OCCUPANCY = "site_team:floorwatch_shift_occupancy:ratio"
SITE_SHIFT_OCCUPANCY = "site:floorwatch_shift_occupancy:ratio"
FLOOR_SHIFT_OCCUPANCY = "floor:floorwatch_shift_occupancy:ratio"
SITE_LIVE_OCCUPANCY = "site:floorwatch_live_occupancy:ratio"
SITE_BREAK_COMPLIANCE = "site:floorwatch_break_compliance:ratio"
QUEUE_WAITING = "queue:floorwatch_contacts_waiting:max"
QUEUE_SERVICE_LEVEL = "queue:floorwatch_service_level:ratio"
QUEUE_OFFERED = "queue:floorwatch_offered_contacts:max"
TEAM_QUEUE_ON_BREAK = "site_team_queue:floorwatch_agents_on_rest_break:ratio"
TEAM_WAITING = "site_team:floorwatch_contacts_waiting_in_served_queues:sum"
QUEUE_AGENTS_NEEDED = "queue:floorwatch_agents_needed:max"
QUEUE_AGENTS_SERVING = "queue:floorwatch_agents_serving:sum"
QUEUE_AGENTS_SHORT = "queue:floorwatch_agents_short:max"


def time_weighted(handle: str, available: str, by: str) -> str:
    """Sum of handle seconds over the sum of handle + available seconds; absent where nobody was ready."""
    return f"sum by ({by}) ({handle}) / (sum by ({by}) ({handle} + {available}) > 0)"


def window_occupancy(by: str) -> str:
    labels = f"{by}, window" if by else "window"
    return time_weighted("floorwatch_team_window_handle_seconds", "floorwatch_team_window_available_seconds", labels)


def shift_occupancy(by: str) -> str:
    return time_weighted("floorwatch_team_handle_seconds", "floorwatch_team_available_seconds", by)
