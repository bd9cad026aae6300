"""Figures per calendar day or per shift, from one pass over a canonical event log.

The agent reducer (`agent.apply`) does all the maths; this module only cuts its cumulative
figures at period boundaries. Before an agent's event that falls on a later day, the track
is viewed at each midnight in between (in the chosen time zone): the difference between two
such views is that day's handle, available and auxiliary time, so a shift that runs past
midnight is split where the clock says. A shift period starts where the occupancy track
starts a new shift (a login after `new_shift_after_logged_out_seconds` logged out) and ends
where the next begins. Every period ends, at the latest, at the agent's last event: like
the replay report, nothing is assumed about time the log does not cover.

Breaks taken are the breaks the break track starts (BREAK or LUNCH), counted in the period
they start; a violation counts in the period of its missed deadline; the peak stress score
is the highest score seen at the agent's events and at the period's end (the score only
rises at events, between them it decays or its continuous-work part grows up to the next one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import NamedTuple

from floorwatch.core import agent, stress
from floorwatch.core.agent import AgentTrack
from floorwatch.core.breaks import BreakRuleBreached
from floorwatch.core.config import MetricConfig
from floorwatch.core.events import AgentState, AnyEvent
from floorwatch.core.routing import route


class PeriodKind(StrEnum):
    DAY = "day"
    SHIFT = "shift"


class Totals(NamedTuple):
    """An agent's cumulative seconds and counts at one instant (differences give a period)."""

    handle_seconds: float = 0.0
    available_seconds: float = 0.0
    aux_seconds: float = 0.0
    contacts_handled: int = 0

    def minus(self, earlier: Totals) -> Totals:
        return Totals(
            handle_seconds=self.handle_seconds - earlier.handle_seconds,
            available_seconds=self.available_seconds - earlier.available_seconds,
            aux_seconds=self.aux_seconds - earlier.aux_seconds,
            contacts_handled=self.contacts_handled - earlier.contacts_handled,
        )


@dataclass(frozen=True)
class AgentPeriod:
    """One agent's figures over one day or shift (before ratios: see `period_report`)."""

    agent_id: str
    team_id: str | None
    period: str  # the day (YYYY-MM-DD) or the shift's start (RFC 3339)
    start_seconds: float
    end_seconds: float
    totals: Totals
    breaks_taken: int
    violations: int
    peak_stress_score: float


@dataclass(frozen=True)
class _Open:
    period: str
    start_seconds: float
    baseline: Totals
    breaks_taken: int = 0
    peak_stress_score: float = 0.0


def totals_at(track: AgentTrack, at_seconds: float, config: MetricConfig) -> tuple[Totals, float]:
    """The agent's cumulative totals and its stress score at `at_seconds` (never before its clock)."""
    figures, _ = agent.view(track, at_seconds, config)
    o = figures.occupancy
    return Totals(o.handle_seconds, o.available_seconds, o.aux_seconds, o.contacts_handled), figures.stress.score


def day_of(seconds: float, zone: tzinfo) -> str:
    return datetime.fromtimestamp(seconds, zone).date().isoformat()


def day_start_seconds(day: str, zone: tzinfo) -> float:
    return datetime.combine(date.fromisoformat(day), time(), zone).timestamp()


def day_end_seconds(day: str, zone: tzinfo) -> float:
    """The next midnight after `day` starts, in `zone` (23, 24 or 25 hours later)."""
    return datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(), zone).timestamp()


class PeriodFold:
    """Folds one log's events (in log order) into per-agent periods; `finish` closes the rest."""

    def __init__(self, config: MetricConfig, kind: PeriodKind, zone: tzinfo):
        self._config, self._kind, self._zone = config, kind, zone
        self._tracks: dict[str, AgentTrack] = {}
        self._open: dict[str, _Open] = {}
        self._closed: list[AgentPeriod] = []
        self._violations: dict[str, dict[tuple[str, float], BreakRuleBreached]] = {}

    def apply(self, event: AnyEvent) -> str:
        """Fold one event; its verdict for the agent ("accepted", "duplicate", "late"), or "queue"
        for an event no agent's figures depend on (an offer, an abandon in queue)."""
        agent_id = route(event).agent_id
        if agent_id is None:
            return "queue"
        before = self._tracks.get(agent_id)
        if before is not None and event.type != "schedule.published" and self._kind is PeriodKind.DAY:
            self._cross_days(agent_id, before, event.occurred_at.timestamp())
        applied = agent.apply(before, event, self._config)
        track = applied.track
        self._tracks[agent_id] = track
        self._note_violations(agent_id, (o.output for o in applied.outputs))
        if applied.verdict != "accepted" or track.last_event_seconds is None:
            return applied.verdict
        at = track.last_event_seconds
        self._start_if_new(agent_id, before, track, at)
        self._note_event(agent_id, before, track, at)
        return applied.verdict

    def finish(self) -> list[AgentPeriod]:
        """Close every open period at its agent's last event; periods sorted by agent, then start."""
        for agent_id in sorted(self._open):
            track = self._tracks[agent_id]
            end = track.last_event_seconds or self._open[agent_id].start_seconds
            self._note_violations(agent_id, (o.output for o in self._day_end_outputs(track)))
            self._close(agent_id, track, end)
        self._open = {}
        periods = sorted((p for p in self._closed if _anything(p)), key=lambda p: (p.agent_id, p.start_seconds))
        return self._with_violations(periods)

    def violations(self) -> list[tuple[str, BreakRuleBreached]]:
        """Every violation judged so far (after `finish`: all of them), per agent, by deadline."""
        found = [(a, v) for a, by_key in self._violations.items() for v in by_key.values()]
        return sorted(found, key=lambda item: (item[0], item[1].at_seconds, item[1].rule))

    # --- boundaries ---------------------------------------------------------------------

    def _cross_days(self, agent_id: str, track: AgentTrack, event_seconds: float) -> None:
        """Close the agent's day at each midnight up to the event (applied no earlier than its clock)."""
        current = self._open.get(agent_id)
        if current is None:
            return
        clock = track.last_event_seconds or event_seconds
        at = max(event_seconds, clock)
        while (end := day_end_seconds(current.period, self._zone)) <= at:
            self._close(agent_id, track, end)
            current = _Open(day_of(end, self._zone), end, totals_at(track, end, self._config)[0])
            self._open[agent_id] = current

    def _start_if_new(self, agent_id: str, before: AgentTrack | None, track: AgentTrack, at: float) -> None:
        current = self._open.get(agent_id)
        if self._kind is PeriodKind.DAY:
            if current is None:
                day = day_of(at, self._zone)
                self._open[agent_id] = _Open(day, day_start_seconds(day, self._zone), Totals())
            return
        shift = track.occupancy.shift
        if shift is None or (current is not None and current.start_seconds == shift.start_seconds):
            return
        baseline = totals_at(before, at, self._config)[0] if before is not None else Totals()
        if current is not None and before is not None:
            self._close(agent_id, before, at)
        label = datetime.fromtimestamp(shift.start_seconds, self._zone).isoformat()
        self._open[agent_id] = _Open(label, shift.start_seconds, baseline)

    def _note_event(self, agent_id: str, before: AgentTrack | None, track: AgentTrack, at: float) -> None:
        current = self._open.get(agent_id)
        if current is None:
            return
        started = track.breaks.current_break
        was = before.breaks.current_break if before is not None else None
        new_break = started is not None and started.start_seconds == at and started != was
        score = stress.view(track.stress, track.state, at, self._config.stress).score  # the track is at `at`
        self._open[agent_id] = replace(
            current,
            breaks_taken=current.breaks_taken + (1 if new_break else 0),
            peak_stress_score=max(current.peak_stress_score, score),
        )

    def _close(self, agent_id: str, track: AgentTrack, end_seconds: float) -> None:
        current = self._open.pop(agent_id)
        end = max(end_seconds, current.start_seconds)
        totals, score = totals_at(track, end, self._config)
        if track.state in (None, AgentState.LOGGED_OUT) and track.last_event_seconds is not None:
            end = max(min(end, track.last_event_seconds), current.start_seconds)  # it ended at the logout
        self._closed.append(
            AgentPeriod(
                agent_id=agent_id,
                team_id=track.team_id,
                period=current.period,
                start_seconds=current.start_seconds,
                end_seconds=end,
                totals=totals.minus(current.baseline),
                breaks_taken=current.breaks_taken,
                violations=0,
                peak_stress_score=max(current.peak_stress_score, score),
            )
        )

    # --- violations ---------------------------------------------------------------------

    def _note_violations(self, agent_id: str, outputs: Iterable[object]) -> None:
        for output in outputs:
            if isinstance(output, BreakRuleBreached):
                self._violations.setdefault(agent_id, {})[(output.rule, output.at_seconds)] = output

    def _day_end_outputs(self, track: AgentTrack) -> tuple[agent.AgentOutput, ...]:
        """An agent logged out at the end of the log has ended its day: judge the day's rules now."""
        brk = track.breaks
        clock = track.last_event_seconds
        if clock is None or not brk.on_day or track.state is not AgentState.LOGGED_OUT:
            return ()
        since = brk.clock_seconds if brk.clock_seconds is not None else clock
        ends_at = since - brk.logged_out_seconds + self._config.breaks.new_day_after_logged_out_seconds
        _, judged = agent.view(track, max(ends_at, clock), self._config)
        return judged

    def _with_violations(self, periods: list[AgentPeriod]) -> list[AgentPeriod]:
        """Each violation counts in the agent's last period (with time in it) starting at or before its
        deadline: a rule judged at the end of the working day has its deadline after the last event."""
        counts = [0] * len(periods)
        for index, period in enumerate(periods):
            for _, at in self._violations.get(period.agent_id, {}):
                nxt = periods[index + 1] if index + 1 < len(periods) else None
                later = nxt is not None and nxt.agent_id == period.agent_id and nxt.start_seconds <= at
                first = index == 0 or periods[index - 1].agent_id != period.agent_id
                if not later and (period.start_seconds <= at or first):
                    counts[index] += 1
        return [replace(p, violations=n) if n else p for p, n in zip(periods, counts)]


def fold_periods(events: Iterable[AnyEvent], config: MetricConfig, kind: PeriodKind, zone: tzinfo) -> list[AgentPeriod]:
    """Every agent's periods from events in log order (schedules first, as the replay applies them)."""
    fold = PeriodFold(config, kind, zone)
    for event in events:
        fold.apply(event)
    return fold.finish()


def _anything(period: AgentPeriod) -> bool:
    t = period.totals
    staffed = t.handle_seconds + t.available_seconds + t.aux_seconds
    return staffed > 0 or t.contacts_handled > 0 or period.breaks_taken > 0
