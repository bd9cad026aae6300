"""A month of a call center, as the truth and as each platform writes it, with every trap a real feed holds.

`month(seed)` draws what really happened: per agent and working day (weekends off), a login,
calls (some on a second line while the first is still going), pauses, a logoff, and calls
that never reached an agent (abandons, some short; some answered by the system). The
renderers write that month in a platform's own format, traps included: the call CSV sorted
by arrival with two clocks, duplicate rows, placeholder agents and rows beyond any skew; the
Asterisk queue_log with PAUSEALL plus one PAUSE per queue, a second line still connected at
the logoff whose end record comes after it (often on a Friday), and days with no login line.

`truth_*` computes per agent-day figures from the drawn month directly, with interval
arithmetic written here: it never calls an adapter or floorwatch's core.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.unit.ingest.ingest_helpers import T0
from tests.unit.ingest.ingest_renderers import GENESYS_PRESENCE, _genesys_call
from tests.unit.ingest.ingest_scenario import Call as ScenarioCall

MONTH_START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
DAY_SECONDS = 86400
DAYS = 28
QUEUES = ("sales", "support")


@dataclass(frozen=True)
class TrueCall:
    call_id: str
    agent: str
    queue: str
    arrival: int
    answer: int
    end: int
    transferred: bool = False


@dataclass(frozen=True)
class Pause:
    start: int
    end: int
    reason: str  # Break or Lunch


@dataclass
class AgentDay:
    agent: str
    day: str
    login: int
    logoff: int
    calls: list[TrueCall] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)
    tail_call: TrueCall | None = None  # a second line still connected at the logoff (ends after it)
    no_login_line: bool = False  # the log has no AGENTLOGIN for this day: the first call implies it
    ring_seconds: int = 0  # with no_login_line: how long the first call rang before the answer


@dataclass(frozen=True)
class QueueOnly:
    """A call no agent took: abandoned after `wait`, or answered by the system (IVR, voicemail)."""

    call_id: str
    queue: str
    arrival: int
    end: int
    system_answer: int | None = None


@dataclass
class Month:
    days: list[AgentDay]
    queue_only: list[QueueOnly]


def day_label(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


def month(seed: int, agents: int = 24, calls_per_day: int = 8) -> Month:
    rng = random.Random(seed)
    start = int(MONTH_START.timestamp())
    days: list[AgentDay] = []
    queue_only: list[QueueOnly] = []
    serial = iter(range(1, 10**9))
    for d in range(DAYS):
        midnight = start + d * DAY_SECONDS
        if d % 7 not in (5, 6):  # weekends off: the days a phantom login would show up as availability
            friday = d % 7 == 4
            for a in range(agents):
                days.append(_agent_day(rng, serial, f"SIP/{8000 + a}", midnight, calls_per_day, friday))
        queue_only.extend(_queue_only(rng, serial, midnight) for _ in range(agents * 2))
    return Month(days, queue_only)


def _agent_day(
    rng: random.Random, serial: Iterator[int], agent: str, midnight: int, calls: int, friday: bool
) -> AgentDay:
    login = midnight + 8 * 3600 + rng.randint(0, 1800)
    day = AgentDay(agent, day_label(midnight), login, 0)
    t = login + rng.randint(30, 300)
    for _ in range(calls):
        t += rng.randint(5, 600)
        if rng.random() < 0.15:
            pause_len = rng.randint(300, 1800)
            day.pauses.append(Pause(t, t + pause_len, rng.choice(["Break", "Lunch"])))
            t += pause_len + rng.randint(5, 120)
        t = _calls_at(rng, serial, day, t)
    day.logoff = t + rng.randint(30, 600)
    if rng.random() < (0.5 if friday else 0.2):  # a call still connected at the logoff, often on a Friday
        answer = day.logoff - rng.randint(10, 25)
        end = day.logoff + rng.randint(30, 600)
        day.tail_call = TrueCall(f"c{next(serial)}", agent, rng.choice(QUEUES), answer - 3, answer, end)
    first_answer = day.calls[0].answer
    paused_first = any(p.start < first_answer for p in day.pauses)
    if rng.random() < 0.1 and first_answer - login > 60 and not paused_first:
        day.no_login_line, day.ring_seconds = True, rng.randint(2, 20)
        day.login = first_answer - day.ring_seconds
    return day


def _calls_at(rng: random.Random, serial: Iterator[int], day: AgentDay, t: int) -> int:
    """A call answered at `t`, sometimes with a second line answered during it; returns when both ended."""
    wait, talk = rng.randint(0, 90), rng.randint(30, 600)
    call = TrueCall(f"c{next(serial)}", day.agent, rng.choice(QUEUES), t - wait, t, t + talk, rng.random() < 0.05)
    day.calls.append(call)
    if rng.random() >= 0.1:
        return call.end
    answer = t + rng.randint(1, talk - 1)
    end = answer + rng.randint(10, 400)
    second = TrueCall(f"c{next(serial)}", day.agent, rng.choice(QUEUES), answer - 5, answer, end)
    day.calls.append(second)
    return max(call.end, second.end)


def _queue_only(rng: random.Random, serial: Iterator[int], midnight: int) -> QueueOnly:
    call_id, queue = f"q{next(serial)}", rng.choice(QUEUES)
    arrival = midnight + 8 * 3600 + rng.randint(0, 8 * 3600)
    if rng.random() < 0.3:
        return QueueOnly(call_id, queue, arrival, arrival + 40, arrival + rng.randint(1, 20))
    wait = rng.choice([rng.randint(0, 4), rng.randint(5, 300)])  # short abandons and the rest
    return QueueOnly(call_id, queue, arrival, arrival + wait)


# --- the truth, by interval arithmetic -----------------------------------------------------------


def union_seconds(spans: list[tuple[int, int]]) -> tuple[int, list[tuple[int, int]]]:
    """Total length of the union of [start, end) spans, and the merged spans in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return sum(end - start for start, end in merged), merged


@dataclass(frozen=True)
class DayFigures:
    handle_seconds: float
    available_seconds: float
    aux_seconds: float
    contacts_handled: int


def truth_queue_log(m: Month) -> dict[tuple[str, str], DayFigures]:
    """Logged in from login to logoff; on contact for the union of calls (a call still connected
    at the logoff counts up to the logoff); paused for the pauses; available for the rest."""
    out = {}
    for day in m.days:
        spans = [(c.answer, c.end) for c in day.calls]
        if day.tail_call is not None:
            spans.append((day.tail_call.answer, day.logoff))
        handle, _ = union_seconds(spans)
        aux = sum(p.end - p.start for p in day.pauses)
        staffed = day.logoff - day.login
        contacts = len(day.calls) + (day.tail_call is not None)
        out[(day.agent, day.day)] = DayFigures(handle, staffed - handle - aux, aux, contacts)
    return out


def truth_call_list(m: Month, session_gap_seconds: int) -> dict[tuple[str, str], DayFigures]:
    """What a call list can tell: on contact for the union of calls, available in gaps between
    busy spans up to the session gap; pauses and logins are invisible."""
    out = {}
    for day in m.days:
        calls = day.calls + ([day.tail_call] if day.tail_call else [])
        handle, merged = union_seconds([(c.answer, c.end) for c in calls])
        gaps = [b[0] - a[1] for a, b in zip(merged, merged[1:])]
        available = sum(g for g in gaps if g <= session_gap_seconds)
        out[(day.agent, day.day)] = DayFigures(handle, available, 0, len(calls))
    return out


# --- the feeds ---------------------------------------------------------------------------------------


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def calls_csv(m: Month, seed: int) -> tuple[str, int]:
    """The month as a call export sorted by arrival, with two clocks, duplicates, placeholders and
    rows no clock explains; also how many rows must be rejected (arrival far after the answer)."""
    rng = random.Random(seed)
    rows: list[tuple[int, str, str, str, int, int | None, int, str]] = []
    for day in m.days:
        for call in day.calls + ([day.tail_call] if day.tail_call else []):
            arrival = call.arrival
            if rng.random() < 0.15:
                arrival = call.answer + rng.randint(1, 2)  # the queue's clock a little ahead of the agent's
            outcome = "transferred" if call.transferred else "completed"
            rows.append((arrival, call.call_id, call.agent, call.queue, arrival, call.answer, call.end, outcome))
    for q in m.queue_only:
        if q.system_answer is not None:
            agent = rng.choice(["NO_SERVER", "none", ""])
            rows.append((q.arrival, q.call_id, agent, q.queue, q.arrival, q.system_answer, q.end, "completed"))
        else:
            agent = rng.choice(["NO_SERVER", ""])
            rows.append((q.arrival, q.call_id, agent, q.queue, q.arrival, None, q.end, "abandoned"))
    rows.extend(rng.sample(rows, 30))  # exported twice
    for n in range(20):  # rows beyond any clock skew: rejected, and not part of the truth
        base = int(MONTH_START.timestamp()) + 9 * 3600 + n * DAY_SECONDS
        rows.append((base, f"bad{n}", "SIP/9999", "sales", base + 60, base, base + 100, "completed"))
    rows.sort(key=lambda r: (r[0], r[1]))
    text = "call_id,agent,queue,arrival,answer,end,outcome\n" + "".join(_csv_row(*r[1:]) for r in rows)
    return text, 20


def _csv_row(call_id: str, agent: str, queue: str, arrival: int, answer: int | None, end: int, outcome: str) -> str:
    answered = _iso(answer) if answer is not None else ""
    return f"{call_id},{agent},{queue},{_iso(arrival)},{answered},{_iso(end)},{outcome}\n"


def queue_log(m: Month) -> str:
    """The month as Asterisk writes queue_log: lines in time order, `epoch|callid|queue|agent|EVENT|data`."""
    lines: list[tuple[int, int, str]] = []

    def put(t: int, order: int, *fields: object) -> None:
        lines.append((t, order, "|".join([str(t), *(str(f) for f in fields)])))

    for day in m.days:
        _agent_lines(day, put)
    for q in m.queue_only:
        put(q.arrival, 1, q.call_id, q.queue, "NONE", "ENTERQUEUE", "", "5559876")
        if q.system_answer is not None:
            hold, talk = q.system_answer - q.arrival, q.end - q.system_answer
            put(q.system_answer, 2, q.call_id, q.queue, "NONE", "CONNECT", hold, f"{q.call_id}.1", 0)
            put(q.end, 1, q.call_id, q.queue, "NONE", "COMPLETECALLER", hold, talk, 1)
        else:
            put(q.end, 1, q.call_id, q.queue, "NONE", "ABANDON", 1, 1, q.end - q.arrival)
    lines.sort(key=lambda line: (line[0], line[1]))
    return "".join(text + "\n" for _, _, text in lines)


def _agent_lines(day: AgentDay, put: Callable[..., None]) -> None:
    a = day.agent
    if not day.no_login_line:
        put(day.login, 0, "NONE", "NONE", a, "AGENTLOGIN", "")
    for n, call in enumerate(day.calls + ([day.tail_call] if day.tail_call else [])):
        hold, talk = call.answer - call.arrival, call.end - call.answer
        ring = day.ring_seconds if day.no_login_line and n == 0 else 0
        put(call.arrival, 1, call.call_id, call.queue, "NONE", "ENTERQUEUE", "", "5551234")
        put(call.answer, 2, call.call_id, call.queue, a, "CONNECT", hold, f"{call.call_id}.1", ring)
        if call.transferred:
            put(call.end, 1, call.call_id, call.queue, a, "BLINDTRANSFER", "200", "default", hold, talk, 1)
        else:
            event = "COMPLETEAGENT" if int(call.call_id[1:]) % 2 else "COMPLETECALLER"
            put(call.end, 1, call.call_id, call.queue, a, event, hold, talk, 1)
    for p in day.pauses:
        put(p.start, 1, "NONE", "NONE", a, "PAUSEALL", p.reason)
        for queue in QUEUES:
            put(p.start, 1, "NONE", queue, a, "PAUSE", p.reason)
        put(p.end, 1, "NONE", "NONE", a, "UNPAUSEALL", "")
        for queue in QUEUES:
            put(p.end, 1, "NONE", queue, a, "UNPAUSE", "")
    put(day.logoff, 3, "NONE", "NONE", a, "AGENTLOGOFF", "")


def truth_event_feed(m: Month) -> dict[tuple[str, str], DayFigures]:
    """An event feed (Twilio) keeps the worker on a task it still holds when it signs off: on
    contact for the union of the calls, whole; logged out once the last one is over."""
    out = {}
    for day in m.days:
        calls = day.calls + ([day.tail_call] if day.tail_call else [])
        handle, _ = union_seconds([(c.answer, c.end) for c in calls])
        aux = sum(p.end - p.start for p in day.pauses)
        staffed = max(day.logoff, day.tail_call.end if day.tail_call else 0) - day.login
        out[(day.agent, day.day)] = DayFigures(handle, staffed - handle - aux, aux, len(calls))
    return out


def twilio_events(m: Month) -> str:
    """The month as TaskRouter callbacks (one JSON object per line, in time order): tasks a worker
    takes while on another (multitasking), a task still held when the worker goes Offline and
    completed after, tasks canceled in the queue (some within 5 s). The platform has no system
    answer: those calls are left out."""
    items: list[tuple[int, int, dict[str, str]]] = []

    def add(t: int, kind: str, **fields: object) -> None:
        record = {"EventType": kind, "Sid": f"EV{len(items):032d}", "Timestamp": str(t), "WorkspaceSid": "WS1"}
        items.append((t, len(items), {**record, **{k: str(v) for k, v in fields.items()}}))

    for day in m.days:
        add(day.login, "worker.activity.update", WorkerSid=day.agent, WorkerActivityName="Available")
        for call in day.calls + ([day.tail_call] if day.tail_call else []):
            task = dict(TaskSid=f"WT{call.call_id}", TaskQueueSid=call.queue, TaskChannelUniqueName="voice")
            held = dict(task, WorkerSid=day.agent, ReservationSid=f"WR{call.call_id}")
            add(call.arrival, "task-queue.entered", TaskAge=0, **task)
            add(call.answer, "reservation.accepted", TaskAge=call.answer - call.arrival, **held)
            add(call.end, "reservation.completed", TaskAge=call.end - call.arrival, **held)
        for p in day.pauses:
            add(p.start, "worker.activity.update", WorkerSid=day.agent, WorkerActivityName=p.reason)
            add(p.end, "worker.activity.update", WorkerSid=day.agent, WorkerActivityName="Available")
        add(day.logoff, "worker.activity.update", WorkerSid=day.agent, WorkerActivityName="Offline")
    for q in m.queue_only:
        if q.system_answer is None:
            task = dict(TaskSid=f"WT{q.call_id}", TaskQueueSid=q.queue)
            add(q.arrival, "task-queue.entered", TaskAge=0, **task)
            add(q.end, "task.canceled", TaskAge=q.end - q.arrival, TaskCanceledReason="hangup", **task)
    items.sort(key=lambda item: (item[0], item[1]))
    return "".join(json.dumps(record) + "\n" for _, _, record in items)


def genesys_notifications(m: Month) -> str:
    """The month as Genesys Cloud notifications: an agent on two conversations at once, a
    conversation still connected when the agent goes Offline, queue conversations the caller
    left unanswered (some within 5 s). No system answers: those calls are left out."""
    zero = int(T0.timestamp())  # the renderers' times are seconds after T0
    items: list[tuple[int, int, dict]] = []

    def add(t: int, topic: str, body: dict) -> None:
        items.append((t, len(items), {"topicName": topic, "version": "2", "eventBody": body}))

    def presence(t: int, user: str, system: str) -> None:
        body = {"presenceDefinition": {"id": f"d-{system}", "systemPresence": system}, "modifiedDate": _iso(t)}
        add(t - zero, f"v2.users.{user}.presence", body)

    def routing(t: int, user: str, status: str) -> None:
        body = {"id": user, "routingStatus": {"status": status, "startTime": _iso(t)}}
        add(t - zero, f"v2.users.{user}.routingStatus", body)

    for day in m.days:
        presence(day.login, day.agent, "On Queue")
        routing(day.login, day.agent, "IDLE")
        for p in day.pauses:
            presence(p.start, day.agent, GENESYS_PRESENCE[p.reason])
            routing(p.start, day.agent, "OFF_QUEUE")
            presence(p.end, day.agent, "On Queue")
            routing(p.end, day.agent, "IDLE")
        for c in day.calls + ([day.tail_call] if day.tail_call else []):
            shifted = ScenarioCall(c.call_id, c.queue, c.arrival - zero, c.answer - zero, c.end - zero, 0, None)
            _genesys_call(day.agent, shifted, add)
        presence(day.logoff, day.agent, "Offline")
    for q in m.queue_only:
        if q.system_answer is None:
            _genesys_abandon(q, zero, add)
    items.sort(key=lambda item: (item[0], item[1]))
    return "".join(json.dumps(record) + "\n" for _, _, record in items)


def _genesys_abandon(q: QueueOnly, zero: int, add: Callable[[int, str, dict], None]) -> None:
    topic = f"v2.routing.queues.{q.queue}.conversations"
    acd = {"id": "acd", "purpose": "acd", "queueId": q.queue, "connectedTime": _iso(q.arrival)}
    waiting = {"id": "cust", "purpose": "customer", "calls": [{"state": "connected", "connectedTime": _iso(q.arrival)}]}
    add(q.arrival - zero, topic, {"id": q.call_id, "participants": [waiting, acd]})
    gone = {"id": "cust", "purpose": "customer", "calls": [{"state": "disconnected", "disconnectedTime": _iso(q.end)}]}
    add(q.end - zero, topic, {"id": q.call_id, "participants": [gone, {**acd, "endTime": _iso(q.end)}]})


CONNECT_INSTANCE = "arn:aws:connect:eu-central-1:123456789012:instance/0c0f4fcb"


def amazon_connect_records(m: Month) -> str:
    """The month as Amazon Connect agent event stream records: snapshots listing two contacts at
    once, a LOGOUT with a contact still connected and a record of it ENDED after the logout.
    Agent event streams never show callers who hung up in the queue, nor system answers."""
    items: list[tuple[int, int, dict]] = []
    for day in m.days:
        _connect_day(day, items)
    items.sort(key=lambda item: (item[0], item[1]))
    return "".join(json.dumps(record) + "\n" for _, _, record in items)


def _connect_day(day: AgentDay, items: list[tuple[int, int, dict]]) -> None:
    def add(t: int, kind: str, status: str | None, contacts: list[dict] | None = None) -> None:
        record: dict = {
            "AgentARN": f"{CONNECT_INSTANCE}/agent/{day.agent.replace('/', '-')}",
            "EventId": f"{day.agent}-{day.day}-{len(items)}",
            "EventTimestamp": _iso(t),
            "EventType": kind,
            "Version": "2019-05-25",
        }
        if status is not None:
            agent_status = {"Name": status, "Type": "ROUTABLE" if status == "Available" else "CUSTOM"}
            record["CurrentAgentSnapshot"] = {"AgentStatus": agent_status, "Contacts": contacts or []}
        items.append((t, len(items), record))

    add(day.login, "LOGIN", "Available")
    moments: list[tuple[int, int, TrueCall | Pause]] = [(c.answer, 1, c) for c in day.calls]
    moments += [(c.end, 0, c) for c in day.calls]
    moments += [(p.start, 2, p) for p in day.pauses] + [(p.end, 3, p) for p in day.pauses]
    tail = day.tail_call
    if tail is not None:
        moments.append((tail.answer, 1, tail))
    talking: list[TrueCall] = []
    for t, kind, what in sorted(moments, key=lambda x: (x[0], x[1])):
        if isinstance(what, Pause):
            add(t, "STATE_CHANGE", what.reason if kind == 2 else "Available")
        elif kind == 1:
            talking.append(what)
            add(t, "STATE_CHANGE", "Available", [_connect_contact(c, "CONNECTED", c.answer) for c in talking])
        else:
            talking.remove(what)
            others = [_connect_contact(c, "CONNECTED", c.answer) for c in talking]
            add(t, "STATE_CHANGE", "Available", [_connect_contact(what, "ENDED", t), *others])
            add(t, "STATE_CHANGE", "Available", others)  # no after-contact work
    add(day.logoff, "LOGOUT", None)
    if tail is not None:  # its end, reported after the logout
        add(tail.end, "STATE_CHANGE", "Offline", [_connect_contact(tail, "ENDED", tail.end)])


def _connect_contact(c: TrueCall, state: str, state_start: int) -> dict:
    return {
        "ContactId": c.call_id,
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "State": state,
        "QueueTimestamp": _iso(c.arrival),
        "ConnectedToAgentTimestamp": _iso(c.answer),
        "StateStartTimestamp": _iso(state_start),
        "Queue": {"Name": c.queue},
    }
