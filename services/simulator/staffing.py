"""Staffing: the forecast each team is sized for, with Erlang C, from its planned schedules.

A WFM planner turns a forecast into a head count; the simulator is given the head count (the
CLI's number of agents), so it runs the same relation the other way: each queue's volume is
the largest one that the team's *planned* on-queue staff answer at the target service level
over the day (contact-weighted, as daily service-level reports count it). Peaks then run below
target and quiet intervals above it, as on a real floor. Unplanned shrinkage (late or long
breaks) and under-staffing come on top of the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from floorwatch.services.simulator.erlang import service_level_fractional
from floorwatch.services.simulator.model import Agent, Segment
from floorwatch.services.simulator.settings import SimulatorSettings

_SEARCH_STEPS = 50


def expected_handle_seconds(settings: SimulatorSettings) -> float:
    """Mean talk + hold + wrap-up, exactly as the engine draws them.

    Escalated contacts talk `escalation_talk_factor` times longer; a caller who hangs up on hold
    ends the contact there, skipping on average half the talk (the hold starts at a uniform
    point between 20% and 80% of it).
    """
    talk = settings.talk.mean_seconds * (1 + settings.escalation_ratio * (settings.escalation_talk_factor - 1))
    cut_short = settings.hold_ratio * settings.hold_abandon_ratio * 0.5
    return talk * (1 - cut_short) + settings.hold_ratio * settings.hold.mean_seconds + settings.wrap.mean_seconds


def planned_on_queue(agents: Sequence[Agent], segments: Sequence[Segment]) -> tuple[float, ...]:
    """Time-averaged number of agents scheduled to work (not on break, lunch, training...) per segment."""
    totals = [0.0] * len(segments)
    for agent in agents:
        for activity in agent.schedule:
            if activity.kind != "work":
                continue
            for index, segment in enumerate(segments):
                overlap = min(activity.end_seconds, segment.end_seconds) - max(
                    activity.start_seconds, segment.start_seconds
                )
                if overlap > 0:
                    totals[index] += overlap
    return tuple(total / segment.length_seconds for total, segment in zip(totals, segments))


def size_arrival_rates(
    on_queue: Sequence[float],
    segments: Sequence[Segment],
    handle_seconds: float,
    settings: SimulatorSettings,
) -> tuple[float, ...]:
    """Arrival rate per segment: the profile's shape, scaled so the daily service level meets target.

    A segment with less than one planned agent is closed (no arrivals), like a queue outside
    its opening hours.
    """
    weights = [seg.weight if staff >= 1 else 0.0 for seg, staff in zip(segments, on_queue)]
    volume = [w * seg.length_seconds for w, seg in zip(weights, segments)]
    if sum(volume) == 0:
        return tuple(0.0 for _ in segments)

    def daily_service_level(scale: float) -> float:
        answered = 0.0
        for w, staff, v in zip(weights, on_queue, volume):
            if v > 0:
                traffic = scale * w * handle_seconds
                answered += v * service_level_fractional(
                    staff, traffic, handle_seconds, settings.service_level_threshold_seconds
                )
        return answered / sum(volume)

    low = 0.0
    high = max((staff + 1) / (w * handle_seconds) for w, staff in zip(weights, on_queue) if w > 0)
    for _ in range(_SEARCH_STEPS):
        middle = (low + high) / 2
        if daily_service_level(middle) >= settings.target_service_level_ratio:
            low = middle
        else:
            high = middle
    return tuple(low * w for w in weights)
