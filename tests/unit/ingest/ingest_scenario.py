"""A synthetic contact-center shift, its expected figures, and the same shift in each platform's format.

The expected figures come straight from the scenario (a call's talk plus wrap-up is
handle time, a pause is auxiliary time, the rest of the login is available), never
from an adapter, so the adapters and floorwatch's replay are checked against an
independent count.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import TypeVar

from tests.unit.ingest.ingest_helpers import T0, iso

QUEUES = ("sales", "support")
PAUSE_REASONS = ("Break", "Lunch", "Training")
_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Call:
    call_id: str
    queue: str
    arrival: int
    answer: int
    end: int
    wrap_seconds: int
    hold: tuple[int, int] | None  # (start, end) inside the talk


@dataclass(frozen=True)
class Pause:
    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Shift:
    agent: str
    login: int
    logout: int
    calls: tuple[Call, ...]
    pauses: tuple[Pause, ...]


@dataclass(frozen=True)
class Abandon:
    call_id: str
    queue: str
    arrival: int
    gone: int


@dataclass(frozen=True)
class Scenario:
    shifts: tuple[Shift, ...]
    abandons: tuple[Abandon, ...]


@dataclass(frozen=True)
class Expected:
    handle_seconds: float
    available_seconds: float
    aux_seconds: float
    answered: int


def build(seed: int, agents: int = 3, hours: float = 2.0, wrap: bool = True) -> Scenario:
    rng = random.Random(seed)
    shifts = []
    for number in range(agents):
        agent = f"agent-{number + 1}"
        login = rng.randint(0, 300)
        t = login
        calls: list[Call] = []
        pauses: list[Pause] = []
        while t < login + hours * 3600 - 900:
            if rng.random() < 0.12 and (not pauses or t - pauses[-1].end > 1200):
                length = rng.randint(5, 20) * 60
                pauses.append(Pause(t + 30, t + 30 + length, rng.choice(PAUSE_REASONS)))
                t = t + 30 + length
            idle = rng.randint(5, 90)
            answer = t + idle
            talk = rng.randint(60, 420)
            hold = None
            if rng.random() < 0.25:
                start = answer + rng.randint(10, talk // 2)
                hold = (start, start + rng.randint(5, talk // 3))
            calls.append(
                Call(
                    f"{agent}-c{len(calls) + 1}",
                    rng.choice(QUEUES),
                    answer - rng.randint(0, 40),
                    answer,
                    answer + talk,
                    rng.randint(5, 60) if wrap else 0,
                    hold,
                )
            )
            t = answer + talk + calls[-1].wrap_seconds
        shifts.append(Shift(agent, login, t + rng.randint(10, 60), tuple(calls), tuple(pauses)))
    abandons = tuple(
        Abandon(f"ab-{n}", rng.choice(QUEUES), start, start + rng.randint(6, 90))
        for n, start in enumerate(sorted(rng.sample(range(600, int(hours * 3600)), 7)))
    )
    return Scenario(tuple(shifts), abandons)


def expected(scenario: Scenario) -> dict[str, Expected]:
    figures = {}
    for shift in scenario.shifts:
        handle = sum(c.end - c.answer + c.wrap_seconds for c in shift.calls)
        aux = sum(p.end - p.start for p in shift.pauses)
        figures[shift.agent] = Expected(handle, shift.logout - shift.login - handle - aux, aux, len(shift.calls))
    return figures


def expected_from_call_list(scenario: Scenario, session_gap_seconds: float) -> dict[str, Expected]:
    """What a call list alone can tell: talk is handle, gaps within a session are available."""
    figures = {}
    for shift in scenario.shifts:
        handle = sum(c.end - c.answer for c in shift.calls)
        gaps = [b.answer - a.end for a, b in zip(shift.calls, shift.calls[1:])]
        figures[shift.agent] = Expected(handle, sum(g for g in gaps if g <= session_gap_seconds), 0, len(shift.calls))
    return figures


def abandoned_per_queue(scenario: Scenario) -> Counter[str]:
    return Counter(a.queue for a in scenario.abandons)


# --- platform renderings ------------------------------------------------------------------------------


def activities(shift: Shift) -> list[Call | Pause]:
    """The shift's calls and pauses in time order (a call at its answer)."""
    both: list[Call | Pause] = [*shift.calls, *shift.pauses]
    return sorted(both, key=lambda a: a.start if isinstance(a, Pause) else a.answer)


def _sorted(items: list[tuple[int, int, _Item]]) -> list[_Item]:
    """Time order across agents; the sequence number keeps each agent's same-second records in order."""
    return [item for _, _, item in sorted(items, key=lambda entry: (entry[0], entry[1]))]


def asterisk(scenario: Scenario) -> str:
    lines: list[tuple[int, int, str]] = []

    def add(t: int, callid: str, queue: str, agent: str, event: str, *data: object) -> None:
        lines.append(
            (t, len(lines), "|".join([str(int(T0.timestamp()) + t), callid, queue, agent, event, *map(str, data)]))
        )

    for s in scenario.shifts:
        for queue in QUEUES:
            add(s.login, "NONE", queue, s.agent, "ADDMEMBER", "")
        free_since = s.login  # a member can only be rung while logged in and neither paused nor on a call
        for activity in activities(s):
            if isinstance(activity, Pause):
                add(activity.start, "NONE", "NONE", s.agent, "PAUSEALL", activity.reason)
                for queue in QUEUES:
                    add(activity.start, "NONE", queue, s.agent, "PAUSE", activity.reason)
                add(activity.end, "NONE", "NONE", s.agent, "UNPAUSEALL", "")
                for queue in QUEUES:
                    add(activity.end, "NONE", queue, s.agent, "UNPAUSE", "")
                free_since = activity.end
                continue
            c = activity
            add(c.arrival, c.call_id, c.queue, "NONE", "ENTERQUEUE", "", "5550100", 1)
            if c.answer - c.arrival > 20 and c.arrival >= free_since:
                add(c.arrival + 15, c.call_id, c.queue, s.agent, "RINGNOANSWER", 15000)
            add(c.answer, c.call_id, c.queue, s.agent, "CONNECT", c.answer - c.arrival, c.call_id + ".2", 2)
            add(c.end, c.call_id, c.queue, s.agent, "COMPLETECALLER", c.answer - c.arrival, c.end - c.answer, 1)
            free_since = c.end
        for queue in QUEUES:
            add(s.logout, "NONE", queue, s.agent, "REMOVEMEMBER", "")
    for a in scenario.abandons:
        add(a.arrival, a.call_id, a.queue, "NONE", "ENTERQUEUE", "", "5550199", 1)
        add(a.gone, a.call_id, a.queue, "NONE", "ABANDON", 1, 1, a.gone - a.arrival)
    return "".join(line + "\n" for line in _sorted(lines))


def calls_csv(scenario: Scenario) -> str:
    rows = [
        (c.arrival, f"{c.call_id},{s.agent},{c.queue},{iso(c.arrival)},{iso(c.answer)},{iso(c.end)},completed")
        for s in scenario.shifts
        for c in s.calls
    ]
    rows += [
        (a.arrival, f"{a.call_id},,{a.queue},{iso(a.arrival)},,{iso(a.gone)},abandoned") for a in scenario.abandons
    ]
    return "call_id,agent,queue,arrival,answer,end,outcome\n" + "".join(row + "\n" for _, row in sorted(rows))
