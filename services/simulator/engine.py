"""The discrete-event simulation: one heap of timed actions, processed in time order.

Agents move LOGGED_OUT -> AVAILABLE -> ON_CONTACT (-> HOLD -> ON_CONTACT) -> AFTER_CONTACT_WORK
-> AVAILABLE, leave for breaks, lunch, training and meetings when those fall due (after the
contact in hand, like real people), and log out at the end of their shift. Contacts wait in
their queue (FIFO) for the longest-idle agent, or hang up when their patience runs out.

Every event is emitted at the instant its action runs, so the stream is in event-time order.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator

from floorwatch.core.events import AgentState
from floorwatch.services.simulator.arrivals import arrival_times
from floorwatch.services.simulator.builder import EventBuilder
from floorwatch.services.simulator.contacts import (
    END,
    ESCALATE,
    HANG_UP_ON_HOLD,
    HOLD,
    RESUME,
    ContactPlan,
    draw_contact,
)
from floorwatch.services.simulator.model import AUX_STATE, REASON_CODE, Agent, AuxPlan, Floor, Team
from floorwatch.services.simulator.settings import SimulatorSettings

_LOGOUT = "logout"  # a pending item: the shift ended while the agent was busy


class _Waiting:
    __slots__ = ("plan", "taken")

    def __init__(self, plan: ContactPlan):
        self.plan = plan
        self.taken = False  # answered or abandoned: skip it when it reaches the head of the queue


class _AgentRun:
    __slots__ = ("answered_at", "logged_in", "pending", "spec", "state", "step", "team", "waiting")

    def __init__(self, spec: Agent, team: _TeamRun):
        self.spec = spec
        self.team = team
        self.state = AgentState.LOGGED_OUT
        self.waiting: _Waiting | None = None  # the contact reserved for or handled by this agent
        self.answered_at = 0.0
        self.step = 0
        self.pending: deque = deque()  # activities (and logout) that fell due while busy
        self.logged_in = False

    def contact(self) -> ContactPlan:
        """The contact in hand: only asked between reserve() and end_wrap(), which hold `waiting`."""
        assert self.waiting is not None, "no contact reserved for this agent"
        return self.waiting.plan


class _TeamRun:
    def __init__(self, team: Team, floor: Floor, settings: SimulatorSettings):
        self.team = team
        self.rng = random.Random(f"{settings.seed}:contacts:{team.team_id}")
        self.arrivals = arrival_times(
            floor.segments, team.arrival_rates_per_second, random.Random(f"{settings.seed}:arrivals:{team.team_id}")
        )
        self.queue: deque[_Waiting] = deque()
        self.idle: OrderedDict[str, _AgentRun] = OrderedDict()  # longest idle first
        self.logged_in = 0
        self.logins_to_come = len(team.agents)
        self.contacts = 0

    def next_waiting(self) -> _Waiting | None:
        while self.queue:
            waiting = self.queue.popleft()
            if not waiting.taken:
                return waiting
        return None


def simulate(floor: Floor, settings: SimulatorSettings) -> Iterator:
    """All events of the simulated shift, in event-time order (a generator: stop it any time)."""
    return _Engine(floor, settings).run()


class _Engine:
    def __init__(self, floor: Floor, settings: SimulatorSettings):
        self.floor = floor
        self.settings = settings
        self.build = EventBuilder(floor.run_id, floor.start, settings.source)
        self.heap: list = []
        self.order = itertools.count()
        self.out: list = []
        self.teams = [_TeamRun(team, floor, settings) for team in floor.teams]
        self.agents = [_AgentRun(agent, run) for run in self.teams for agent in run.team.agents]

    def at(self, seconds: float, action: Callable, target) -> None:
        heapq.heappush(self.heap, (round(seconds, 3), next(self.order), action, target))

    def run(self) -> Iterator:
        for agent in self.agents:
            yield self.build.schedule(agent.spec, 0.0)
        for agent in self.agents:
            self.at(agent.spec.login_seconds, self.login, agent)
            for plan in agent.spec.aux_plans:
                self.at(plan.due_seconds, self.aux_due, (agent, plan))
            self.at(agent.spec.shift_end_seconds, self.logout_due, agent)
        for team in self.teams:
            self.schedule_arrival(team)
        while self.heap:
            seconds, _, action, target = heapq.heappop(self.heap)
            if seconds > self.floor.stop_seconds:
                return
            action(target, seconds)
            yield from self.out
            self.out.clear()

    # --- agents -------------------------------------------------------------------

    def set_state(self, agent: _AgentRun, state: AgentState, seconds: float, reason_code: str | None = None) -> None:
        agent.state = state
        self.out.append(self.build.state(agent.spec, state, seconds, reason_code))

    def login(self, agent: _AgentRun, seconds: float) -> None:
        agent.team.logins_to_come -= 1
        if seconds >= agent.spec.shift_end_seconds:
            return  # so late the shift is over (only possible with very short shifts): a no-show
        agent.logged_in = True
        agent.team.logged_in += 1
        self.free(agent, seconds)

    def free(self, agent: _AgentRun, seconds: float) -> None:
        """The agent has nothing in hand: do what fell due meanwhile, else take the next contact."""
        if _LOGOUT in agent.pending:
            self.logout(agent, seconds)
            return
        if agent.pending:
            self.start_aux(agent, agent.pending.popleft(), seconds)
            return
        if agent.state != AgentState.AVAILABLE:
            self.set_state(agent, AgentState.AVAILABLE, seconds)
        waiting = agent.team.next_waiting()
        if waiting is None:
            agent.team.idle[agent.spec.agent_id] = agent
        else:
            self.reserve(agent, waiting, seconds)

    def aux_due(self, target: tuple[_AgentRun, AuxPlan], seconds: float) -> None:
        agent, plan = target
        if not agent.logged_in:
            return  # not here yet (a very late login) or gone: the activity lapses
        if agent.team.idle.pop(agent.spec.agent_id, None) is not None:
            self.start_aux(agent, plan, seconds)
        else:
            agent.pending.append(plan)

    def start_aux(self, agent: _AgentRun, plan: AuxPlan, seconds: float) -> None:
        self.set_state(agent, AUX_STATE[plan.kind], seconds, REASON_CODE[plan.kind])
        self.at(seconds + plan.duration_seconds, self.free, agent)

    def logout_due(self, agent: _AgentRun, seconds: float) -> None:
        if not agent.logged_in:
            return
        if agent.team.idle.pop(agent.spec.agent_id, None) is not None:
            self.logout(agent, seconds)
        else:
            agent.pending.append(_LOGOUT)

    def logout(self, agent: _AgentRun, seconds: float) -> None:
        agent.pending.clear()
        agent.logged_in = False
        self.set_state(agent, AgentState.LOGGED_OUT, seconds)
        team = agent.team
        team.logged_in -= 1
        if team.logged_in == 0 and team.logins_to_come == 0:
            self.close_queue(team, seconds)

    # --- contacts -------------------------------------------------------------------

    def schedule_arrival(self, team: _TeamRun) -> None:
        offered_seconds = next(team.arrivals, None)
        if offered_seconds is not None:
            self.at(offered_seconds, self.arrive, team)

    def arrive(self, team: _TeamRun, seconds: float) -> None:
        team.contacts += 1
        contact_id = f"{self.floor.run_id}-{team.team.team_id}-{team.contacts:06d}"
        waiting = _Waiting(draw_contact(contact_id, team.team.queue_id, seconds, self.settings, team.rng))
        self.out.append(self.build.offered(waiting.plan, seconds))
        if team.idle:
            _, agent = team.idle.popitem(last=False)
            self.reserve(agent, waiting, seconds)
        else:
            team.queue.append(waiting)
            if waiting.plan.patience_seconds != math.inf:
                self.at(seconds + waiting.plan.patience_seconds, self.abandon, waiting)
            if team.logged_in == 0 and team.logins_to_come == 0:
                self.close_queue(team, seconds)
        self.schedule_arrival(team)

    def reserve(self, agent: _AgentRun, waiting: _Waiting, seconds: float) -> None:
        waiting.taken = True
        agent.waiting = waiting
        self.at(seconds + waiting.plan.ring_seconds, self.answer, agent)

    def answer(self, agent: _AgentRun, seconds: float) -> None:
        plan = agent.contact()
        agent.answered_at = seconds
        agent.step = 0
        self.set_state(agent, AgentState.ON_CONTACT, seconds)
        self.out.append(self.build.answered(plan, agent.spec, seconds, round(seconds - plan.offered_seconds, 3)))
        self.at(seconds + plan.steps[0][0], self.advance_contact, agent)

    def advance_contact(self, agent: _AgentRun, seconds: float) -> None:
        plan = agent.contact()
        _, name = plan.steps[agent.step]
        agent.step += 1
        build, spec = self.build, agent.spec
        if name == ESCALATE:
            self.out.append(build.escalated(plan, spec, seconds))
        elif name == HOLD:
            self.out.append(build.held(plan, spec, seconds))
            self.set_state(agent, AgentState.HOLD, seconds)
        elif name == RESUME:
            self.out.append(build.resumed(plan, spec, seconds))
            self.set_state(agent, AgentState.ON_CONTACT, seconds)
        elif name == HANG_UP_ON_HOLD:
            wait = round(agent.answered_at - plan.offered_seconds, 3)
            self.out.append(build.abandoned(plan, seconds, wait, spec, round(plan.hold_seconds, 3)))
            self.wrap_up(agent, seconds)
        elif name == END:
            if plan.sentiment is not None:
                self.out.append(build.sentiment(plan, spec, seconds, plan.sentiment))
            if plan.transferred:
                self.out.append(build.transferred(plan, spec, seconds))
            self.out.append(build.ended(plan, spec, seconds))
            self.wrap_up(agent, seconds)
        if agent.step < len(plan.steps):
            self.at(agent.answered_at + plan.steps[agent.step][0], self.advance_contact, agent)

    def wrap_up(self, agent: _AgentRun, seconds: float) -> None:
        self.set_state(agent, AgentState.AFTER_CONTACT_WORK, seconds)
        self.at(seconds + agent.contact().wrap_seconds, self.end_wrap, agent)

    def end_wrap(self, agent: _AgentRun, seconds: float) -> None:
        agent.waiting = None
        self.free(agent, seconds)

    def abandon(self, waiting: _Waiting, seconds: float) -> None:
        if waiting.taken:
            return
        waiting.taken = True
        self.out.append(self.build.abandoned(waiting.plan, seconds, round(seconds - waiting.plan.offered_seconds, 3)))

    def close_queue(self, team: _TeamRun, seconds: float) -> None:
        """Nobody is left to answer: the callers still waiting are told so and hang up."""
        while (waiting := team.next_waiting()) is not None:
            self.abandon(waiting, seconds)
