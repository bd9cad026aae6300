"""Occupancy over the last hour, from the stress track's own history of handle and available
spans: workload intensity needs it, and it must not wait for the occupancy track."""

from __future__ import annotations

from collections.abc import Sequence

from floorwatch.core.events import AgentState
from floorwatch.core.stress.config import HANDLE, StressConfig

Span = tuple[float, float, bool]  # (start, end, is_handle)


def extend_history(
    history: list[Span], state: AgentState | None, from_seconds: float, to_seconds: float, config: StressConfig
) -> None:
    """In place (the working state's list): time from `from_seconds` to `to_seconds` in `state`."""
    if state in HANDLE or state is AgentState.AVAILABLE:
        is_handle = state in HANDLE
        if history and history[-1][1] == from_seconds and history[-1][2] == is_handle:
            history[-1] = (history[-1][0], to_seconds, is_handle)
        else:
            history.append((from_seconds, to_seconds, is_handle))
    cutoff = to_seconds - config.occupancy_window_seconds
    drop = 0
    while drop < len(history) and history[drop][1] <= cutoff:
        drop += 1
    if drop:
        del history[:drop]


def occupancy_ratio(history: Sequence[Span], now_seconds: float, config: StressConfig) -> float | None:
    """Handle / (handle + available) over the last hour, from the track's own history."""
    start = now_seconds - config.occupancy_window_seconds
    handle = available = 0.0
    for begin, end, is_handle in history:
        seconds = (end if end < now_seconds else now_seconds) - (begin if begin > start else start)
        if seconds > 0.0:
            if is_handle:
                handle += seconds
            else:
                available += seconds
    total = handle + available
    return handle / total if total > 0.0 else None
