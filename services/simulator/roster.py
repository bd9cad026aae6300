"""Building the floor: teams, shifts, staggered breaks and lunches, training, and how people deviate.

Everything random is drawn from a `random.Random` seeded with a string made of the seed and the
team (string seeds are hashed with SHA-512, so the draws do not depend on PYTHONHASHSEED).
"""

from __future__ import annotations

import math
import random
from typing import Literal

from floorwatch.services.simulator.arrivals import floor_segments
from floorwatch.services.simulator.model import Activity, Agent, AuxKind, AuxPlan, Floor, Team
from floorwatch.services.simulator.settings import SimulatorSettings
from floorwatch.services.simulator.shifts import shift_starts
from floorwatch.services.simulator.staffing import expected_handle_seconds, planned_on_queue, size_arrival_rates

_BlockKind = Literal["break", "lunch", "training", "meeting"]
# A scheduled block away from the queues: (kind, start seconds into the shift, length in seconds).
_Block = tuple[_BlockKind, float, float]

SITE_NAMES = ("lisbon", "manila", "leeds", "austin", "krakow", "cebu", "monterrey", "cape-town")
SKILLS = ("billing", "tech-support", "sales", "retention", "claims", "onboarding")
DRAIN_SECONDS = 3600.0  # after the window: time for the last contacts, wrap-ups and logouts
GRID_SECONDS = 300.0  # schedules are built on a five-minute grid, as WFM tools do


def build_floor(settings: SimulatorSettings) -> Floor:
    segments = floor_segments(settings.start, settings.duration_seconds, settings.intraday_profile)
    handle_seconds = expected_handle_seconds(settings)
    layout = _team_layout(settings)
    first_understaffed = len(layout) - min(settings.understaffed_teams, len(layout))
    teams = []
    next_agent = 0
    for index, (site_id, team_id, headcount) in enumerate(layout):
        planned = headcount
        if index >= first_understaffed and settings.understaff_ratio < 1:
            planned = max(headcount, round(headcount / settings.understaff_ratio))
        rng = random.Random(f"{settings.seed}:roster:{team_id}")
        starts = shift_starts(planned, settings.shift_length_seconds, settings.duration_seconds, segments)
        plans = [_plan_agent(k, planned, start, settings, rng) for k, start in enumerate(starts)]
        if settings.arrivals_per_hour is not None:  # staffed at a chosen level: the rate is given, not sized
            rates = tuple(settings.arrivals_per_hour / 3600.0 for _ in segments)
        else:
            rates = size_arrival_rates(planned_on_queue(plans, segments), segments, handle_seconds, settings)
        # The absent agents are spread evenly over the stagger, so breaks stay spread too.
        kept = [plans[int(i * planned / headcount)] for i in range(headcount)]
        queue_id = f"q-{team_id}"
        agents = tuple(
            _identify(plan, f"a{next_agent + i:05d}", team_id, site_id, queue_id) for i, plan in enumerate(kept)
        )
        next_agent += headcount
        teams.append(Team(team_id, site_id, queue_id, agents, planned, rates, handle_seconds))
    last_shift_end = max(agent.shift_end_seconds for team in teams for agent in team.agents)
    drain = DRAIN_SECONDS if last_shift_end <= settings.duration_seconds else 0.0
    run_id = f"sim{settings.seed}-{settings.start:%Y%m%dT%H%M%SZ}"
    return Floor(
        run_id, settings.start, settings.duration_seconds, settings.duration_seconds + drain, segments, tuple(teams)
    )


def queue_skills(settings: SimulatorSettings) -> dict[str, str]:
    """Each simulated queue's skill: the teams of one skill at different sites serve queues of the
    same skill (q-lisbon-billing and q-manila-billing are both "billing"), so they can lend to each
    other (the staffing file of docs/staffing.md)."""
    skills = {}
    for site, team_id, _ in _team_layout(settings):
        skill = team_id.removeprefix(f"{site}-")
        skills[f"q-{team_id}"] = skill.rsplit("-", 1)[0] if skill[-1].isdigit() else skill
    return skills


def _team_layout(settings: SimulatorSettings) -> list[tuple[str, str, int]]:
    if settings.total_agents is None:
        sizes = [settings.agents_per_team] * (settings.sites * settings.teams_per_site)
    else:
        count = math.ceil(settings.total_agents / settings.agents_per_team)
        sizes = [settings.agents_per_team] * (count - 1) + [
            settings.total_agents - settings.agents_per_team * (count - 1)
        ]
    layout = []
    for index, size in enumerate(sizes):
        site_number, within_site = index % settings.sites, index // settings.sites
        site = SITE_NAMES[site_number] if settings.sites <= len(SITE_NAMES) else f"site-{site_number + 1}"
        skill = SKILLS[within_site % len(SKILLS)]
        suffix = "" if within_site < len(SKILLS) else f"-{within_site // len(SKILLS) + 1}"
        layout.append((site, f"{site}-{skill}{suffix}", size))
    return layout


def _identify(plan: Agent, agent_id: str, team_id: str, site_id: str, queue_id: str) -> Agent:
    return Agent(
        agent_id,
        team_id,
        site_id,
        (queue_id,),
        plan.shift_start_seconds,
        plan.shift_end_seconds,
        plan.login_seconds,
        plan.schedule,
        plan.aux_plans,
    )


def _plan_agent(k: int, team_size: int, shift_start: float, settings: SimulatorSettings, rng: random.Random) -> Agent:
    """Agent number k of a team: breaks are staggered by k so the team never leaves all at once."""
    position = (k + 0.5) / team_size - 0.5  # -0.5 .. 0.5 across the team
    length = settings.shift_length_seconds
    blocks = _rest_blocks(length, position, settings)
    optional: tuple[tuple[_BlockKind, float, float], ...] = (  # (kind, how often, length in seconds)
        ("training", settings.training_ratio, settings.training_seconds),
        ("meeting", settings.meeting_ratio, settings.meeting_seconds),
    )
    for kind, ratio, seconds in optional:
        if rng.random() < ratio:
            slot = _free_slot(blocks, seconds, length, rng)
            if slot is not None:
                blocks.append((kind, slot, seconds))
    blocks.sort(key=lambda block: block[1])
    schedule = _schedule(blocks, shift_start, length)
    aux_plans = tuple(
        plan
        for plan in (_behave(kind, shift_start + at, seconds, settings, rng) for kind, at, seconds in blocks)
        if plan
    )
    login_delta = (
        rng.expovariate(1 / settings.late_login_mean_seconds)
        if rng.random() < settings.late_login_ratio
        else -rng.uniform(0, 180)
    )
    login = max(0.0, shift_start + login_delta)
    aux_plans = tuple(
        sorted(aux_plans + _personal_time(blocks, shift_start, length, settings, rng), key=lambda p: p.due_seconds)
    )
    return Agent("", "", "", (), shift_start, shift_start + length, login, schedule, aux_plans)


def _rest_blocks(length: float, position: float, settings: SimulatorSettings) -> list[_Block]:
    """Breaks at a quarter and three quarters of the shift, lunch in the middle (shifts of 6 h and more)."""
    brk, lunch = settings.break_seconds, settings.lunch_seconds
    if length >= 6 * 3600:
        return [
            ("break", _grid(length / 4 + position * length / 8), brk),
            ("lunch", _grid(length / 2 - lunch / 2 + position * length / 4), lunch),
            ("break", _grid(3 * length / 4 + position * length / 8), brk),
        ]
    if length >= 2 * 3600:
        return [("break", _grid(length / 2 - brk / 2 + position * length / 4), brk)]
    return []


def _free_slot(blocks: list[_Block], seconds: float, length: float, rng: random.Random) -> float | None:
    candidates = []
    at = 1800.0
    while at + seconds <= length - 1800.0:
        if all(at + seconds + 900 <= start or at >= start + size + 900 for _, start, size in blocks):
            candidates.append(at)
        at += 900.0
    return rng.choice(candidates) if candidates else None


def _schedule(blocks: list[_Block], shift_start: float, length: float) -> tuple[Activity, ...]:
    activities = []
    cursor = shift_start
    for kind, at, seconds in blocks:
        if shift_start + at > cursor:
            activities.append(Activity("work", cursor, shift_start + at))
        activities.append(Activity(kind, shift_start + at, shift_start + at + seconds))
        cursor = shift_start + at + seconds
    if cursor < shift_start + length:
        activities.append(Activity("work", cursor, shift_start + length))
    return tuple(activities)


def _behave(
    kind: AuxKind, start: float, seconds: float, settings: SimulatorSettings, rng: random.Random
) -> AuxPlan | None:
    """Draw how this agent will really take a scheduled activity: skip it, go late, overrun it."""
    skip, late, overrun = rng.random(), rng.random(), rng.random()
    late_seconds = rng.expovariate(1 / settings.late_break_mean_seconds)
    overrun_seconds = rng.expovariate(1 / settings.overrun_mean_seconds)
    if kind not in ("break", "lunch"):
        return AuxPlan(kind, start, seconds)
    if kind == "break" and skip < settings.skip_break_ratio:
        return None
    due = start + (late_seconds if late < settings.late_break_ratio else 0.0)
    return AuxPlan(kind, due, seconds + (overrun_seconds if overrun < settings.overrun_break_ratio else 0.0))


def _personal_time(
    blocks: list[_Block], shift_start: float, length: float, settings: SimulatorSettings, rng: random.Random
) -> tuple[AuxPlan, ...]:
    """Unscheduled personal time (a Poisson process over the shift), never inside a scheduled block."""
    plans = []
    at = 0.0
    while settings.personal_aux_per_hour > 0:
        at += rng.expovariate(settings.personal_aux_per_hour / 3600)
        seconds = settings.personal_aux.draw(rng)
        if at + seconds >= length - 600:
            break
        if all(at + seconds <= start or at >= start + size for _, start, size in blocks):
            plans.append(AuxPlan("personal", shift_start + at, seconds))
    return tuple(plans)


def _grid(seconds: float) -> float:
    return round(seconds / GRID_SECONDS) * GRID_SECONDS
