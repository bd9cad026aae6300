"""The team table has no changelog: rebuilt on every assignment from the agents' owners."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.streams.agent_step import AgentStep, Internal
from floorwatch.streams.group_step import has_left, member_key, member_value
from floorwatch.streams.messages import RawMessage
from floorwatch.streams.outbox import Outbox, entries_of
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode
from floorwatch.streams.state import DecodedCache, load_agent
from floorwatch.streams.team_rebuild import MemoryTable, TeamRebuild, member_writes, resend_members
from floorwatch.topics import Topics
from tests.unit.core.builders import AVAILABLE, state

PARTITIONS = 2
TOPICS = Topics.with_prefix("t")
INTERNAL = Internal(queue_events="t-app-queue-events", team_members="t-app-team-members")


def _worker(agent_partitions: dict[str, int], encoded: dict[str, bytes]) -> Any:
    """What resend_members and member_writes read of a worker: plain data, no Faust."""
    return SimpleNamespace(
        internal=INTERNAL,
        settings=SimpleNamespace(partitions=PARTITIONS),
        tables={"agents": MemoryTable("agents", {a.encode(): encoded[a] for a in agent_partitions})},
        key_partitions={"agents": dict(agent_partitions), "team-members": {}},
        agents_decoded=DecodedCache(load_agent),
        members=MemoryTable("team-members"),
        members_decoded=DecodedCache(load_agent),
        outbox=Outbox(PARTITIONS),
        team_rebuild=TeamRebuild(PARTITIONS),
    )


def _agents(*placements: tuple[str, str]) -> dict[str, bytes]:
    """Each (agent, team) logged in and available: the agent's stored value as the table holds it."""
    step = AgentStep(MetricConfig(), TOPICS, INTERNAL, AgentLabeller(PrivacyMode.NAMED, b"k"))
    events = [state(agent, AVAILABLE, 60.0, team=team) for agent, team in placements]
    messages = [RawMessage(TOPICS.agent_events, 0, n, b"k", encode(e)) for n, e in enumerate(events)]
    return step.run(messages, lambda _: None).encoded


def _read(team_owner: Any, sent: list) -> None:
    """The team owner reads what was sent, partition by partition, as its team-members agent does."""
    for offset, send in enumerate(sent):
        record = RawMessage(send.topic, send.partition, offset, send.key, send.value)
        for key, value, partition in member_writes(team_owner, entries_of(record)):
            team_owner.members.data[key.encode()] = value
            team_owner.key_partitions["team-members"][key] = partition


def test_a_gained_team_partition_is_complete_only_once_every_agent_partition_has_been_heard():
    rebuild = TeamRebuild(agent_partitions=3)
    assert rebuild.assign({0, 1}) == {0, 1}, "both gained: cleared, nothing heard yet"
    rebuild.heard_from(0, 0)
    rebuild.heard_from(0, 1)
    assert rebuild.complete({0, 1}) == set()
    rebuild.heard_from(0, 2)
    rebuild.heard_from(5, 0)  # a partition not owned: ignored
    assert rebuild.complete({0, 1}) == {0}
    assert rebuild.assign({0, 2}) == {1, 2}, "1 lost and 2 gained are cleared; 0 is kept"
    assert rebuild.complete({0, 2}) == {0}, "a partition kept across the rebalance stays complete"


def test_agents_sent_again_by_every_owner_rebuild_each_team_exactly_and_then_it_is_complete():
    encoded = _agents(("ana", "t1"), ("ben", "t1"), ("cai", "t2"), ("dee", "t3"))
    owner_a = _worker({"ana": 0, "cai": 0}, encoded)  # owns agent partition 0
    owner_b = _worker({"ben": 1, "dee": 1}, encoded)  # owns agent partition 1
    team_owner = _worker({}, encoded)
    team_owner.team_rebuild.assign({0, 1})
    # Before the resend, an older value of ana (revision 0) and a leave of dee from t1 lie past
    # the stored position: applied first, then replaced or kept as they should be.
    older = RawMessage(INTERNAL.team_members, 0, 0, b"t1", member_value("ana", 0, encoded["ana"]))
    for key, value, partition in member_writes(team_owner, [older]):
        team_owner.members.data[key.encode()] = value
        team_owner.key_partitions["team-members"][key] = partition
    assert asyncio.run(resend_members(owner_a, {0})) == 2
    _read(team_owner, owner_a.outbox.take())
    assert team_owner.team_rebuild.complete({0, 1}) == set(), "agent partition 1 not heard yet"
    assert asyncio.run(resend_members(owner_b, {1})) == 2
    _read(team_owner, owner_b.outbox.take())
    assert team_owner.team_rebuild.complete({0, 1}) == {0, 1}
    members = {k.decode(): v for k, v in team_owner.members.data.items() if not has_left(v)}
    expected = {member_key(t, a): encoded[a] for a, t in (("ana", "t1"), ("ben", "t1"), ("cai", "t2"), ("dee", "t3"))}
    assert members == expected
    asyncio.run(resend_members(owner_a, {0}))  # the next rebalance: the same values again
    again = [RawMessage(s.topic, s.partition, 0, s.key, s.value) for s in owner_a.outbox.take()]
    assert [w for r in again for w in member_writes(team_owner, entries_of(r))] == [], "nothing to view again"


def test_an_older_update_read_after_the_resend_cannot_replace_the_resent_value():
    encoded = _agents(("ana", "t1"))
    newer = load_agent(encoded["ana"])
    owner = _worker({"ana": 0}, encoded)
    team_owner = _worker({}, encoded)
    team_owner.team_rebuild.assign({0, 1})
    asyncio.run(resend_members(owner, {0}))
    _read(team_owner, owner.outbox.take())
    stale = RawMessage(INTERNAL.team_members, 0, 99, b"t1", member_value("ana", newer.revision - 1, b"stale"))
    assert member_writes(team_owner, [stale]) == []
