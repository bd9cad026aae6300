"""Break policies: rules built from a few primitives, so a jurisdiction is a profile, not code.

A policy is a list of rules of four kinds; `docs/breaks.md` defines it and explains each
primitive and which profile uses it:

- `continuous_work`: at most `max_work` of work without an uninterrupted rest of at least
  `minimum` (the default 120/10 min; screen-work guidance; Germany's "never more than 6 h in
  a row").
- `rest_by_worked`: once the day's work exceeds `after_worked` (raised to
  `waived_if_day_at_most` where a waiver is agreed), rest of at least `minimum` in total, in
  uninterrupted slices of at least `min_slice` if `splittable` (else in one piece), taken
  before `latest_start_worked` of work or, without it, by the end of the working day.
- `count_per_worked`: one rest of at least `minimum` per `per_worked` of work (rounded up
  from a `major_fraction`), from `after_worked` on (California rest periods).
- `overrun`: a break running past its scheduled or allowed length.

Every rule has a `grace` before floorwatch flags it: the framing is that a break is due, not
that an agent is caught (docs/breaks.md). Profiles live in `floorwatch/policies/*.yaml`,
durations written with a unit suffix (`_seconds`, `_minutes`, `_hours`); `load_policy` reads
one and reports a bad file with the key at fault, never a traceback from deep inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from floorwatch.core.breaks.adherence_model import AdherenceConfig
from floorwatch.core.events import AgentState

RuleKind = Literal["continuous_work", "rest_by_worked", "count_per_worked", "overrun"]
RULE_KINDS: tuple[str, ...] = ("continuous_work", "rest_by_worked", "count_per_worked", "overrun")
BREAK_STATES = frozenset({AgentState.BREAK, AgentState.LUNCH})
# Being logged out is not work either: a lunch taken logged out is still a rest.
DEFAULT_REST_STATES = frozenset({AgentState.BREAK, AgentState.LUNCH, AgentState.LOGGED_OUT})


class PolicyError(ValueError):
    """A policy that cannot be used; `reason` names the file, the key and what is wrong."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class BreakRule:
    name: str
    kind: str
    description: str = ""
    rest_states: frozenset[AgentState] = DEFAULT_REST_STATES
    minimum_seconds: float = 0.0
    splittable: bool = False
    min_slice_seconds: float = 0.0
    max_work_seconds: float = 0.0
    after_worked_seconds: float = 0.0
    latest_start_worked_seconds: float | None = None
    waived_if_day_at_most_seconds: float | None = None
    per_worked_seconds: float = 0.0
    major_fraction: bool = False
    grace_seconds: float = 120.0

    def __post_init__(self) -> None:
        problem = _rule_problem(self)
        if problem:
            raise PolicyError(f"rule {self.name!r}: {problem}")

    @property
    def slice_seconds(self) -> float:
        """The shortest uninterrupted rest that counts towards `minimum_seconds`."""
        return self.min_slice_seconds if self.splittable else self.minimum_seconds

    @property
    def trigger_worked_seconds(self) -> float:
        """Work after which the rule applies: `after_worked`, or the waiver's day length if longer."""
        return max(self.after_worked_seconds, self.waived_if_day_at_most_seconds or 0.0)

    def count_deadline_worked_seconds(self, k: int) -> float:
        """count_per_worked: work by which the k-th rest (k >= 1) must have been taken."""
        offset = self.per_worked_seconds / 2 if self.major_fraction else 0.0
        return max(self.after_worked_seconds, k * self.per_worked_seconds - offset)


def _rule_problem(rule: BreakRule) -> str | None:
    if not rule.name:
        return "needs a name"
    if rule.kind not in RULE_KINDS:
        return f"kind must be one of {', '.join(RULE_KINDS)}, got {rule.kind!r}"
    if not rule.rest_states:
        return "rest_states must name at least one state"
    durations = (
        rule.minimum_seconds,
        rule.min_slice_seconds,
        rule.max_work_seconds,
        rule.after_worked_seconds,
        rule.per_worked_seconds,
        rule.grace_seconds,
    )
    if min(durations) < 0:
        return "durations cannot be negative"
    if rule.kind == "continuous_work" and (rule.max_work_seconds <= 0 or rule.minimum_seconds <= 0):
        return "continuous_work needs max_work and minimum greater than zero"
    if rule.kind == "rest_by_worked" and rule.minimum_seconds <= 0:
        return "rest_by_worked needs a minimum greater than zero"
    if rule.kind == "rest_by_worked" and rule.splittable and not 0 < rule.min_slice_seconds <= rule.minimum_seconds:
        return "a splittable rule needs min_slice greater than zero and at most minimum"
    if rule.kind == "count_per_worked" and (rule.per_worked_seconds <= 0 or rule.minimum_seconds <= 0):
        return "count_per_worked needs per_worked and minimum greater than zero"
    if rule.kind == "overrun" and not rule.rest_states <= BREAK_STATES:
        return "overrun watches BREAK and LUNCH only"
    return None


@dataclass(frozen=True, slots=True)
class BreakPolicy:
    name: str = "default"
    description: str = ""
    rules: tuple[BreakRule, ...] = ()
    # Paid breaks count as hours worked (California rest periods); unpaid ones do not.
    paid_break_states: frozenset[AgentState] = frozenset()
    # How long a break may run when no scheduled break says otherwise (overrun rules).
    allowed_break_seconds: tuple[tuple[AgentState, float], ...] = (
        (AgentState.BREAK, 900.0),
        (AgentState.LUNCH, 3600.0),
    )
    # A logout this long ends the working day (the same notion of shift as occupancy's).
    new_day_after_logged_out_seconds: float = 4 * 3600.0
    adherence: AdherenceConfig = field(default_factory=AdherenceConfig)
    # Breaks and violations kept per agent, newest last (bounds memory on long replays).
    history_limit: int = 200

    def __post_init__(self) -> None:
        names = [rule.name for rule in self.rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise PolicyError(f"policy {self.name!r}: rule names must be unique, repeated: {', '.join(duplicates)}")
        if not self.paid_break_states <= BREAK_STATES:
            raise PolicyError(f"policy {self.name!r}: paid_break_states may name BREAK and LUNCH only")
        if self.new_day_after_logged_out_seconds <= 0 or self.history_limit < 1:
            raise PolicyError(f"policy {self.name!r}: new_day_after_logged_out and history_limit must be positive")

    def allowed_seconds(self, state: AgentState) -> float | None:
        for allowed_state, seconds in self.allowed_break_seconds:
            if allowed_state is state:
                return seconds
        return None
