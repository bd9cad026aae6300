"""The team-members table without a changelog: rebuilt from the agents' owners on every assignment.

The team table is a copy of agent state (each member's stored value, as its agent's worker
sent it), and its changelog cost a record per changed member (0.44 records per input event at
10,000 agents). Faust's rebalances are eager: on every rebalance every worker is assigned
again, so every worker can send its agents again and the team tables need no storage of their
own:

- On every assignment each worker queues, for every agent partition it owns, each agent's
  stored value to its team (the record the batch path sends), then one *resent* marker for that
  agent partition to every partition of the team-members topic; both go out with the next save.
- A team partition this worker did not own before the assignment starts empty and is
  **complete** once a marker from every agent partition has been read from it. Before that
  its teams are held back (no gauges, no team-load records, no alerts), so nobody sees a team
  with some members missing.

Why complete means right: the team partition is read from its stored position onwards; a
marker of agent partition *p* read there comes after that partition's owner sent every agent
of *p* (same partition, sent in order), and every later change of those agents comes after
it. Members that left a team before the resend are not sent to it; an older update read
before the marker is replaced by the newer value or by the leave that follows it. A marker
from an earlier rebalance that still lies past the stored position is as good as a new one.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from floorwatch.streams.group_step import held_revision, left_value, member_value, newest_members, parse_member
from floorwatch.streams.messages import RawMessage, Send

if TYPE_CHECKING:
    from floorwatch.streams.worker import Worker

RESENT_KEY = b"\x00resent"  # no team id starts with a NUL byte (ids with control characters are refused)
YIELD_EVERY = 500


def resent_marker(agent_partition: int) -> bytes:
    return json.dumps({"agent_partition": agent_partition}).encode()


def parse_resent(value: bytes) -> int:
    return int(json.loads(value)["agent_partition"])


@dataclass
class MemoryTable:
    """A table kept in process memory only (the same `data`, `get` and `items` as Faust's)."""

    name: str
    data: dict[bytes, bytes] = field(default_factory=dict)

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def items(self) -> Any:
        return self.data.items()


@dataclass
class TeamRebuild:
    """Which owned team partitions have heard every agent partition's resend since they were assigned."""

    agent_partitions: int
    heard: dict[int, set[int]] = field(default_factory=dict)  # owned team partition -> agent partitions heard

    def assign(self, owned: set[int]) -> set[int]:
        """The team partitions owned from now on; returns those whose entries must be cleared
        (newly assigned ones start empty, ones that moved away are not this worker's)."""
        changed = (owned - set(self.heard)) | (set(self.heard) - owned)
        self.heard = {t: self.heard.get(t, set()) for t in owned}
        for t in owned & changed:
            self.heard[t] = set()
        return changed

    def heard_from(self, team_partition: int, agent_partition: int) -> None:
        if team_partition in self.heard:
            self.heard[team_partition].add(agent_partition)

    def complete(self, team_partitions: set[int]) -> set[int]:
        wanted = set(range(self.agent_partitions))
        return {t for t in team_partitions if wanted <= self.heard.get(t, set())}


def member_writes(worker: Worker, entries: list[RawMessage]) -> list[tuple[str, bytes, int]]:
    """A batch of team-members entries as team table values: per member the newest, if not older
    than what is held; a leave kept as a marker with its revision (so it guards like an update).
    A resent marker is noted for the team partition it was read from."""
    members, decoded = worker.members, worker.members_decoded

    def held(key: str) -> int | None:
        return held_revision(members.get(key.encode()), lambda raw: decoded.get(key, raw).revision)

    partition_of: dict[str, int] = {}
    updates = []
    for message in entries:
        if message.key == RESENT_KEY:  # an agent partition's owner has sent all its agents again
            worker.team_rebuild.heard_from(message.partition, parse_resent(message.value or b""))
            continue
        update = parse_member(message.key.decode() if message.key else "", message.value or b"")
        updates.append(update)
        partition_of[update.key] = message.partition
    writes = []
    for u in newest_members(updates, held):
        value = u.body if u.body is not None else left_value(u.revision)
        # The same bytes again (a kept partition after a rebalance): keep the held object, so the
        # tick does not decode and view the member again.
        if members.get(u.key.encode()) != value:
            writes.append((u.key, value, partition_of[u.key]))
    return writes


def clear_team_partitions(worker: Worker, partitions: set[int]) -> None:
    owners = worker.key_partitions.setdefault(worker.members.name, {})
    for key in [k for k, p in owners.items() if p in partitions]:
        worker.members.data.pop(key.encode(), None)
        del owners[key]
        worker.members_decoded.forget(key)


async def resend_members(worker: Worker, agent_partitions: set[int]) -> int:
    """Queue every owned agent's stored value to its team, then the markers; returns agents sent."""
    topic, data = worker.internal.team_members, worker.tables["agents"].data
    owners = worker.key_partitions.get("agents", {})
    sent = 0
    for n, (agent_id, partition) in enumerate(list(owners.items())):
        raw = data.get(agent_id.encode()) if partition in agent_partitions else None
        if raw is not None:
            stored = worker.agents_decoded.get(agent_id, raw)
            team_id = stored.track.team_id
            if team_id is not None:
                value = member_value(agent_id, stored.revision, raw)
                worker.outbox.add(Send(topic, team_id.encode(), value, newest_of=agent_id))
                sent += 1
        if n % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)
    for agent_partition in sorted(agent_partitions):
        for team_partition in range(worker.settings.partitions):
            worker.outbox.add_to(topic, team_partition, RESENT_KEY, resent_marker(agent_partition))
    return sent


async def rebuild_on_assignment(worker: Worker, actives: set[Any]) -> None:
    """After every assignment: clear team partitions gained or lost, send this worker's agents again."""
    teams = {tp.partition for tp in actives if tp.topic == worker.internal.team_members}
    agents = {tp.partition for tp in actives if tp.topic == worker.topics.agent_events}
    clear_team_partitions(worker, worker.team_rebuild.assign(teams))
    await resend_members(worker, agents)
