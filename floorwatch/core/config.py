"""Every setting of the metric core in one frozen object, with documented defaults.

Each part is defined next to the maths it tunes (OccupancyConfig in occupancy.py,
QueueConfig in queue.py, ...); this module only composes them, so no sub-module has to
import the whole configuration. Defaults and their sources: docs/metrics.md.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from floorwatch.core.breaks import PROFILES, BreakPolicy, PolicyError, default_policy, load_policy, load_profile
from floorwatch.core.occupancy import OccupancyConfig
from floorwatch.core.queue import QueueConfig
from floorwatch.core.staffing import StaffingConfig, parse_staffing
from floorwatch.core.stress import RestRequirement, StressConfig


class ConfigError(ValueError):
    """A configuration that cannot be used; `reason` says which file or key and why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MetricConfig:
    occupancy: OccupancyConfig = field(default_factory=OccupancyConfig)
    queue: QueueConfig = field(default_factory=QueueConfig)
    stress: StressConfig = field(default_factory=StressConfig)
    breaks: BreakPolicy = field(default_factory=default_policy)  # floorwatch/policies/default.yaml
    # An agent's event this far behind the agent's own clock is applied at the clock; further is "late".
    allowed_lateness_seconds: float = 120.0

    def __post_init__(self) -> None:
        if self.allowed_lateness_seconds < 0:
            raise ValueError("allowed_lateness_seconds cannot be negative")
        # Stress weighs missed and short breaks against the policy in force (docs/stress.md).
        required = rest_requirements(self.breaks)
        if required != self.stress.rest_requirements:
            object.__setattr__(self, "stress", dataclasses.replace(self.stress, rest_requirements=required))


def rest_requirements(policy: BreakPolicy) -> tuple[RestRequirement, ...]:
    """What each break rule asks, as stress reads it: work allowed before a rest, and that rest.

    continuous_work: `max_work` then `minimum`; rest_by_worked: its latest start (or trigger) then
    its shortest counted slice; count_per_worked: `per_worked` then `minimum`. Overrun rules ask for
    no rest. Waivers and rest states other than break, lunch and logout are not modelled."""
    found: list[RestRequirement] = []
    for rule in policy.rules:
        if rule.kind == "continuous_work":
            limit, rest = rule.max_work_seconds, rule.minimum_seconds
        elif rule.kind == "rest_by_worked":
            limit, rest = rule.latest_start_worked_seconds or rule.after_worked_seconds, rule.slice_seconds
        elif rule.kind == "count_per_worked":
            limit, rest = rule.per_worked_seconds, rule.minimum_seconds
        else:
            continue
        if any(known.max_work_seconds == limit and known.rest_seconds == rest for known in found):
            continue  # two rules asking the same (Germany's 6 h in a row and 30 min over 6 h) weigh once
        found.append(
            RestRequirement(rule=rule.name, max_work_seconds=limit, rest_seconds=rest, grace_seconds=rule.grace_seconds)
        )
    return tuple(found)


def load_config(policy: str | Path | None = None, staffing: str | Path | None = None) -> MetricConfig:
    """The defaults, with the break policy from a YAML file or a shipped profile's name, and the
    queues' service-level targets and skills from a staffing file (docs/staffing.md)."""
    config = MetricConfig()
    if policy is not None:
        try:
            if Path(policy).exists() or str(policy) not in PROFILES:
                config = MetricConfig(breaks=load_policy(str(policy)))
            else:
                config = MetricConfig(breaks=load_profile(str(policy)))
        except PolicyError as problem:
            raise ConfigError(problem.reason) from None
    if staffing is not None:
        config = dataclasses.replace(
            config, queue=dataclasses.replace(config.queue, staffing=load_staffing(Path(staffing)))
        )
    return config


def load_staffing(path: Path) -> StaffingConfig:
    """Read a staffing file; a ConfigError says which file and key, and what to write instead."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as problem:
        raise ConfigError(f"{path}: cannot read the staffing file ({problem.strerror})") from None
    except yaml.YAMLError as problem:
        raise ConfigError(f"{path}: not valid YAML ({problem})") from None
    try:
        return parse_staffing(document, str(path))
    except ValueError as problem:
        raise ConfigError(f"{problem} (format: docs/staffing.md, 'Configuration')") from None


_AS_THEY_ARE = (float, int, str, bool, type(None))  # exact types: an enum of str or int is not one


def as_dict(config: Any) -> Any:
    """A JSON-ready view of a configuration (enums as their values), for reports and logs.

    The replay report passes every output through it (millions in a month), so the common
    cases are decided by the value's exact type, and a dataclass's field names once per class."""
    kind: type = type(config)
    if kind in _AS_THEY_ARE:
        return config
    names = _field_names(kind)
    if names is not None and not isinstance(config, type):
        return {name: as_dict(getattr(config, name)) for name in names}
    if isinstance(config, Enum):
        return config.value
    if isinstance(config, (tuple, list)):
        return [as_dict(item) for item in config]
    if isinstance(config, (set, frozenset)):  # sorted, so the same configuration prints the same
        return sorted((as_dict(item) for item in config), key=str)
    if isinstance(config, dict):
        return {str(key): as_dict(value) for key, value in config.items()}
    return config


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names in order, or None for any other class."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
