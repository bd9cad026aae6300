"""Break policies: rules built from a few primitives, so a jurisdiction is a profile, not code.

A policy is a list of rules of five kinds; `docs/breaks.md` defines it and explains each
primitive and which profile uses it:

- `continuous_work`: at most `max_work` of work without an uninterrupted rest of at least
  `minimum` (the default 120/10 min; screen-work guidance; Germany's "never more than 6 h in
  a row").
- `rest_by_worked`: once the day's work exceeds `after_worked` (raised to
  `waived_if_day_at_most` where a waiver is agreed), rest of at least `minimum` in total, in
  uninterrupted slices of at least `min_slice` if `splittable` (else in one piece), taken
  before `latest_start_worked` of work or, without it, by the end of the working day.
- `count_per_worked`: as many rests of at least `minimum` as the day's work calls for, one
  per `per_worked` (and one more for a `major_fraction` of it), none under `after_worked`;
  judged when the day ends (California rest periods: the law sets counts, not clock times).
- `daily_rest`: at least `minimum` between the end of one working day and the start of the
  next (EU WTD Art. 3, ArbZG § 5, UK reg. 10).
- `overrun`: a break running past its scheduled or allowed length.

Every rule says what it rests on (`basis`: statute, guidance or house_policy) and where
(`citation`), and whether its threshold is crossed when work is "more than" it or "reaches"
it (`boundary`), as the source words it. A breach is a breach from the instant the source
says; the `grace` only delays the alert.

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

RuleKind = Literal["continuous_work", "rest_by_worked", "count_per_worked", "daily_rest", "overrun"]
RULE_KINDS: tuple[str, ...] = ("continuous_work", "rest_by_worked", "count_per_worked", "daily_rest", "overrun")
# What a rule rests on. The `kind` above is its mechanism; `basis` is its authority, and only
# `statute` breaches are breaches of law (the works-council ratio counts those by default).
Basis = Literal["statute", "guidance", "house_policy"]
BASES: tuple[str, ...] = ("statute", "guidance", "house_policy")
# How a source words a threshold: "more than 6 hours" (strictly over) or "reaches 6 hours".
BOUNDARIES: tuple[str, ...] = ("more_than", "reaches")
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
    basis: str = "house_policy"  # a rule nobody cited is the organisation's own
    citation: str = ""
    boundary: str = "more_than"  # after_worked / max_work: "more than" or "reaches"
    periods: int = 1  # rest_by_worked: separate rests of at least `minimum` each (a second meal)
    must_interrupt_work: bool = False  # a rest counts only with work before and after it that day

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

    def applies_to(self, worked_seconds: float) -> bool:
        """rest_by_worked: a day of this much work needs the rest ("more than" / "reaches" the trigger).
        A waiver is always "at most": a day that passes it is more than it."""
        trigger = self.after_worked_seconds
        waiver = self.waived_if_day_at_most_seconds
        if waiver is not None and worked_seconds <= waiver:
            return False
        return worked_seconds >= trigger if self.boundary == "reaches" else worked_seconds > trigger

    def past(self, worked_seconds: float, limit_seconds: float) -> bool:
        """Work beyond a limit the source words as "more than" (or, with "reaches", at it)."""
        return worked_seconds >= limit_seconds if self.boundary == "reaches" else worked_seconds > limit_seconds

    def required_count(self, worked_seconds: float) -> int:
        """count_per_worked: rests a day of this much work calls for (one per `per_worked`, one
        more for a major fraction of it; none below `after_worked`, at least one from it)."""
        if not self.past(worked_seconds, self.after_worked_seconds):
            return 0
        whole, rest = divmod(worked_seconds, self.per_worked_seconds)
        extra = 1 if (rest > self.per_worked_seconds / 2 if self.major_fraction else False) else 0
        return max(1, int(whole) + extra)

    def next_count_at_worked_seconds(self, taken: int) -> float:
        """count_per_worked: the work at which the day first calls for more than `taken` rests."""
        per = self.per_worked_seconds
        if taken == 0:
            return self.after_worked_seconds
        return taken * per + per / 2 if self.major_fraction else (taken + 1) * per


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
    if rule.basis not in BASES:
        return f"basis must be one of {', '.join(BASES)}, got {rule.basis!r}"
    if rule.boundary not in BOUNDARIES:
        return f"boundary must be one of {', '.join(BOUNDARIES)}, got {rule.boundary!r}"
    if rule.periods < 1:
        return "periods must be at least 1"
    if rule.kind == "daily_rest" and rule.minimum_seconds <= 0:
        return "daily_rest needs a minimum greater than zero"
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
    # The bases the team compliance ratio counts: law only unless a policy says otherwise.
    compliance_bases: frozenset[str] = frozenset({"statute"})

    def __post_init__(self) -> None:
        names = [rule.name for rule in self.rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise PolicyError(f"policy {self.name!r}: rule names must be unique, repeated: {', '.join(duplicates)}")
        if not self.paid_break_states <= BREAK_STATES:
            raise PolicyError(f"policy {self.name!r}: paid_break_states may name BREAK and LUNCH only")
        if not self.compliance_bases or not self.compliance_bases <= set(BASES):
            raise PolicyError(f"policy {self.name!r}: compliance_bases must name some of {', '.join(BASES)}")
        if self.new_day_after_logged_out_seconds <= 0 or self.history_limit < 1:
            raise PolicyError(f"policy {self.name!r}: new_day_after_logged_out and history_limit must be positive")

    def basis_of(self, rule_name: str) -> str:
        for rule in self.rules:
            if rule.name == rule_name:
                return rule.basis
        return "house_policy"

    def allowed_seconds(self, state: AgentState) -> float | None:
        for allowed_state, seconds in self.allowed_break_seconds:
            if allowed_state is state:
                return seconds
        return None
