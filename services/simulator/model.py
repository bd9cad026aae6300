"""The planned floor: sites, teams, agents, their published schedules and what they will really do.

Times are seconds from the start of the simulation (`Floor.start`); the engine converts them to
UTC timestamps only when it emits an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from floorwatch.core.events import AgentState

ActivityKind = Literal["work", "break", "lunch", "training", "meeting"]
AuxKind = Literal["break", "lunch", "training", "meeting", "personal"]  # personal: unscheduled

AUX_STATE: dict[str, AgentState] = {
    "break": AgentState.BREAK,
    "lunch": AgentState.LUNCH,
    "training": AgentState.TRAINING,
    "meeting": AgentState.MEETING,
    "personal": AgentState.OTHER_AUX,
}
REASON_CODE: dict[str, str] = {
    "break": "break",
    "lunch": "lunch",
    "training": "training:product-update",
    "meeting": "meeting:team-huddle",
    "personal": "personal",
}


@dataclass(frozen=True)
class Activity:
    """One block of the published schedule."""

    kind: ActivityKind
    start_seconds: float
    end_seconds: float


@dataclass(frozen=True)
class AuxPlan:
    """What the agent will actually do: a scheduled activity (late, overrun...) or unscheduled personal time."""

    kind: AuxKind
    due_seconds: float  # when the agent means to go (planned start + any deliberate lateness)
    duration_seconds: float  # planned length + any overrun, counted from the real start


@dataclass(frozen=True)
class Agent:
    agent_id: str
    team_id: str
    site_id: str
    queues: tuple[str, ...]
    shift_start_seconds: float
    shift_end_seconds: float
    login_seconds: float  # the real login: early, on time or late
    schedule: tuple[Activity, ...]  # the whole shift, work blocks included
    aux_plans: tuple[AuxPlan, ...]  # skipped breaks are absent here but present in the schedule


@dataclass(frozen=True)
class Segment:
    """A forecast interval (or the part of one inside the simulated window)."""

    start_seconds: float
    end_seconds: float
    weight: float  # the intraday profile's relative volume

    @property
    def length_seconds(self) -> float:
        return self.end_seconds - self.start_seconds


@dataclass(frozen=True)
class Team:
    team_id: str
    site_id: str
    queue_id: str
    agents: tuple[Agent, ...]
    planned_headcount: int  # the forecast is sized for this many; fewer when under-staffed
    arrival_rates_per_second: tuple[float, ...]  # forecast, one per floor segment
    handle_seconds: float  # the expected average handle time the forecast was sized with

    @property
    def understaffed(self) -> bool:
        return len(self.agents) < self.planned_headcount


@dataclass(frozen=True)
class Floor:
    run_id: str  # makes event and contact ids unique across runs
    start: datetime
    duration_seconds: float
    stop_seconds: float  # nothing is emitted after this (drain time for the last contacts)
    segments: tuple[Segment, ...]
    teams: tuple[Team, ...]

    @property
    def sites(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(team.site_id for team in self.teams))

    @property
    def agents(self) -> tuple[Agent, ...]:
        return tuple(agent for team in self.teams for agent in team.agents)
