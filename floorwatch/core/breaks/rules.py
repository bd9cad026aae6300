"""How far one agent is along each break rule, and when a rule is breached.

Each rule keeps a small `ProgressWork` (frozen as a `RuleProgress`); `advance_rule` moves it in
place through a stretch of time in one state, `rule_on_state` handles a change of state, `end_of_day` judges every rule
a whole day can settle (all but the continuous ones), so a day that ends before a deadline
is still judged. A breach is a breach from the instant the source says (the grace erases
nothing): `at_seconds` = the deadline that was missed, `flagged_at_seconds` = deadline + the
rule's grace, when the track lets the alert out. Both come from the timeline, so the same
events give the same violations however time is sliced into `advance` calls. Deadlines are
in *worked* time: unpaid rest does not count as work, so "start the meal before the 5th
hour" and "have had it by then" agree.
"""

from __future__ import annotations

from floorwatch.core.breaks.policy import BreakRule
from floorwatch.core.breaks.progress import (
    BreakRuleBreached,
    ProgressWork,
    Stretch,
    breach,
    missed,
    qualifies,
    resting,
    satisfied,
    wall_at,
    working,
)
from floorwatch.core.events import AgentState

Found = tuple[BreakRuleBreached, ...]


def advance_rule(rule: BreakRule, p: ProgressWork, s: Stretch) -> Found:
    kind = rule.kind
    if kind == "continuous_work":
        return _advance_continuous(rule, p, s)
    if kind == "overrun":
        return _advance_overrun(rule, p, s)
    if kind == "daily_rest":  # judged when a day starts (hooks.on_state)
        return ()
    if resting(rule, s.state):
        elapsed = s.to_seconds - s.from_seconds
        if p.run_seconds == 0.0:
            p.run_seconds, p.run_from_worked_seconds = elapsed, s.worked_from_seconds
        else:
            p.run_seconds = p.run_seconds + elapsed
    if kind == "rest_by_worked" and s.worked_to_seconds > s.worked_from_seconds:
        return _judge_rest_by_worked(rule, p, s)
    return ()  # count_per_worked: the law sets counts per day, judged when it ends


def _advance_continuous(rule: BreakRule, p: ProgressWork, s: Stretch) -> Found:
    elapsed = s.to_seconds - s.from_seconds
    if resting(rule, s.state):
        run = p.run_seconds + elapsed
        if run >= rule.minimum_seconds:  # a qualifying rest: the count starts again
            p.reset()
            p.run_seconds = run
            return ()
        _keep_only(p, run, p.work_seconds, p.deadline_at_seconds, p.flagged)
        return ()
    if not working(rule, s.state):
        return ()
    work, limit = p.work_seconds + elapsed, rule.max_work_seconds
    deadline_at = p.deadline_at_seconds
    if deadline_at is None and work >= limit:
        deadline_at = s.from_seconds + max(limit - p.work_seconds, 0.0)
    if p.flagged or not rule.past(work, limit):
        _keep_only(p, 0.0, work, deadline_at, p.flagged)
        return ()
    assert deadline_at is not None  # work is past the limit, so the deadline was reached
    detail = f"more than {limit / 60:g} min of work without a rest of {rule.minimum_seconds / 60:g} min"
    _keep_only(p, 0.0, work, deadline_at, True)
    return (breach(rule, deadline_at, deadline_at + rule.grace_seconds, detail),)


def _keep_only(p: ProgressWork, run: float, work: float, deadline_at: float | None, flagged: bool) -> None:
    """continuous_work's progress is these four; the rest of a RuleProgress stays fresh."""
    p.reset()
    p.run_seconds, p.work_seconds, p.deadline_at_seconds, p.flagged = run, work, deadline_at, flagged


def _advance_overrun(rule: BreakRule, p: ProgressWork, s: Stretch) -> Found:
    start, allowed = s.break_start_seconds, s.break_allowed_seconds
    if p.flagged or start is None or allowed is None or s.state not in rule.rest_states:
        return ()
    deadline = start + allowed
    # An overrun is house policy, and its grace is part of the rule: a break may run this much over.
    if s.to_seconds <= deadline + rule.grace_seconds:
        return ()
    detail = f"{s.state.value} ran past its {allowed / 60:g} min"
    p.flagged = True
    return (breach(rule, deadline, deadline + rule.grace_seconds, detail),)


def _judge_rest_by_worked(rule: BreakRule, p: ProgressWork, s: Stretch) -> Found:
    """A rest that has not *started* by the latest start is missed, however soon it follows:
    worked time passing the deadline decides, the grace only delays the alert."""
    w0, w1, deadline = s.worked_from_seconds, s.worked_to_seconds, rule.latest_start_worked_seconds
    outputs: list[BreakRuleBreached] = []
    if deadline is not None:
        if p.deadline_at_seconds is None and w0 <= deadline < w1:
            p.deadline_at_seconds = wall_at(s, deadline)
        if not p.checked and w1 > deadline:
            p.checked = 1
            if resting(rule, s.state):  # a paid rest in progress at the deadline: judged when it ends
                p.deferred = True
            elif not satisfied(rule, p):
                planned = s.planned_work_seconds
                planned_says = planned is not None and rule.applies_to(planned)
                if planned_says or rule.applies_to(w1):
                    at = wall_at(s, deadline)
                    # known to apply at the deadline (the plan says so) or once the day passed a waiver
                    known_at = at if planned_says else wall_at(s, max(rule.trigger_worked_seconds, deadline))
                    flagged_at = max(at + rule.grace_seconds, known_at)
                    outputs.append(missed(rule, at, flagged_at))
                    p.flagged = True
                else:
                    p.missed = True
    if p.missed and not p.flagged and rule.applies_to(w1):
        # The day turned out long enough for the rule (a waiver no longer holds): flagged when known.
        known_at = wall_at(s, rule.trigger_worked_seconds)
        at = p.deadline_at_seconds if p.deadline_at_seconds is not None else known_at
        outputs.append(missed(rule, p.deadline_at_seconds, max(known_at, at + rule.grace_seconds)))
        p.flagged = True
    return tuple(outputs)


def rule_on_state(
    rule: BreakRule, p: ProgressWork, old: AgentState | None, new: AgentState, at_seconds: float
) -> Found:
    if rule.kind == "overrun":
        if new != old and p.flagged:
            p.flagged = False
        return ()
    rest_states = rule.rest_states  # resting(), inlined: this runs for every rule at every state change
    old_rest = (AgentState.LOGGED_OUT if old is None else old) in rest_states
    if new in rest_states or not old_rest:
        if p.pending_seconds and working(rule, new):  # work follows the rests: now they count
            _bank(p)
        return ()
    # A rest in this rule's states ends: bank it, and judge a deadline that passed during it.
    if rule.kind != "continuous_work" and qualifies(rule, p):
        if rule.must_interrupt_work and not working(rule, new):
            p.pending_seconds, p.pending_taken = p.pending_seconds + p.run_seconds, p.pending_taken + 1
        else:
            p.credit_seconds, p.taken = p.credit_seconds + p.run_seconds, p.taken + 1
    p.run_seconds = 0.0
    if not p.deferred:
        return ()
    late = not satisfied(rule, p)
    outputs = (missed(rule, p.deadline_at_seconds, at_seconds),) if late else ()
    p.deferred, p.flagged = False, p.flagged or late
    return outputs


def _bank(p: ProgressWork) -> None:
    p.credit_seconds, p.taken = p.credit_seconds + p.pending_seconds, p.taken + p.pending_taken
    p.pending_seconds, p.pending_taken = 0.0, 0


def end_of_day(
    rule: BreakRule, p: ProgressWork, worked_seconds: float, ended_at_seconds: float, judged_at_seconds: float
) -> Found:
    """Judge, when the day is over, every rule a day can settle that no deadline has already.

    The logout that ended the day is no break taken during it, and a rest that work never
    followed does not interrupt the work (`must_interrupt_work`): neither counts here.
    `p` is left as it was (the day's progress is judged on a copy)."""
    if p.flagged or rule.kind not in ("rest_by_worked", "count_per_worked"):
        return ()
    closed = p.copy()
    closed.run_seconds = 0.0
    if rule.must_interrupt_work:
        closed.pending_seconds, closed.pending_taken = 0.0, 0
    elif closed.pending_seconds:
        _bank(closed)
    if rule.kind == "count_per_worked":
        return _count_at_day_end(rule, closed, worked_seconds, ended_at_seconds, judged_at_seconds)
    if not rule.applies_to(worked_seconds) or satisfied(rule, closed):
        return ()
    return (missed(rule, ended_at_seconds, judged_at_seconds),)


def _count_at_day_end(
    rule: BreakRule, p: ProgressWork, worked_seconds: float, ended_at_seconds: float, judged_at_seconds: float
) -> Found:
    needed = rule.required_count(worked_seconds)
    if p.taken >= needed:
        return ()
    detail = (
        f"{p.taken} of {needed} rests of at least {rule.minimum_seconds / 60:g} min "
        f"in a day of {worked_seconds / 3600:.2f} h of work"
    )
    return (breach(rule, ended_at_seconds, judged_at_seconds, detail),)
