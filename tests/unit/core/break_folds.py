"""Folding state segments through the break track, for the break and adherence tests."""

from __future__ import annotations

from floorwatch.core import breaks
from floorwatch.core.breaks import BreakRuleBreached
from tests.unit.core.builders import MINUTE, epoch


def fold(policy, segments, schedule_event=None, start_minute=0.0):
    """Replay (state, minutes) segments from T0 + start_minute; return (figures, outputs, end_minute)."""
    track, current, last = breaks.initial(policy), None, None
    outputs = []
    if schedule_event is not None:
        track = breaks.on_schedule(track, schedule_event.data, policy)
    minute = start_minute
    for new, minutes in segments:
        t = epoch(minute * MINUTE)
        if last is not None:
            track, found = breaks.advance(track, current, last, t, policy)
            outputs += found
        track, found = breaks.on_state(track, current, new, t, policy)
        outputs += found
        current, last, minute = new, t, minute + minutes
    end = epoch(minute * MINUTE)
    track, found = breaks.advance(track, current, last, end, policy)
    outputs += found
    return breaks.view(track, current, end, policy), outputs, minute


def breached(outputs):
    """(rule, minute the deadline passed, minute it was flagged) for each violation."""
    return [
        (o.rule, round((o.at_seconds - epoch(0)) / MINUTE, 6), round((o.flagged_at_seconds - epoch(0)) / MINUTE, 6))
        for o in outputs
        if isinstance(o, BreakRuleBreached)
    ]
