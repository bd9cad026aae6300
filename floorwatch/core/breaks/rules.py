"""How far one agent is along each break rule, and when a rule is breached.

Each rule keeps a small frozen `RuleProgress`; `advance_rule` moves it through a stretch of
time in one state, `rule_on_state` handles a change of state, `end_of_day` judges the rules
that only a whole day can settle. A breach is reported once, with `at_seconds` = the
deadline that was missed and `flagged_at_seconds` = deadline + the rule's grace, both
computed from the timeline, so the same events always give the same violations however
time is sliced into `advance` calls. Deadlines are in *worked* time: unpaid rest does not
count as work, so "start the meal before the 5th hour" and "have had it by then" agree.
"""

from __future__ import annotations

from floorwatch.core.breaks.policy import BreakRule
from floorwatch.core.breaks.progress import (
    BreakRuleBreached,
    RuleProgress,
    Stretch,
    applies,
    missed,
    resting,
    satisfied,
    wall_at,
    working,
)
from floorwatch.core.events import AgentState


def advance_rule(rule: BreakRule, p: RuleProgress, s: Stretch) -> tuple[RuleProgress, tuple[BreakRuleBreached, ...]]:
    if rule.kind == "continuous_work":
        return _advance_continuous(rule, p, s)
    if rule.kind == "overrun":
        return _advance_overrun(rule, p, s)
    if resting(rule, s.state):
        elapsed = s.to_seconds - s.from_seconds
        run = p.run_seconds + elapsed
        taken = (
            p.taken + 1 if rule.kind == "count_per_worked" and run >= rule.minimum_seconds > p.run_seconds else p.taken
        )
        p = RuleProgress(
            run_seconds=run,
            work_seconds=p.work_seconds,
            credit_seconds=p.credit_seconds,
            taken=taken,
            checked=p.checked,
            deadline_at_seconds=p.deadline_at_seconds,
            deferred=p.deferred,
            missed=p.missed,
            flagged=p.flagged,
        )
    if s.worked_to_seconds <= s.worked_from_seconds:
        return p, ()
    if rule.kind == "rest_by_worked":
        return _judge_rest_by_worked(rule, p, s)
    return _judge_count(rule, p, s)


def _advance_continuous(
    rule: BreakRule, p: RuleProgress, s: Stretch
) -> tuple[RuleProgress, tuple[BreakRuleBreached, ...]]:
    elapsed = s.to_seconds - s.from_seconds
    if resting(rule, s.state):
        run = p.run_seconds + elapsed
        if run >= rule.minimum_seconds:  # a qualifying rest: the count starts again
            return RuleProgress(run_seconds=run), ()
        return RuleProgress(
            run_seconds=run,
            work_seconds=p.work_seconds,
            credit_seconds=0.0,
            taken=0,
            checked=0,
            deadline_at_seconds=p.deadline_at_seconds,
            deferred=False,
            missed=False,
            flagged=p.flagged,
        ), ()
    if not working(rule, s.state):
        return p, ()
    work, limit = p.work_seconds + elapsed, rule.max_work_seconds
    deadline_at = p.deadline_at_seconds
    if deadline_at is None and work >= limit:
        deadline_at = s.from_seconds + max(limit - p.work_seconds, 0.0)
    if p.flagged or work <= limit + rule.grace_seconds:
        return RuleProgress(
            run_seconds=0.0,
            work_seconds=work,
            credit_seconds=0.0,
            taken=0,
            checked=0,
            deadline_at_seconds=deadline_at,
            deferred=False,
            missed=False,
            flagged=p.flagged,
        ), ()
    flagged_at = s.from_seconds + max(limit + rule.grace_seconds - (work - elapsed), 0.0)
    detail = f"{limit / 60:g} min of work without a rest of {rule.minimum_seconds / 60:g} min"
    progress = RuleProgress(
        run_seconds=0.0,
        work_seconds=work,
        credit_seconds=0.0,
        taken=0,
        checked=0,
        deadline_at_seconds=deadline_at,
        deferred=False,
        missed=False,
        flagged=True,
    )
    assert deadline_at is not None  # work is past the limit, so the deadline was reached
    return progress, (
        BreakRuleBreached(rule=rule.name, at_seconds=deadline_at, flagged_at_seconds=flagged_at, detail=detail),
    )


def _advance_overrun(
    rule: BreakRule, p: RuleProgress, s: Stretch
) -> tuple[RuleProgress, tuple[BreakRuleBreached, ...]]:
    start, allowed = s.break_start_seconds, s.break_allowed_seconds
    if p.flagged or start is None or allowed is None or s.state not in rule.rest_states:
        return p, ()
    deadline = start + allowed
    if s.to_seconds <= deadline + rule.grace_seconds:
        return p, ()
    detail = f"{s.state.value} ran past its {allowed / 60:g} min"
    return p._replace(flagged=True), (
        BreakRuleBreached(
            rule=rule.name, at_seconds=deadline, flagged_at_seconds=deadline + rule.grace_seconds, detail=detail
        ),
    )


def _judge_rest_by_worked(
    rule: BreakRule, p: RuleProgress, s: Stretch
) -> tuple[RuleProgress, tuple[BreakRuleBreached, ...]]:
    w0, w1, deadline = s.worked_from_seconds, s.worked_to_seconds, rule.latest_start_worked_seconds
    outputs: list[BreakRuleBreached] = []
    if deadline is not None:
        if p.deadline_at_seconds is None and w0 <= deadline < w1:
            p = p._replace(deadline_at_seconds=wall_at(s, deadline))
        if not p.checked and w1 > deadline + rule.grace_seconds:
            moment = deadline + rule.grace_seconds
            p = p._replace(checked=1)
            if resting(rule, s.state):
                p = p._replace(deferred=True)
            elif not satisfied(rule, p):
                if applies(rule, moment, s.planned_work_seconds):
                    outputs.append(missed(rule, p, wall_at(s, moment)))
                    p = p._replace(flagged=True)
                else:
                    p = p._replace(missed=True)
    trigger = rule.trigger_worked_seconds
    if p.missed and not p.flagged and w1 > trigger:
        outputs.append(missed(rule, p, wall_at(s, trigger)))
        p = p._replace(flagged=True)
    return p, tuple(outputs)


def _judge_count(rule: BreakRule, p: RuleProgress, s: Stretch) -> tuple[RuleProgress, tuple[BreakRuleBreached, ...]]:
    outputs: list[BreakRuleBreached] = []
    w0, w1 = s.worked_from_seconds, s.worked_to_seconds
    while True:
        k = p.checked + 1
        deadline = rule.count_deadline_worked_seconds(k)
        if p.deadline_at_seconds is None and w0 <= deadline < w1:
            p = p._replace(deadline_at_seconds=wall_at(s, deadline))
        if w1 <= deadline + rule.grace_seconds:
            return p, tuple(outputs)
        if resting(rule, s.state):  # passed during a paid rest: judged when it ends (once)
            p = p._replace(checked=k, deferred=True)
            continue
        if p.taken < k:
            outputs.append(missed(rule, p, wall_at(s, deadline + rule.grace_seconds), k))
        p = p._replace(checked=k, deadline_at_seconds=None)


def rule_on_state(
    rule: BreakRule, p: RuleProgress, old: AgentState | None, new: AgentState, at_seconds: float
) -> tuple[RuleProgress, tuple[BreakRuleBreached, ...]]:
    if rule.kind == "overrun":
        return (p._replace(flagged=False) if new != old and p.flagged else p), ()
    rest_states = rule.rest_states  # resting(), inlined: this runs for every rule at every state change
    if (AgentState.LOGGED_OUT if old is None else old) not in rest_states or (
        AgentState.LOGGED_OUT if new is None else new
    ) in rest_states:
        return p, ()
    # A rest in this rule's states ends: bank it, and judge a deadline that passed during it.
    if rule.kind == "rest_by_worked" and p.run_seconds >= rule.slice_seconds:
        p = p._replace(credit_seconds=p.credit_seconds + p.run_seconds)
    p = p._replace(run_seconds=0.0)
    if not p.deferred:
        return p, ()
    late = not satisfied(rule, p) if rule.kind == "rest_by_worked" else p.taken < p.checked
    outputs = (missed(rule, p, at_seconds, p.checked),) if late else ()
    if rule.kind == "count_per_worked":  # the next rest has a deadline of its own
        return p._replace(deferred=False, deadline_at_seconds=None), outputs
    return p._replace(deferred=False, flagged=p.flagged or late), outputs


def end_of_day(
    rule: BreakRule, p: RuleProgress, worked_seconds: float, ended_at_seconds: float, judged_at_seconds: float
) -> tuple[BreakRuleBreached, ...]:
    """Judge rules due 'by the end of the working day' (no latest start) when the day is over."""
    if rule.kind != "rest_by_worked" or rule.latest_start_worked_seconds is not None or p.flagged:
        return ()
    # The logout that ended the day is no break taken during it.
    if worked_seconds <= rule.trigger_worked_seconds or satisfied(rule, p._replace(run_seconds=0.0)):
        return ()
    return (missed(rule, p._replace(deadline_at_seconds=ended_at_seconds), judged_at_seconds),)
