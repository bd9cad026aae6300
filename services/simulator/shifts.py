"""Placing shift starts so that a team's head count follows the day's demand curve.

When the simulated window is longer than a shift, a planner staggers the starts so that more
people are in at the peaks than at night. This is a greedy version of that: each shift in turn
takes the start (on a 30-minute grid) that covers the most still-uncovered demand, where the
demand per interval is the profile's share of the team's total agent-hours.
"""

from __future__ import annotations

from collections.abc import Sequence

from floorwatch.services.simulator.model import Segment

START_GRID_SECONDS = 1800.0


def shift_starts(
    team_size: int, shift_seconds: float, duration_seconds: float, segments: Sequence[Segment]
) -> list[float]:
    """Start of each of the team's shifts, sorted; all at 0 when a shift spans the whole window."""
    spare = duration_seconds - shift_seconds
    if spare <= 0:
        return [0.0] * team_size
    demand_seconds = sum(seg.weight * seg.length_seconds for seg in segments)
    if demand_seconds == 0:
        return [0.0] * team_size
    # Agents wanted per segment if the team's agent-hours were spread like the demand.
    wanted = [seg.weight / demand_seconds * team_size * shift_seconds for seg in segments]
    covered = [0.0] * len(segments)
    candidates = [i * START_GRID_SECONDS for i in range(int(spare // START_GRID_SECONDS) + 1)]
    starts = []
    for _ in range(team_size):
        best = max(candidates, key=lambda start: (_gain(start, shift_seconds, segments, wanted, covered), -start))
        _cover(best, shift_seconds, segments, covered)
        starts.append(best)
    return sorted(starts)


def _overlap_share(start: float, shift_seconds: float, segment: Segment) -> float:
    overlap = min(start + shift_seconds, segment.end_seconds) - max(start, segment.start_seconds)
    return max(0.0, overlap) / segment.length_seconds


def _gain(
    start: float, shift_seconds: float, segments: Sequence[Segment], wanted: list[float], covered: list[float]
) -> float:
    gain = 0.0
    for index, segment in enumerate(segments):
        share = _overlap_share(start, shift_seconds, segment)
        if share > 0:
            gain += min(share, max(0.0, wanted[index] - covered[index])) * segment.length_seconds
    return gain


def _cover(start: float, shift_seconds: float, segments: Sequence[Segment], covered: list[float]) -> None:
    for index, segment in enumerate(segments):
        covered[index] += _overlap_share(start, shift_seconds, segment)
