"""How far one agent is along one break rule (`RuleProgress`), what a breach says, and the
small judgements the rules share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from floorwatch.core.breaks.policy import BreakRule
from floorwatch.core.events import AgentState


@dataclass(frozen=True, slots=True)
class BreakRuleBreached:
    """A break rule was not met: `at_seconds` is the missed deadline (it was due then)."""

    rule: str
    at_seconds: float
    flagged_at_seconds: float  # the deadline plus the rule's grace: the grace delays the alert only
    detail: str
    basis: str = "house_policy"  # the rule's: statute, guidance or house_policy


class RuleProgress(NamedTuple):
    """How far one agent is along one rule, as a stored track holds it. The break track's
    working state holds a `ProgressWork` per rule instead, updated in place."""

    run_seconds: float = 0.0  # the current uninterrupted rest in the rule's rest states
    work_seconds: float = 0.0  # continuous_work: work since the last qualifying rest
    credit_seconds: float = 0.0  # rest_by_worked: qualifying rest from finished slices today
    taken: int = 0  # count_per_worked: qualifying rests today
    checked: int = 0  # deadlines already judged (count_per_worked: the k judged so far)
    deadline_at_seconds: float | None = None  # when the deadline now being judged was reached
    deferred: bool = False  # the deadline passed during a paid rest: judge when the rest ends
    missed: bool = False  # rest_by_worked: deadline missed, the rule not yet known to apply
    flagged: bool = False  # reported (continuous_work: for the current stretch; overrun: this break)
    run_from_worked_seconds: float = 0.0  # worked time when the current rest began (0: before any work)
    pending_seconds: float = 0.0  # finished rests that count once work follows them (must_interrupt_work)
    pending_taken: int = 0


class ProgressWork:
    """A RuleProgress, mutable: the rules (`rules.py`) move it in place. A plain class, so that
    mypyc compiles it (a NamedTuple's constructor and `_replace` stay interpreted Python)."""

    run_seconds: float
    work_seconds: float
    credit_seconds: float
    taken: int
    checked: int
    deadline_at_seconds: float | None
    deferred: bool
    missed: bool
    flagged: bool
    run_from_worked_seconds: float
    pending_seconds: float
    pending_taken: int

    def __init__(self, p: RuleProgress) -> None:
        self.run_seconds = p.run_seconds
        self.work_seconds = p.work_seconds
        self.credit_seconds = p.credit_seconds
        self.taken = p.taken
        self.checked = p.checked
        self.deadline_at_seconds = p.deadline_at_seconds
        self.deferred = p.deferred
        self.missed = p.missed
        self.flagged = p.flagged
        self.run_from_worked_seconds = p.run_from_worked_seconds
        self.pending_seconds = p.pending_seconds
        self.pending_taken = p.pending_taken

    def reset(self) -> None:
        """Back to a fresh rule's progress (RuleProgress's defaults)."""
        self.run_seconds = 0.0
        self.work_seconds = 0.0
        self.credit_seconds = 0.0
        self.taken = 0
        self.checked = 0
        self.deadline_at_seconds = None
        self.deferred = False
        self.missed = False
        self.flagged = False
        self.run_from_worked_seconds = 0.0
        self.pending_seconds = 0.0
        self.pending_taken = 0

    def copy(self) -> ProgressWork:
        return ProgressWork(self.freeze())

    def freeze(self) -> RuleProgress:
        return RuleProgress(
            self.run_seconds,
            self.work_seconds,
            self.credit_seconds,
            self.taken,
            self.checked,
            self.deadline_at_seconds,
            self.deferred,
            self.missed,
            self.flagged,
            self.run_from_worked_seconds,
            self.pending_seconds,
            self.pending_taken,
        )


FRESH = RuleProgress()


class Stretch:
    """Time passing in one state: [from, to] wall time, worked time w0 -> w1. An argument bundle
    made for one call and never stored: a plain class, so that mypyc compiles its constructor
    (a dataclass's stays interpreted), built at every advance of the break track."""

    state: AgentState | None
    from_seconds: float
    to_seconds: float
    worked_from_seconds: float
    worked_to_seconds: float
    planned_work_seconds: float | None  # from the schedule, if known
    break_start_seconds: float | None  # the break (BREAK/LUNCH run) in progress, for overrun
    break_allowed_seconds: float | None

    def __init__(
        self,
        state: AgentState | None,
        from_seconds: float,
        to_seconds: float,
        worked_from_seconds: float,
        worked_to_seconds: float,
        planned_work_seconds: float | None,
        break_start_seconds: float | None,
        break_allowed_seconds: float | None,
    ) -> None:
        self.state = state
        self.from_seconds = from_seconds
        self.to_seconds = to_seconds
        self.worked_from_seconds = worked_from_seconds
        self.worked_to_seconds = worked_to_seconds
        self.planned_work_seconds = planned_work_seconds
        self.break_start_seconds = break_start_seconds
        self.break_allowed_seconds = break_allowed_seconds


def resting(rule: BreakRule, state: AgentState | None) -> bool:
    return (AgentState.LOGGED_OUT if state is None else state) in rule.rest_states


def working(rule: BreakRule, state: AgentState | None) -> bool:
    return state is not None and state is not AgentState.LOGGED_OUT and state not in rule.rest_states


def wall_at(s: Stretch, worked_seconds: float) -> float:
    """The wall time in this stretch when worked time reached `worked_seconds` (1:1 while working)."""
    return s.from_seconds + max(worked_seconds - s.worked_from_seconds, 0.0)


def breach(rule: BreakRule, at_seconds: float, flagged_at_seconds: float, detail: str) -> BreakRuleBreached:
    return BreakRuleBreached(
        rule=rule.name, at_seconds=at_seconds, flagged_at_seconds=flagged_at_seconds, detail=detail, basis=rule.basis
    )


def missed(rule: BreakRule, deadline_at_seconds: float | None, flagged_at: float) -> BreakRuleBreached:
    """rest_by_worked: the rest was not had; `at` is the deadline passed (or, by day end, the logout)."""
    at = deadline_at_seconds if deadline_at_seconds is not None else flagged_at
    minimum_minutes = rule.minimum_seconds / 60
    word = "reaching" if rule.boundary == "reaches" else "over"
    pieces = (
        f"{rule.periods} rests of {minimum_minutes:g} min" if rule.periods > 1 else f"{minimum_minutes:g} min of rest"
    )
    if rule.latest_start_worked_seconds is None:
        detail = f"{pieces} not taken in a working day {word} {rule.after_worked_seconds / 3600:g} h"
    else:
        detail = f"{pieces} not started by {rule.latest_start_worked_seconds / 3600:g} h of work"
    return breach(rule, at, flagged_at, detail)


def qualifies(rule: BreakRule, p: ProgressWork) -> bool:
    """The rest in progress is long enough to count (and, where it must interrupt work, came after some)."""
    return p.run_seconds >= rule.slice_seconds and (not rule.must_interrupt_work or p.run_from_worked_seconds > 0)


def satisfied(rule: BreakRule, p: ProgressWork) -> bool:
    """rest_by_worked: enough qualifying rest today, counting a rest in progress once it qualifies."""
    current = qualifies(rule, p)
    if rule.periods > 1:
        return p.taken + p.pending_taken + current >= rule.periods
    run = p.run_seconds if current else 0.0
    return p.credit_seconds + p.pending_seconds + run >= rule.minimum_seconds


def applies(rule: BreakRule, worked_seconds: float, planned_work_seconds: float | None) -> bool:
    return rule.applies_to(worked_seconds) or (
        planned_work_seconds is not None and rule.applies_to(planned_work_seconds)
    )


def due_in(
    rule: BreakRule,
    p: ProgressWork,
    state: AgentState | None,
    worked_seconds: float,
    planned_work_seconds: float | None,
) -> tuple[float | None, bool]:
    """(seconds of work until this rule's next break is due, negative once overdue; overdue now?)."""
    if rule.kind == "overrun":
        return None, False
    rest_now = resting(rule, state)
    if rule.kind == "continuous_work":
        remaining = rule.max_work_seconds - p.work_seconds
    elif rule.kind == "daily_rest":
        return None, False
    elif rule.kind == "count_per_worked":  # counts per day, judged at its end: due, never overdue
        taken = p.taken + p.pending_taken + qualifies(rule, p)
        return max(rule.next_count_at_worked_seconds(taken) - worked_seconds, 0.0), False
    elif satisfied(rule, p) or (
        planned_work_seconds is not None and not applies(rule, worked_seconds, planned_work_seconds)
    ):
        return None, False
    elif rule.latest_start_worked_seconds is None:  # due by the end of the day: suggested by the trigger
        return max(rule.after_worked_seconds - worked_seconds, 0.0), False
    else:
        remaining = rule.latest_start_worked_seconds - worked_seconds
    return remaining, remaining < 0 and not rest_now
