"""One agent's /metrics sample lines, written straight from its figures.

The same bytes `FloorCollector.agent_families` gives through prometheus-client (labels in sorted
order, values escaped, Go float format: `tests/unit/streams/test_floor_page.py` checks them
against it), without building a metric family and a labels dict per sample: the page writes the
lines of every agent a tick changed (150 a tick at five times the live rate), and that build was
most of a tick's cost.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client.utils import floatToGoString as number

from floorwatch.core.agent import AgentFigures
from floorwatch.streams.metrics import WINDOWS

FAMILIES = 7  # agent_families yields seven families, in this order
_NONE = [b""] * FAMILIES


def agent_lines(a: AgentFigures, agent_key: Callable[[str], str]) -> list[bytes]:
    """The agent's lines, one entry per family of `agent_families` (empty when it has none)."""
    if a.state in (None, "LOGGED_OUT"):
        return _NONE  # off shift: no per-agent series at all
    agent = _escaped(agent_key(a.agent_id))
    team, site = _escaped(a.team_id or "unassigned"), _escaped(a.site_id or "unassigned")
    who = f'agent="{agent}",site="{site}",team="{team}"'
    state = _escaped(a.state)
    info = f'floorwatch_agent_info{{agent="{agent}",site="{site}",state="{state}",team="{team}"}} 1.0\n'
    occupancy = []
    shift = a.occupancy.shift.occupancy_ratio
    if shift is not None:
        occupancy.append(f'floorwatch_agent_occupancy_ratio{{{who},window="shift"}} {number(shift)}\n')
    for seconds, name in WINDOWS:
        value = a.occupancy.window(seconds).figures.occupancy_ratio
        if value is not None:
            occupancy.append(f'floorwatch_agent_occupancy_ratio{{{who},window="{name}"}} {number(value)}\n')
    stress = f"floorwatch_agent_stress_score{{{who}}} {number(a.stress.score)}\n"
    breaks = a.breaks
    due = ""
    if breaks.break_due_in_seconds is not None:
        due_at = number(a.as_of_seconds + breaks.break_due_in_seconds)
        due = f"floorwatch_agent_break_due_timestamp_seconds{{{who}}} {due_at}\n"
    overdue = f"floorwatch_agent_break_overdue{{{who}}} {'1.0' if breaks.overdue else '0.0'}\n"
    required, latest = [], []
    for need in breaks.required:
        basis, rule = _escaped(need.basis), _escaped(need.rule)
        labels = f'agent="{agent}",basis="{basis}",rule="{rule}",site="{site}",team="{team}"'
        required.append(f"floorwatch_agent_breaks_required{{{labels}}} {number(need.missing)}\n")
        if need.latest_start_seconds is not None:
            at = number(need.latest_start_seconds)
            latest.append(f"floorwatch_agent_break_latest_start_timestamp_seconds{{{labels}}} {at}\n")
    texts = (info, "".join(occupancy), stress, due, overdue, "".join(required), "".join(latest))
    return [text.encode() for text in texts]


def _escaped(value: object) -> str:
    return str(value).replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
