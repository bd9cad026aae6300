"""Twilio TaskRouter events -> canonical events.

Input: one event per line, either the parameters TaskRouter POSTs to a
Workspace's EventCallbackUrl (Twilio docs, "TaskRouter Events reference":
EventType, Sid, Timestamp, WorkerSid, WorkerActivityName, TaskSid, TaskAge,
TaskQueueSid, ReservationSid, ...) saved as a JSON object, or the Event Streams
CloudEvent (`com.twilio.taskrouter.*`, whose data.payload carries the same
fields in snake_case).

A worker's state: a reservation it accepted (until wrap-up) makes it
ON_CONTACT, a reservation in wrap-up AFTER_CONTACT_WORK; otherwise its activity,
mapped by name through the `activities` table (Flex keeps workers "Available"
while they handle tasks, so the reservations must decide first).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from floorwatch.core.events import MAX_CONTACT_SECONDS, AgentState, Event
from floorwatch.services.ingest.emit import Emitter, aux_reason, from_epoch, parse_iso
from floorwatch.services.ingest.mapping import StateMapping
from floorwatch.services.ingest.protocol import (
    InputFormat,
    RawRecord,
    Translation,
    combine,
    ignore,
    skip,
    stable_event_id,
)

CHANNELS = {"voice": "voice", "chat": "chat", "sms": "chat", "email": "email"}
NOT_ASSIGNED = frozenset(
    {
        "reservation.rejected",
        "reservation.timeout",
        "reservation.canceled",
        "reservation.rescinded",
        "reservation.failed",
    }
)


@dataclass(frozen=True)
class Worker:
    emitted: tuple[AgentState, str | None] | None = None
    last_at: datetime | None = None
    activity: tuple[AgentState, str | None] | None = None
    unmapped: str | None = None
    handling: frozenset[str] = frozenset()  # accepted reservations not yet in wrap-up
    wrapping: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Task:
    queue_id: str
    accepted: bool = False


@dataclass
class _Record:
    kind: str
    event_id: str
    at: datetime
    fields: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return str(self.fields.get(name) or "")


class TwilioAdapter:
    input_format: InputFormat = "json"

    def __init__(self, emitter: Emitter, mapping: StateMapping):
        self.source = emitter.source
        self._emitter, self._mapping = emitter, mapping
        self._workers: dict[str, Worker] = {}
        self._tasks: dict[str, Task] = {}

    def translate(self, record: RawRecord) -> Translation:
        fields = _normalise(record.payload)
        kind = str(fields.get("EventType") or "")
        if not kind:
            return skip("no EventType (expected TaskRouter event callback parameters or an Event Streams CloudEvent)")
        try:
            at = _timestamp(fields)
        except ValueError as exc:
            return skip(f"Timestamp: {exc}")
        event_id = str(fields.get("Sid") or stable_event_id(self.source, json.dumps(fields, sort_keys=True)))
        event = _Record(kind, event_id, at, fields)
        if kind in ("worker.activity.update", "worker.created"):
            return self._activity(event)
        if kind == "task-queue.entered":
            return self._offered(event)
        if kind == "reservation.accepted":
            return self._accepted(event)
        if kind in ("reservation.wrapup", "reservation.completed"):
            return self._finished(event)
        if kind == "task.canceled":
            return self._canceled(event)
        if kind in ("task.completed", "task.deleted", "task.system-deleted"):
            self._tasks.pop(event.get("TaskSid"), None)
        if kind in NOT_ASSIGNED:
            self._release(event)
        return ignore(kind)

    def finish(self) -> Translation:
        return Translation()

    def _activity(self, event: _Record) -> Translation:
        worker_id = event.get("WorkerSid")
        if not worker_id:
            return skip(f"{event.kind} without WorkerSid")
        name = event.get("WorkerActivityName")
        state = self._mapping.lookup("activities", name)
        track = self._workers.get(worker_id, Worker())
        if state is None:  # no event: the worker's state stays what floorwatch last said until a mapped one
            self._workers[worker_id] = replace(track, activity=None, unmapped=name)
            return Translation() if track.unmapped == name else Translation(unmapped=(name or "(no activity name)",))
        reason = aux_reason(state, name)
        return self._settle(event, worker_id, replace(track, activity=(state, reason), unmapped=None))

    def _offered(self, event: _Record) -> Translation:
        task_id = event.get("TaskSid")
        if not task_id:
            return skip("task-queue.entered without TaskSid")
        task = self._task(event)
        offered = self._emitter.contact(
            "contact.offered",
            (task_id, task.queue_id, "offered"),
            event.at,
            contact_id=task_id,
            queue_id=task.queue_id,
            channel=CHANNELS.get(event.get("TaskChannelUniqueName"), "other"),
        )
        return Translation(events=(offered,))

    def _accepted(self, event: _Record) -> Translation:
        worker_id, task_id, reservation = event.get("WorkerSid"), event.get("TaskSid"), event.get("ReservationSid")
        if not (worker_id and task_id and reservation):
            return skip("reservation.accepted needs WorkerSid, TaskSid and ReservationSid")
        track = self._workers.get(worker_id, Worker())
        at = max(event.at, track.last_at or event.at)
        task = replace(self._task(event), accepted=True)
        self._tasks[task_id] = task
        busy = replace(track, handling=track.handling | {reservation})
        wait = _task_age_seconds(event)  # the task's age when the worker took it: the caller's wait
        if wait is None:  # the worker is busy all the same: only the answer is left out (and the record rejected)
            state = self._settle(event, worker_id, busy)
            return combine(state, skip(_bad_task_age(event, "the answer is not counted; the worker's state is")))
        answered = self._emitter.contact(  # built first: if it fails, nothing of the record was taken
            "contact.answered",
            (reservation, "answered"),
            at,
            contact_id=task_id,
            queue_id=task.queue_id,
            agent_id=worker_id,
            wait_seconds=wait,
        )
        return combine(Translation(events=(answered,)), self._settle(event, worker_id, busy))

    def _finished(self, event: _Record) -> Translation:
        worker_id, task_id, reservation = event.get("WorkerSid"), event.get("TaskSid"), event.get("ReservationSid")
        if not (worker_id and task_id and reservation):
            return skip(f"{event.kind} needs WorkerSid, TaskSid and ReservationSid")
        track = self._workers.get(worker_id, Worker())
        ended: tuple[Event, ...] = ()
        if reservation in track.handling:  # the conversation is over at wrap-up (or at completion without one)
            task = self._task(event)
            ended = (
                self._emitter.contact(
                    "contact.ended",
                    (reservation, "ended"),
                    max(event.at, track.last_at or event.at),
                    contact_id=task_id,
                    queue_id=task.queue_id,
                    agent_id=worker_id,
                    disposition=event.get("TaskCompletedReason") or "completed",
                ),
            )
        wrapping = (
            track.wrapping | {reservation} if event.kind == "reservation.wrapup" else track.wrapping - {reservation}
        )
        state = self._settle(
            event, worker_id, replace(track, handling=track.handling - {reservation}, wrapping=wrapping)
        )
        return combine(Translation(events=ended), state)

    def _canceled(self, event: _Record) -> Translation:
        task_id = event.get("TaskSid")
        task = self._tasks.pop(task_id, None) or self._task(event)
        if not task_id or task.accepted:
            return ignore("task.canceled")
        wait = _task_age_seconds(event)
        if wait is None:
            return skip(_bad_task_age(event, "the abandoned call is not counted"))
        abandoned = self._emitter.contact(
            "contact.abandoned",
            (task_id, "abandoned"),
            event.at,
            contact_id=task_id,
            queue_id=task.queue_id,
            wait_seconds=wait,
        )
        return Translation(events=(abandoned,))

    def _release(self, event: _Record) -> None:
        worker_id, reservation = event.get("WorkerSid"), event.get("ReservationSid")
        if worker_id in self._workers:
            track = self._workers[worker_id]
            self._workers[worker_id] = replace(
                track, handling=track.handling - {reservation}, wrapping=track.wrapping - {reservation}
            )

    def _task(self, event: _Record) -> Task:
        """The task's queue as first seen, so every event of one task names the same queue."""
        task_id = event.get("TaskSid")
        queue = event.get("TaskQueueSid") or event.get("TaskQueueName") or "unknown"
        return self._tasks.setdefault(task_id, Task(queue)) if task_id else Task(queue)

    def _settle(self, event: _Record, worker_id: str, track: Worker) -> Translation:
        target = self._target(track)
        at = max(event.at, track.last_at or event.at)
        if target is None or target == track.emitted:
            self._workers[worker_id] = track
            return Translation()
        self._workers[worker_id] = replace(track, emitted=target, last_at=at)
        state, reason = target
        return Translation(events=(self._emitter.agent_state((event.event_id, "state"), worker_id, state, at, reason),))

    @staticmethod
    def _target(track: Worker) -> tuple[AgentState, str | None] | None:
        if track.handling:
            return AgentState.ON_CONTACT, None
        if track.wrapping:
            return AgentState.AFTER_CONTACT_WORK, None
        return track.activity


def _normalise(payload: dict[str, Any]) -> dict[str, Any]:
    """Event Streams' snake_case payload -> the callback's parameter names."""
    if "specversion" not in payload:
        return payload
    data = payload.get("data") or {}
    inner = data.get("payload") if isinstance(data, dict) else None
    if not isinstance(inner, dict):
        return {}
    return {
        ("EventType" if key == "eventtype" else "".join(part.title() for part in key.split("_"))): value
        for key, value in inner.items()
    }


def _timestamp(fields: dict[str, Any]) -> datetime:
    if fields.get("TimestampMs"):
        return from_epoch(float(fields["TimestampMs"]) / 1000)
    text = str(fields.get("Timestamp") or "")
    if not text:
        raise ValueError("missing")
    try:
        return from_epoch(float(text))  # the callback sends epoch seconds
    except ValueError:
        return parse_iso(text)  # Event Streams sends RFC 3339


def _task_age_seconds(event: _Record) -> float | None:
    """TaskAge as a caller's wait in seconds: missing is 0 (a task taken at once), a negative age (a
    clock step on Twilio's side) 0; text that is no number or an age beyond the longest contact
    floorwatch accepts (31 days) None, so that one field does not take the record's other events
    down with it."""
    raw = event.get("TaskAge")
    if raw is None or raw == "":
        return 0.0
    try:
        age = float(raw)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(age) or age > MAX_CONTACT_SECONDS:
        return None
    return max(age, 0.0)


def _bad_task_age(event: _Record, consequence: str) -> str:
    return (
        f"{event.kind}: TaskAge {str(event.get('TaskAge'))[:40]!r} is not an age in seconds up to "
        f"{MAX_CONTACT_SECONDS / 86_400:.0f} days; {consequence}"
    )
