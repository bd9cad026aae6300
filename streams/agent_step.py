"""One batch of agent-keyed input through the metric core: decode, apply, decide what to send.

No Faust here: the worker's agent hands a batch of raw messages and a way to read the
table, and gets back the new table values and the messages to send. Everything the
worker does with Kafka stays in `app.py`; everything it computes is tested here.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from floorwatch.core import agent
from floorwatch.core.codec import DEFAULT_BOUNDS, InputBounds, InvalidEvent, decode
from floorwatch.core.config import MetricConfig
from floorwatch.core.routing import handed_to_queue, route
from floorwatch.outputs import DeadLetterKind
from floorwatch.streams import records
from floorwatch.streams.group_step import member_value
from floorwatch.streams.messages import RawMessage, Send
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.state import StoredAgent, dump_agent
from floorwatch.topics import Topics

log = logging.getLogger("floorwatch.streams")


@dataclass(frozen=True)
class Internal:
    """Topics only floorwatch reads: the repartitions ("group_by") to queues and teams."""

    queue_events: str
    team_members: str


@dataclass
class BatchResult:
    stored: dict[str, tuple[StoredAgent, RawMessage]] = field(default_factory=dict)  # agent -> (value, its message)
    encoded: dict[str, bytes] = field(default_factory=dict)  # agent -> its new table value, as stored
    before: dict[str, StoredAgent | None] = field(default_factory=dict)  # agent -> its table value before the batch
    sends: list[Send] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # (what, detail) -> n, for the pipeline metrics
    newest_event_seconds: float | None = None


@dataclass(frozen=True)
class AgentStep:
    config: MetricConfig
    topics: Topics
    internal: Internal
    labeller: AgentLabeller
    bounds: InputBounds = DEFAULT_BOUNDS
    # With the event clock (sped-up simulations, replays into Kafka) event time runs ahead of
    # the wall clock on purpose: no record time to judge "too far ahead" against.
    judge_ahead: bool = True

    def run(self, batch: Iterable[RawMessage], load: Callable[[str], StoredAgent | None]) -> BatchResult:
        result = BatchResult()
        for message in batch:
            self._one(message, load, result)
        for agent_id, (stored, _) in result.stored.items():
            result.encoded[agent_id] = dump_agent(stored)
            self._publish(stored, result.before[agent_id], result.encoded[agent_id], result)
        return result

    def _one(self, message: RawMessage, load, result: BatchResult) -> None:
        if message.value is None:
            result.counts["tombstone", message.topic] += 1  # a deleted schedule: nothing to fold
            return
        try:
            event = decode(message.value, message.timestamp if self.judge_ahead else None, self.bounds)
        except InvalidEvent as problem:
            rejected = cast(DeadLetterKind, problem.kind)
            log.warning("dead-lettered %s: %s event", message.where, rejected)  # the reason may quote personal data
            result.sends.append(records.dead_letter(self.topics.dead_letter, message, rejected, problem.reason))
            result.counts["dead_letter", rejected] += 1
            return
        kind = event.type
        result.counts["event", kind] += 1
        where = route(event)
        agent_id = where.agent_id
        if agent_id is None:
            if where.queue_id is not None:  # the queue judges duplicates and lateness of queue-only events
                result.sends.append(Send(self.internal.queue_events, where.queue_id.encode(), message.value))
            return
        held = result.stored.get(agent_id)
        stored: StoredAgent | None
        if held is not None:
            stored = held[0]
        else:
            stored = result.before[agent_id] if agent_id in result.before else load(agent_id)
            result.before[agent_id] = stored
        if stored is not None and stored.already_applied(message.topic, message.offset):
            result.counts["verdict", "redelivered"] += 1
            return
        applied = agent.apply(stored.track if stored is not None else None, event, self.config)
        result.counts["verdict", applied.verdict] += 1
        offsets = stored.with_applied(message.topic, message.offset) if stored else ((message.topic, message.offset),)
        revision = stored.revision + 1 if stored is not None else 1
        result.stored[agent_id] = (StoredAgent(applied.track, offsets, revision), message)
        if applied.verdict == "late":
            log.warning(
                "dead-lettered %s: late event (%.0f s behind its agent)", message.where, applied.lateness_seconds
            )
            reason = (
                f"event is {applied.lateness_seconds:.1f} s behind agent's clock; allowed lateness is "
                f"{self.config.allowed_lateness_seconds:.0f} s (FLOORWATCH_ALLOWED_LATENESS_SECONDS)"
            )
            result.sends.append(records.dead_letter(self.topics.dead_letter, message, "late", reason))
            result.counts["dead_letter", "late"] += 1
            return
        if applied.verdict == "accepted" and kind != "schedule.published":
            seconds = event.occurred_at.timestamp()
            if result.newest_event_seconds is None or seconds > result.newest_event_seconds:
                result.newest_event_seconds = seconds
        queue_id = where.queue_after(applied.verdict)  # as the replay: only what the agent took
        if queue_id is not None:
            result.sends.append(Send(self.internal.queue_events, queue_id.encode(), message.value))
        for output in applied.outputs:
            self._output(output, applied.track, result)

    def _output(self, output: agent.AgentOutput, track, result: BatchResult) -> None:
        handled = handed_to_queue(output)
        if handled is not None:
            result.sends.append(Send(self.internal.queue_events, handled.queue_id.encode(), records.handled(handled)))
            return
        for send in records.agent_outputs(self.topics, self.labeller, track, output.output):
            result.sends.append(send)
            result.counts["output", send.topic] += 1

    def _publish(self, stored: StoredAgent, before: StoredAgent | None, encoded: bytes, result: BatchResult) -> None:
        """After the batch: the agent's stored value to its team's roll-up. (Its agent-wellbeing
        record is the tick's: `wellbeing.py`.)"""
        track = stored.track
        if track.team_id is None:
            return
        if before is not None and before.track == track:
            return  # only redelivered or duplicate input: nothing new to say
        member = member_value(track.agent_id, stored.revision, encoded)
        agent_id = track.agent_id
        result.sends.append(Send(self.internal.team_members, track.team_id.encode(), member, newest_of=agent_id))
        old_team = before.track.team_id if before is not None else None
        if old_team is not None and old_team != track.team_id:
            leave = member_value(track.agent_id, stored.revision, b"")
            result.sends.append(Send(self.internal.team_members, old_team.encode(), leave, newest_of=agent_id))
