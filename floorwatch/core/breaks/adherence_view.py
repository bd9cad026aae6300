"""What schedule adherence shows at an instant: the ratio, the open exception, each scheduled break's status."""

from __future__ import annotations

from floorwatch.core.breaks.adherence_model import (
    AdherenceConfig,
    AdherenceFigures,
    AdherenceTrack,
    PlannedBreak,
    ScheduledBreakFigures,
)


def view(track: AdherenceTrack, now_seconds: float, config: AdherenceConfig) -> AdherenceFigures | None:
    """Figures of a track already advanced to `now_seconds`; None without a schedule."""
    if track.shift_start_seconds is None:
        return None
    ratio = track.in_adherence_seconds / track.scheduled_seconds if track.scheduled_seconds > 0 else None
    since = track.out_since_seconds
    return AdherenceFigures(
        adherence_ratio=ratio,
        in_adherence_seconds=track.in_adherence_seconds,
        scheduled_seconds=track.scheduled_seconds,
        out_of_adherence_seconds=0.0 if since is None else now_seconds - since,
        exception_open=track.exception_raised,
        exceptions_total=track.exceptions_total,
        scheduled_breaks=tuple(_break_figures(b, now_seconds, config) for b in track.planned_breaks),
    )


def _break_figures(planned: PlannedBreak, now_seconds: float, config: AdherenceConfig) -> ScheduledBreakFigures:
    start, end = planned.taken_start_seconds, planned.taken_end_seconds
    offset = None if start is None else start - planned.start_seconds
    length = None if start is None else (now_seconds if end is None else end) - start
    return ScheduledBreakFigures(
        kind=planned.kind,
        planned_start_seconds=planned.start_seconds,
        planned_end_seconds=planned.end_seconds,
        taken_start_seconds=start,
        taken_end_seconds=end,
        status=_status(planned, offset, length, now_seconds, config),
        start_offset_seconds=offset,
        length_seconds=length,
    )


def _status(
    planned: PlannedBreak, offset: float | None, length: float | None, now_seconds: float, config: AdherenceConfig
) -> str:
    if offset is None or length is None:
        late = now_seconds > planned.start_seconds + config.start_grace_seconds
        return "missed" if late else "upcoming"
    if offset < -config.start_grace_seconds:
        return "early"
    if offset > config.start_grace_seconds:
        return "late"
    overrun = length - planned.planned_seconds
    if overrun > config.length_grace_seconds:
        return "long"
    if planned.taken_end_seconds is None:
        return "taking"
    return "short" if overrun < -config.length_grace_seconds else "on_time"
