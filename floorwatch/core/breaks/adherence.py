"""Break adherence against the schedule: the break slice of real-time adherence (docs/breaks.md).

As the WFM suites do it: a table says, per scheduled activity, which agent states are in
adherence (the rest are out, or neutral if listed so); adherence = time in adherence /
scheduled time (neutral time left out of both); an exception is raised only once an
out-of-adherence run outlasts a tolerance (Genesys: exception threshold; Calabrio: a
threshold per rule; Verint: tolerance minutes per activity). Time inside the shift that no
activity covers is work. A scheduled break is taken on time when it starts within
+/- `start_grace_seconds` of its planned start and lasts its planned length +/-
`length_grace_seconds`; it is missed when nothing started by planned start + grace. A break
the agent starts counts as the first untaken scheduled one it can belong to: same kind,
starting between `early_match_seconds` before its plan and its planned end.
"""

from __future__ import annotations

from floorwatch.core.breaks.adherence_model import (
    BREAK_ACTIVITIES,
    AdherenceConfig,
    AdherenceExceptionStarted,
    AdherenceOutput,
    AdherenceTrack,
    PlannedBreak,
    ScheduledBreakMissed,
)
from floorwatch.core.events import AgentState, SchedulePublishedData


def initial() -> AdherenceTrack:
    return AdherenceTrack()


def on_schedule(track: AdherenceTrack, schedule: SchedulePublishedData) -> AdherenceTrack:
    """The newest schedule wins; a republished plan for the same shift keeps what was measured."""
    start, end = schedule.shift_start.timestamp(), schedule.shift_end.timestamp()
    planned_activities = (
        (a.kind, a.start.timestamp(), a.end.timestamp()) for a in schedule.activities if a.end > a.start
    )
    activities = tuple(sorted(planned_activities, key=lambda a: (a[1], a[2], a[0])))
    known = {(b.kind, b.start_seconds, b.end_seconds): b for b in track.planned_breaks}
    planned = tuple(
        known.get((k, s, e), PlannedBreak(kind=k, start_seconds=s, end_seconds=e))
        for k, s, e in activities
        if k in BREAK_ACTIVITIES
    )
    same_shift = track.shift_start_seconds == start
    taking = track.taking if same_shift and track.taking is not None else None
    if taking is not None:
        old = track.planned_breaks[taking]
        taking = next((i for i, b in enumerate(planned) if b is old), None)
    if not same_shift:
        return AdherenceTrack(
            shift_start_seconds=start, shift_end_seconds=end, activities=activities, planned_breaks=planned
        )
    return AdherenceTrack(
        shift_start_seconds=start,
        shift_end_seconds=end,
        activities=activities,
        planned_breaks=planned,
        taking=taking,
        scheduled_seconds=track.scheduled_seconds,
        in_adherence_seconds=track.in_adherence_seconds,
        out_since_seconds=track.out_since_seconds,
        exception_raised=track.exception_raised,
        exceptions_total=track.exceptions_total,
    )


def planned_length_now(track: AdherenceTrack) -> float | None:
    """The planned length of the scheduled break being taken now, if any (for overrun rules)."""
    return None if track.taking is None else track.planned_breaks[track.taking].planned_seconds


def on_state(
    track: AdherenceTrack, old: AgentState | None, new: AgentState, at_seconds: float, config: AdherenceConfig
) -> AdherenceTrack:
    """Match a break the agent starts to the first untaken scheduled break it can belong to."""
    if new == old or not track.planned_breaks:
        return track
    breaks, taking = list(track.planned_breaks), track.taking
    if taking is not None:
        done = breaks[taking]
        breaks[taking] = PlannedBreak(
            kind=done.kind,
            start_seconds=done.start_seconds,
            end_seconds=done.end_seconds,
            taken_start_seconds=done.taken_start_seconds,
            taken_end_seconds=at_seconds,
            missed_reported=done.missed_reported,
        )
        taking = None
    opens_before = max(config.early_match_seconds, config.start_grace_seconds)
    for index, planned in enumerate(breaks):
        # Cheap tests first: most state changes match no planned break.
        if (
            planned.taken_start_seconds is None
            and planned.start_seconds - opens_before <= at_seconds <= planned.end_seconds
            and new in config.in_states(planned.kind)
        ):
            breaks[index] = PlannedBreak(
                kind=planned.kind,
                start_seconds=planned.start_seconds,
                end_seconds=planned.end_seconds,
                taken_start_seconds=at_seconds,
                taken_end_seconds=None,
                missed_reported=planned.missed_reported,
            )
            taking = index
            break
    if taking is None and track.taking is None:
        return track  # nothing ended, nothing matched
    return _rebuilt(
        track,
        tuple(breaks),
        taking,
        track.scheduled_seconds,
        track.in_adherence_seconds,
        track.out_since_seconds,
        track.exception_raised,
        track.exceptions_total,
    )


def advance(
    track: AdherenceTrack, state: AgentState | None, from_seconds: float, to_seconds: float, config: AdherenceConfig
) -> tuple[AdherenceTrack, tuple[AdherenceOutput, ...]]:
    shift_start, shift_end = track.shift_start_seconds, track.shift_end_seconds
    if shift_start is None or shift_end is None or to_seconds <= from_seconds:  # a schedule sets both
        return track, ()
    outputs: list[AdherenceOutput] = []
    scheduled, in_seconds = track.scheduled_seconds, track.in_adherence_seconds
    since, raised, total = track.out_since_seconds, track.exception_raised, track.exceptions_total
    for start, end, activity in _pieces(track, shift_start, shift_end, from_seconds, to_seconds):
        verdict = "none" if activity is None else config.verdict(activity, state)
        if verdict != "out" or activity is None:  # no activity: verdict "none"
            since, raised = None, False
            if verdict == "in":
                scheduled, in_seconds = scheduled + (end - start), in_seconds + (end - start)
            continue
        scheduled += end - start
        since = start if since is None else since
        due = since + config.exception_tolerance_seconds
        if not raised and end > due:
            outputs.append(
                AdherenceExceptionStarted(
                    activity=activity, state=None if state is None else state.value, since_seconds=since, at_seconds=due
                )
            )
            raised, total = True, total + 1
    breaks, missed = _missed(track.planned_breaks, to_seconds, config)
    track = _rebuilt(track, breaks, track.taking, scheduled, in_seconds, since, raised, total)
    return track, tuple(outputs) + missed


def _pieces(
    track: AdherenceTrack, shift_start: float, shift_end: float, from_seconds: float, to_seconds: float
) -> list[tuple[float, float, str | None]]:
    """(start, end, activity) over [from, to]: activity None outside the shift, 'work' in its gaps."""
    activities = track.activities
    if not from_seconds < shift_start < to_seconds and not from_seconds < shift_end < to_seconds:
        for _, start, end in activities:
            if from_seconds < start < to_seconds or from_seconds < end < to_seconds:
                break
        else:  # the usual case, time between two events: no cut inside, one piece
            middle = (from_seconds + to_seconds) / 2
            return [(from_seconds, to_seconds, _activity_at(track, shift_start, shift_end, middle))]
    cuts = {from_seconds, to_seconds, shift_start, shift_end}
    for _, start, end in activities:
        cuts.update((start, end))
    points = sorted(t for t in cuts if from_seconds <= t <= to_seconds)
    return [
        (start, end, _activity_at(track, shift_start, shift_end, (start + end) / 2))
        for start, end in zip(points, points[1:])
    ]


def _activity_at(track: AdherenceTrack, shift_start: float, shift_end: float, at_seconds: float) -> str | None:
    if not shift_start <= at_seconds < shift_end:
        return None
    found = "work"
    for kind, start, end in track.activities:
        if start <= at_seconds < end:
            found = kind  # the latest-starting activity wins an overlap
    return found


def _missed(
    breaks: tuple[PlannedBreak, ...], to_seconds: float, config: AdherenceConfig
) -> tuple[tuple[PlannedBreak, ...], tuple[ScheduledBreakMissed, ...]]:
    for planned in breaks:
        if (
            planned.taken_start_seconds is None
            and not planned.missed_reported
            and to_seconds > planned.start_seconds + config.start_grace_seconds
        ):
            break
    else:  # the usual case: nothing newly missed, the same planned breaks
        return breaks, ()
    outputs: list[ScheduledBreakMissed] = []
    updated: list[PlannedBreak] = []
    for planned in breaks:
        due = planned.start_seconds + config.start_grace_seconds
        if planned.taken_start_seconds is None and not planned.missed_reported and to_seconds > due:
            outputs.append(
                ScheduledBreakMissed(kind=planned.kind, planned_start_seconds=planned.start_seconds, at_seconds=due)
            )
            planned = PlannedBreak(
                kind=planned.kind,
                start_seconds=planned.start_seconds,
                end_seconds=planned.end_seconds,
                taken_start_seconds=None,
                taken_end_seconds=None,
                missed_reported=True,
            )
        updated.append(planned)
    return tuple(updated), tuple(outputs)


def _rebuilt(
    track: AdherenceTrack,
    planned_breaks: tuple[PlannedBreak, ...],
    taking: int | None,
    scheduled_seconds: float,
    in_adherence_seconds: float,
    out_since_seconds: float | None,
    exception_raised: bool,
    exceptions_total: int,
) -> AdherenceTrack:
    # Built directly: dataclasses.replace costs several times more, and this runs at every state change.
    return AdherenceTrack(
        shift_start_seconds=track.shift_start_seconds,
        shift_end_seconds=track.shift_end_seconds,
        activities=track.activities,
        planned_breaks=planned_breaks,
        taking=taking,
        scheduled_seconds=scheduled_seconds,
        in_adherence_seconds=in_adherence_seconds,
        out_since_seconds=out_since_seconds,
        exception_raised=exception_raised,
        exceptions_total=exceptions_total,
    )
