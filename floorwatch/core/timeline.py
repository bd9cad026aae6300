"""The floor through the day: team and queue figures sampled at regular instants of one log.

The shift report draws its plots from these samples; nothing here is a second computation of
a figure. At each sample instant every agent is viewed (`agent.view`), teams are rolled up
(`rollup`), queues viewed (`queue.view`) and advised (`advice.advise`), exactly as the replay
report does at its watermark, and during the replay's own fold (`replay.fold`, `before_event`).

A sample at `t` holds the events the log gave before its first event later than `t` (a log in
time order: every event up to `t`). Instants are the multiples of `step_seconds` from the first
event to the watermark, plus the watermark itself, so the last sample is the replay's
"through_watermark" picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from floorwatch.core import advice, agent, queue, rollup
from floorwatch.core.agent import AgentTrack
from floorwatch.core.config import MetricConfig
from floorwatch.core.queue import QueueTrack
from floorwatch.core.replay import Entry, FoldResult, fold, team_offers

OCCUPANCY_WINDOW_SECONDS = 900.0  # the overload alert's window: the plot shows what the alert sees


@dataclass(frozen=True)
class TeamSample:
    team_id: str
    site_id: str
    agents_staffed: int
    occupancy_15m_ratio: float | None
    agents_by_stress_band: dict[str, int]
    agents_on_shift: int
    agents_break_overdue: int
    break_compliance_ratio: float | None


@dataclass(frozen=True)
class QueueSample:
    queue_id: str
    offered_contacts: int  # over the queue's window (30 min by default), as the service level
    service_level_ratio: float | None
    abandon_rate_ratio: float | None
    agents_needed: int | None
    agents_serving: int  # handling or available now, in any team, serving the queue


@dataclass(frozen=True)
class Sample:
    at_seconds: float
    teams: tuple[TeamSample, ...]
    queues: tuple[QueueSample, ...]


@dataclass(frozen=True)
class Timeline:
    step_seconds: float
    samples: tuple[Sample, ...]
    result: FoldResult  # the fold the samples were taken in: the replay report can be built from it


def sample(
    agents: Mapping[str, AgentTrack], queues: Mapping[str, QueueTrack], at_seconds: float, config: MetricConfig
) -> Sample:
    """Every team and queue at one instant (agents with no event yet are not on the floor)."""
    views = [agent.view(t, at_seconds, config)[0] for t in agents.values() if t.last_event_seconds is not None]
    teams = rollup.by_team(views, config.occupancy)
    members: dict[str, list[agent.AgentFigures]] = {}
    for view in views:
        if view.team_id is not None:
            members.setdefault(view.team_id, []).append(view)
    team_samples = tuple(
        TeamSample(
            team_id=team_id,
            site_id=next((m.site_id for m in members[team_id] if m.site_id), "unassigned"),
            agents_staffed=group.agents_staffed,
            occupancy_15m_ratio=next(
                w.figures.occupancy_ratio for w in group.windows if w.window_seconds == OCCUPANCY_WINDOW_SECONDS
            ),
            agents_by_stress_band=rollup.agents_by_stress_band(members[team_id]),
            agents_on_shift=group.agents_on_shift,
            agents_break_overdue=group.agents_break_overdue,
            break_compliance_ratio=group.break_compliance_ratio,
        )
        for team_id, group in teams.items()
    )
    offers = team_offers(views, config)
    spare = config.queue.staffing.spare_below_ratio
    queue_samples = []
    for queue_id in sorted(queues):
        contacts = queue.view(queues[queue_id], at_seconds, config.queue)
        advised = advice.advise(queue_id, contacts.staffing, offers, spare)
        queue_samples.append(
            QueueSample(
                queue_id=queue_id,
                offered_contacts=contacts.window.counts.offered,
                service_level_ratio=contacts.window.service_level_ratio,
                abandon_rate_ratio=contacts.window.abandon_rate_ratio,
                agents_needed=advised.agents_needed,
                agents_serving=advised.agents_serving,
            )
        )
    return Sample(at_seconds, team_samples, tuple(queue_samples))


class _Sampler:
    """`before_event` for the fold: samples every instant the next event passes."""

    def __init__(self, config: MetricConfig, step_seconds: float):
        self._config, self._step = config, step_seconds
        self._next: float | None = None
        self.samples: list[Sample] = []

    def __call__(
        self,
        event_seconds: float,
        agents: Callable[[], Mapping[str, AgentTrack]],
        queues: Callable[[], Mapping[str, QueueTrack]],
    ) -> None:
        if self._next is None:  # the first instant after the first event
            self._next = (math.floor(event_seconds / self._step) + 1) * self._step
        if self._next >= event_seconds:  # the usual case: no instant passed, no need to freeze the agents
            return
        tracks, queue_tracks = agents(), queues()
        while self._next < event_seconds:
            self.samples.append(sample(tracks, queue_tracks, self._next, self._config))
            self._next += self._step

    def finish(self, result: FoldResult) -> tuple[Sample, ...]:
        watermark = result.watermark_seconds
        if watermark is None:
            return tuple(self.samples)
        self(watermark, lambda: result.agents, lambda: result.queues)
        if not self.samples or self.samples[-1].at_seconds != watermark:
            self.samples.append(sample(result.agents, result.queues, watermark, self._config))
        return tuple(self.samples)


def timeline(entries: Iterable[Entry], config: MetricConfig, step_seconds: float = 900.0) -> Timeline:
    """Fold a decoded log (`replay.decode_lines`) once, sampling the floor every `step_seconds`."""
    if step_seconds <= 0:
        raise ValueError("step_seconds must be a positive duration")
    sampler = _Sampler(config, step_seconds)
    result = fold(entries, config, sampler)
    return Timeline(step_seconds, sampler.finish(result), result)
