"""Agents a queue needs now for its service-level target (docs/staffing.md).

From the queue's recent demand (arrival rate over the last 15 minutes, average handle time
over the last 30, patience from the abandons seen) the smallest number of agents whose
predicted service level meets the queue's target, with Erlang C, or Erlang A when callers
abandon often enough to matter. Plain maths over the queue's own figures: the live tick and
the replay call the same function on the same counts, so they give the same advice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from floorwatch.core import erlang

Model = Literal["erlang_c", "erlang_a"]
MAX_AGENTS = 5000  # a search past this means the inputs are nonsense (a burst of test events)


@dataclass(frozen=True)
class ServiceTarget:
    level_ratio: float = 0.80  # the classic "80/20": 80 % answered within 20 s
    threshold_seconds: float = 20.0

    def __post_init__(self) -> None:
        if not 0.0 < self.level_ratio < 1.0 or self.threshold_seconds < 0:
            raise ValueError("a service-level target needs a ratio in (0, 1) and a threshold of 0 s or more")

    def label(self) -> str:
        return f"{self.level_ratio:.0%} in {self.threshold_seconds:.0f} s"


@dataclass(frozen=True)
class StaffingConfig:
    target: ServiceTarget = field(default_factory=ServiceTarget)
    targets_by_queue: dict[str, ServiceTarget] = field(default_factory=dict)  # queues with their own target
    # Which queues share a skill (agents of one can serve another): a queue not named is its own skill.
    skills_by_queue: dict[str, str] = field(default_factory=dict)
    arrival_window_seconds: float = 900.0  # recent enough to follow a surge, long enough to hold ~tens of calls
    handle_window_seconds: float = 1800.0  # handle times vary more than arrivals: a longer average
    # Abandons matter (Erlang A) from this share of resolved contacts, with at least this many seen:
    # Erlang C ignores them and over-staffs a queue whose callers give up.
    erlang_a_from_abandon_ratio: float = 0.03
    erlang_a_minimum_abandons: int = 5
    # Never advise a level that keeps agents busier than this: the top of the healthy band
    # (docs/metrics.md), because advice that meets the target by burning people out is not advice.
    max_occupancy_ratio: float = 0.85
    # How far ahead advice looks: an agent whose rest break falls due within it is never suggested.
    horizon_seconds: float = 1800.0
    # A team lends agents only while its 15-minute occupancy is below this: the bottom of the
    # healthy band (docs/metrics.md), so lending never pushes a team into pressure.
    spare_below_ratio: float = 0.75

    def __post_init__(self) -> None:
        if min(self.arrival_window_seconds, self.handle_window_seconds, self.horizon_seconds) <= 0:
            raise ValueError("staffing windows and horizon must be positive durations in seconds")
        if not 0.0 < self.max_occupancy_ratio <= 1.0:
            raise ValueError("max_occupancy_ratio must be in (0, 1]")

    def target_for(self, queue_id: str) -> ServiceTarget:
        return self.targets_by_queue.get(queue_id, self.target)

    def skill_of(self, queue_id: str) -> str:
        return self.skills_by_queue.get(queue_id, queue_id)


def parse_staffing(document: object, where: str = "staffing file") -> StaffingConfig:
    """A staffing file (YAML or JSON) as a StaffingConfig; a ValueError names the key that is wrong.

    target: {service_level: 0.8, within_seconds: 20}
    queues:
      q-manila-billing: {skill: billing, service_level: 0.9, within_seconds: 15}
      q-lisbon-billing: {skill: billing}
    """
    if not isinstance(document, dict):
        raise ValueError(f"{where}: expected a mapping with `target` and/or `queues`")
    unknown = set(document) - {"target", "queues", "horizon_minutes", "max_occupancy", "spare_below_occupancy"}
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
    default = _target(document.get("target", {}), ServiceTarget(), f"{where}: target")
    targets, skills = {}, {}
    queues = document.get("queues") or {}
    if not isinstance(queues, dict):
        raise ValueError(f"{where}: `queues` must map queue ids to their settings")
    for queue_id, entry in queues.items():
        entry = entry or {}
        if not isinstance(entry, dict) or set(entry) - {"skill", "service_level", "within_seconds"}:
            raise ValueError(f"{where}: queues.{queue_id} takes only skill, service_level and within_seconds")
        if "skill" in entry:
            skills[str(queue_id)] = str(entry["skill"])
        if "service_level" in entry or "within_seconds" in entry:
            targets[str(queue_id)] = _target(entry, default, f"{where}: queues.{queue_id}")
    defaults = StaffingConfig()
    try:
        return StaffingConfig(
            target=default,
            targets_by_queue=targets,
            skills_by_queue=skills,
            horizon_seconds=float(document.get("horizon_minutes", defaults.horizon_seconds / 60)) * 60,
            max_occupancy_ratio=float(document.get("max_occupancy", defaults.max_occupancy_ratio)),
            spare_below_ratio=float(document.get("spare_below_occupancy", defaults.spare_below_ratio)),
        )
    except (TypeError, ValueError) as problem:
        raise ValueError(f"{where}: {problem}") from None


def _target(entry: object, default: ServiceTarget, where: str) -> ServiceTarget:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected service_level and within_seconds")
    try:
        return ServiceTarget(
            level_ratio=float(entry.get("service_level", default.level_ratio)),
            threshold_seconds=float(entry.get("within_seconds", default.threshold_seconds)),
        )
    except (TypeError, ValueError) as problem:
        raise ValueError(f"{where}: {problem}") from None


@dataclass(frozen=True)
class Demand:
    """What the queue asks of its agents lately (the inputs of the staffing formulas)."""

    arrival_rate_per_second: float
    average_handle_seconds: float
    patience_seconds: float | None  # mean patience of waiting callers; None when abandons are too few to matter

    @property
    def load_erlangs(self) -> float:
        return self.arrival_rate_per_second * self.average_handle_seconds


@dataclass(frozen=True)
class StaffingFigures:
    skill: str  # the queue's skill group (the queue id unless configured)
    target_service_level_ratio: float
    target_threshold_seconds: float
    target_label: str  # "80% in 20 s"
    arrival_rate_per_second: float | None = None
    average_handle_seconds: float | None = None
    offered_load_erlangs: float | None = None
    patience_seconds: float | None = None
    model: Model | None = None  # None: not enough demand seen to advise (no arrivals or no handled contact)
    agents_needed: int | None = None
    predicted_service_level_ratio: float | None = None  # at agents_needed
    predicted_occupancy_ratio: float | None = None  # at agents_needed


def demand(
    offered: int,
    arrival_covered_seconds: float,
    handled: int,
    handled_seconds: float,
    abandoned: int,
    resolved: int,
    waited_seconds: float,
    config: StaffingConfig,
) -> Demand | None:
    """Demand from window counts; None when there is nothing to size for.

    Patience is the maximum-likelihood mean of an exponential patience with censoring: total
    time callers spent waiting (answered and abandoned alike) over the number who gave up."""
    if offered <= 0 or handled <= 0 or arrival_covered_seconds <= 0 or handled_seconds <= 0:
        return None
    material = (
        abandoned >= config.erlang_a_minimum_abandons
        and resolved > 0
        and abandoned / resolved >= config.erlang_a_from_abandon_ratio
        and waited_seconds > 0
    )
    return Demand(
        arrival_rate_per_second=offered / arrival_covered_seconds,
        average_handle_seconds=handled_seconds / handled,
        patience_seconds=waited_seconds / abandoned if material else None,
    )


def figures(queue_id: str, found: Demand | None, config: StaffingConfig) -> StaffingFigures:
    target, skill = config.target_for(queue_id), config.skill_of(queue_id)
    if found is None:
        return StaffingFigures(
            skill=skill,
            target_service_level_ratio=target.level_ratio,
            target_threshold_seconds=target.threshold_seconds,
            target_label=target.label(),
        )
    agents, level, occupancy = agents_needed(found, target, config)
    return StaffingFigures(
        skill=skill,
        target_service_level_ratio=target.level_ratio,
        target_threshold_seconds=target.threshold_seconds,
        target_label=target.label(),
        arrival_rate_per_second=found.arrival_rate_per_second,
        average_handle_seconds=found.average_handle_seconds,
        offered_load_erlangs=found.load_erlangs,
        patience_seconds=found.patience_seconds,
        model="erlang_a" if found.patience_seconds is not None else "erlang_c",
        agents_needed=agents,
        predicted_service_level_ratio=level,
        predicted_occupancy_ratio=occupancy,
    )


def agents_needed(found: Demand, target: ServiceTarget, config: StaffingConfig) -> tuple[int, float, float]:
    """The fewest agents meeting the target and the occupancy cap: (agents, service level, occupancy)."""
    predict = _erlang_a if found.patience_seconds is not None else _erlang_c
    low = max(1, math.ceil(found.load_erlangs / config.max_occupancy_ratio - 1e-9))
    if found.patience_seconds is None:
        low = max(low, math.floor(found.load_erlangs) + 1)  # Erlang C needs N > A to be stable

    def meets(agents: int) -> bool:
        level, occupancy = predict(agents, found, target)
        return level >= target.level_ratio and occupancy <= config.max_occupancy_ratio

    high = low
    while not meets(high):  # service level rises with agents: double, then halve
        if high >= MAX_AGENTS:
            break
        low, high = high + 1, min(2 * high, MAX_AGENTS)
    while low < high:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle + 1
    level, occupancy = predict(high, found, target)
    return high, level, occupancy


def _erlang_c(agents: int, found: Demand, target: ServiceTarget) -> tuple[float, float]:
    level = erlang.service_level_c(agents, found.load_erlangs, found.average_handle_seconds, target.threshold_seconds)
    return level, min(1.0, found.load_erlangs / agents)


def _erlang_a(agents: int, found: Demand, target: ServiceTarget) -> tuple[float, float]:
    assert found.patience_seconds is not None
    result = erlang.erlang_a(
        agents,
        found.arrival_rate_per_second,
        found.average_handle_seconds,
        found.patience_seconds,
        target.threshold_seconds,
    )
    return result.service_level_ratio, result.occupancy_ratio
