"""Team, site, queue and floor roll-ups of agent figures (docs/metrics.md).

Ratios of a group are computed from summed seconds - sum of handle over sum of
(handle + available) - never as an average of the members' ratios, so an agent who
worked ten minutes weighs ten minutes, not as much as one who worked eight hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from floorwatch.core import breaks
from floorwatch.core.agent import AgentFigures
from floorwatch.core.events import STATE_CATEGORY, AgentState, StateCategory
from floorwatch.core.occupancy import OccupancyConfig, SpanFigures, WindowFigures, ratio, span_figures


@dataclass(frozen=True)
class GroupFigures:
    agents: int  # members with any figures, staffed or not
    agents_by_state: dict[str, int]  # every state, 0 included, by the members' current state
    agents_staffed: int  # logged in now
    agents_in_handle: int
    agents_available: int
    agents_in_aux: int
    live_floor_occupancy_ratio: float | None  # in handle / (in handle + available), right now
    total: SpanFigures  # summed over the members' totals
    shift: SpanFigures  # summed over the members' shift-to-date
    windows: tuple[WindowFigures, ...]  # summed per window; covered_seconds is the longest member's
    contacts_handled: int
    average_handle_seconds: float | None
    agents_on_shift: int  # by the break policy's notion of shift (staffed now)
    agents_break_overdue: int
    break_compliance_ratio: float | None  # on shift with no break overdue under the counted bases / on shift
    break_violations_total: int
    # The same ratio for statute, guidance and house_policy apart (law is never mixed with the rest).
    break_compliance_ratio_by_basis: dict[str, float | None] = field(default_factory=dict)
    # On shift with a break overdue under a rule of each basis (an agent may count under several).
    agents_break_overdue_by_basis: dict[str, int] = field(default_factory=dict)


def rollup(members: Iterable[AgentFigures], config: OccupancyConfig) -> GroupFigures:
    """One group's figures from its members' figures (all viewed at the same instant)."""
    members = list(members)
    by_state = {state.value: 0 for state in AgentState}
    for member in members:
        if member.state is not None:
            by_state[member.state] += 1
    in_category = dict.fromkeys(StateCategory, 0)
    for state, count in by_state.items():
        in_category[STATE_CATEGORY[AgentState(state)]] += count
    handle, available = in_category[StateCategory.HANDLE], in_category[StateCategory.AVAILABLE]
    aux = in_category[StateCategory.AUX_REST] + in_category[StateCategory.AUX_OTHER]
    contacts = sum(m.occupancy.contacts_handled for m in members)
    handled_seconds = sum(m.occupancy.handled_contact_seconds for m in members)
    return GroupFigures(
        agents=len(members),
        agents_by_state=by_state,
        agents_staffed=handle + available + aux,
        agents_in_handle=handle,
        agents_available=available,
        agents_in_aux=aux,
        live_floor_occupancy_ratio=ratio(handle, handle + available),
        total=_sum_spans([_total_span(m) for m in members], config),
        shift=_sum_spans([m.occupancy.shift for m in members], config),
        windows=tuple(_sum_windows(members, w, config) for w in config.windows_seconds),
        contacts_handled=contacts,
        average_handle_seconds=handled_seconds / contacts if contacts else None,
        agents_on_shift=sum(1 for m in members if m.breaks.on_shift),
        agents_break_overdue=sum(1 for m in members if m.breaks.on_shift and m.breaks.overdue),
        break_compliance_ratio=breaks.team_compliance_ratio([m.breaks for m in members]),
        break_violations_total=sum(m.breaks.violations_total for m in members),
        break_compliance_ratio_by_basis=breaks.compliance_ratio_by_basis([m.breaks for m in members]),
        agents_break_overdue_by_basis={
            basis: sum(1 for m in members if m.breaks.on_shift and basis in m.breaks.overdue_bases)
            for basis in breaks.BASES
        },
    )


def agents_by_stress_band(members: Iterable[AgentFigures]) -> dict[str, int]:
    """Staffed members per stress band (logged-out agents are in no band), every band present."""
    bands = {"normal": 0, "elevated": 0, "high": 0}
    for member in members:
        if member.state not in (None, AgentState.LOGGED_OUT.value):
            bands[member.stress.band] = bands.get(member.stress.band, 0) + 1
    return bands


def group_by(
    members: Iterable[AgentFigures], keys: Callable[[AgentFigures], Iterable[str]], config: OccupancyConfig
) -> dict[str, GroupFigures]:
    """Roll up per group; `keys` names the groups an agent belongs to (none, one or several)."""
    groups: dict[str, list[AgentFigures]] = {}
    for member in members:
        for key in keys(member):
            groups.setdefault(key, []).append(member)
    return {key: rollup(groups[key], config) for key in sorted(groups)}


def by_team(members: Iterable[AgentFigures], config: OccupancyConfig) -> dict[str, GroupFigures]:
    return group_by(members, lambda m: (m.team_id,) if m.team_id is not None else (), config)


def by_site(members: Iterable[AgentFigures], config: OccupancyConfig) -> dict[str, GroupFigures]:
    return group_by(members, lambda m: (m.site_id,) if m.site_id is not None else (), config)


def by_queue(members: Iterable[AgentFigures], config: OccupancyConfig) -> dict[str, GroupFigures]:
    """An agent serving several queues counts, whole, in each (agents staffed for the queue)."""
    return group_by(members, lambda m: m.queues, config)


def _total_span(member: AgentFigures) -> SpanFigures:
    o = member.occupancy
    return SpanFigures(
        handle_seconds=o.handle_seconds,
        available_seconds=o.available_seconds,
        aux_seconds=o.aux_seconds,
        staffed_seconds=o.staffed_seconds,
        occupancy_ratio=None,
        utilization_ratio=None,
        band=None,
    )


def _sum_spans(spans: list[SpanFigures], config: OccupancyConfig) -> SpanFigures:
    return span_figures(
        sum(s.handle_seconds for s in spans),
        sum(s.available_seconds for s in spans),
        sum(s.aux_seconds for s in spans),
        config,
    )


def _sum_windows(members: list[AgentFigures], window_seconds: float, config: OccupancyConfig) -> WindowFigures:
    windows = [m.occupancy.window(window_seconds) for m in members]
    covered = max((w.covered_seconds for w in windows), default=0.0)
    return WindowFigures(
        window_seconds=window_seconds, covered_seconds=covered, figures=_sum_spans([w.figures for w in windows], config)
    )
