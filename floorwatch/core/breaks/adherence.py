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


class AdherenceWork:
    """An AdherenceTrack's fields, mutable: `advance_work` and `on_state_work` update it in
    place, the break track's working state (`BreakWork`) holds one, and `advance` / `on_state`
    thaw a track into one and freeze it again. A plain class, not a dataclass: mypyc compiles
    its constructor (a dataclass's is interpreted, and this one was rebuilt at every advance)."""

    shift_start_seconds: float | None
    shift_end_seconds: float | None
    activities: tuple[tuple[str, float, float], ...]
    planned_breaks: tuple[PlannedBreak, ...]  # replaced whole: they change a few times a day
    taking: int | None
    scheduled_seconds: float
    in_adherence_seconds: float
    out_since_seconds: float | None
    exception_raised: bool
    exceptions_total: int

    def __init__(self, track: AdherenceTrack) -> None:
        self.shift_start_seconds = track.shift_start_seconds
        self.shift_end_seconds = track.shift_end_seconds
        self.activities = track.activities
        self.planned_breaks = track.planned_breaks
        self.taking = track.taking
        self.scheduled_seconds = track.scheduled_seconds
        self.in_adherence_seconds = track.in_adherence_seconds
        self.out_since_seconds = track.out_since_seconds
        self.exception_raised = track.exception_raised
        self.exceptions_total = track.exceptions_total

    def freeze(self) -> AdherenceTrack:
        return AdherenceTrack(
            shift_start_seconds=self.shift_start_seconds,
            shift_end_seconds=self.shift_end_seconds,
            activities=self.activities,
            planned_breaks=self.planned_breaks,
            taking=self.taking,
            scheduled_seconds=self.scheduled_seconds,
            in_adherence_seconds=self.in_adherence_seconds,
            out_since_seconds=self.out_since_seconds,
            exception_raised=self.exception_raised,
            exceptions_total=self.exceptions_total,
        )


def planned_length_now(track: AdherenceTrack | AdherenceWork) -> float | None:
    """The planned length of the scheduled break being taken now, if any (for overrun rules)."""
    return None if track.taking is None else track.planned_breaks[track.taking].planned_seconds


def on_state(
    track: AdherenceTrack, old: AgentState | None, new: AgentState, at_seconds: float, config: AdherenceConfig
) -> AdherenceTrack:
    """`on_state_work` on a working copy; the track given when nothing changed."""
    if new == old or not track.planned_breaks:
        return track
    work = AdherenceWork(track)
    on_state_work(work, old, new, at_seconds, config)
    return track if work.taking is None and track.taking is None else work.freeze()


def on_state_work(
    w: AdherenceWork, old: AgentState | None, new: AgentState, at_seconds: float, config: AdherenceConfig
) -> None:
    """Match a break the agent starts to the first untaken scheduled break it can belong to."""
    if new == old or not w.planned_breaks:
        return
    taking = w.taking
    breaks = list(w.planned_breaks)
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
    if taking is None and w.taking is None:
        return  # nothing ended, nothing matched
    w.planned_breaks, w.taking = tuple(breaks), taking


def advance(
    track: AdherenceTrack, state: AgentState | None, from_seconds: float, to_seconds: float, config: AdherenceConfig
) -> tuple[AdherenceTrack, tuple[AdherenceOutput, ...]]:
    if track.shift_start_seconds is None or track.shift_end_seconds is None or to_seconds <= from_seconds:
        return track, ()
    work = AdherenceWork(track)
    outputs = advance_work(work, state, from_seconds, to_seconds, config)
    return work.freeze(), outputs


def advance_work(
    w: AdherenceWork, state: AgentState | None, from_seconds: float, to_seconds: float, config: AdherenceConfig
) -> tuple[AdherenceOutput, ...]:
    """`advance` in place."""
    shift_start, shift_end = w.shift_start_seconds, w.shift_end_seconds
    if shift_start is None or shift_end is None or to_seconds <= from_seconds:  # a schedule sets both
        return ()
    outputs: list[AdherenceOutput] = []
    scheduled, in_seconds = w.scheduled_seconds, w.in_adherence_seconds
    since, raised, total = w.out_since_seconds, w.exception_raised, w.exceptions_total
    for start, end, activity in _pieces(w.activities, shift_start, shift_end, from_seconds, to_seconds):
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
    w.planned_breaks, missed = _missed(w.planned_breaks, to_seconds, config)
    w.scheduled_seconds, w.in_adherence_seconds = scheduled, in_seconds
    w.out_since_seconds, w.exception_raised, w.exceptions_total = since, raised, total
    if outputs:
        return tuple(outputs) + missed
    return missed


def _pieces(
    activities: tuple[tuple[str, float, float], ...],
    shift_start: float,
    shift_end: float,
    from_seconds: float,
    to_seconds: float,
) -> list[tuple[float, float, str | None]]:
    """(start, end, activity) over [from, to]: activity None outside the shift, 'work' in its gaps."""
    if not from_seconds < shift_start < to_seconds and not from_seconds < shift_end < to_seconds:
        for _, start, end in activities:
            if from_seconds < start < to_seconds or from_seconds < end < to_seconds:
                break
        else:  # the usual case, time between two events: no cut inside, one piece
            middle = (from_seconds + to_seconds) / 2
            return [(from_seconds, to_seconds, _activity_at(activities, shift_start, shift_end, middle))]
    cuts = {from_seconds, to_seconds, shift_start, shift_end}
    for _, start, end in activities:
        cuts.update((start, end))
    points = sorted(t for t in cuts if from_seconds <= t <= to_seconds)
    return [
        (start, end, _activity_at(activities, shift_start, shift_end, (start + end) / 2))
        for start, end in zip(points, points[1:])
    ]


def _activity_at(
    activities: tuple[tuple[str, float, float], ...], shift_start: float, shift_end: float, at_seconds: float
) -> str | None:
    if not shift_start <= at_seconds < shift_end:
        return None
    found = "work"
    for kind, start, end in activities:
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
