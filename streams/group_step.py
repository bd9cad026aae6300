"""Team roll-ups, after the repartition by team_id (the "group_by").

The agent worker sends each changed agent's whole track to the team-members topic keyed
by team_id; the worker owning that team's partition keeps one table entry per
(team, agent) and rolls the team up with the same `rollup` the batch replay uses, viewing
every member at the same instant. A team lives on exactly one partition, so no figure
is counted twice however many workers run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from floorwatch.core import advice, agent, rollup
from floorwatch.core.advice import TeamSupply
from floorwatch.core.agent import AgentFigures, AgentTrack
from floorwatch.core.config import MetricConfig
from floorwatch.core.rollup import GroupFigures

KEY_SEPARATOR = "\x1f"  # cannot appear in ids that came through JSON text we accept


def member_key(team_id: str, agent_id: str) -> str:
    return f"{team_id}{KEY_SEPARATOR}{agent_id}"


def team_of(key: str) -> str:
    return key.split(KEY_SEPARATOR, 1)[0]


@dataclass(frozen=True, slots=True)
class MemberUpdate:
    """A team-members message: an agent's stored value for its team's table, or None if it left."""

    key: str
    revision: int
    body: bytes | None


def member_value(agent_id: str, revision: int, stored: bytes) -> bytes:
    """A team-members entry: a JSON head (agent id, revision), a newline, then the agent's stored
    value; no stored value means the agent left the team."""
    return json.dumps({"agent_id": agent_id, "revision": revision}).encode() + b"\n" + stored


def parse_member(team_id: str, value: bytes) -> MemberUpdate:
    head, _, body = value.partition(b"\n")
    fields = json.loads(head)
    return MemberUpdate(member_key(team_id, fields["agent_id"]), int(fields.get("revision", 0)), body or None)


LEFT = b"\x00left "  # a stored value never starts with a NUL byte (JSON, zstd or zlib)


def left_value(revision: int) -> bytes:
    """What the team table keeps for a member that left: its revision, so that an older update
    from a partition's previous owner arriving later cannot add the member back."""
    return LEFT + str(revision).encode()


def has_left(raw: bytes) -> bool:
    return raw.startswith(LEFT)


def held_revision(raw: bytes | None, revision_of: Callable[[bytes], int]) -> int | None:
    """The revision a team table value holds: a member's, or a leave's."""
    if raw is None:
        return None
    return int(raw[len(LEFT) :]) if has_left(raw) else revision_of(raw)


def newest_members(updates: Iterable[MemberUpdate], held_revision: Callable[[str], int | None]) -> list[MemberUpdate]:
    """Per member, the newest update of a batch, if it is newer than what is held.

    Updates of one agent come from whichever worker owned its partition at the time; after a
    rebalance a late one from the previous owner must not replace a newer value."""
    latest: dict[str, MemberUpdate] = {}
    for update in updates:
        seen = latest.get(update.key)
        if seen is None or update.revision >= seen.revision:
            latest[update.key] = update
    newer = []
    for update in latest.values():
        held = held_revision(update.key)
        if held is None or update.revision >= held:
            newer.append(update)
    return newer


@dataclass(frozen=True)
class TeamView:
    team_id: str
    site_id: str
    group: GroupFigures
    members: tuple[AgentFigures, ...]
    agents_by_stress_band: dict[str, int]
    supply: TeamSupply  # serving per queue, could lend per skill (docs/staffing.md)


def team_views(
    members: Iterable[tuple[str, AgentTrack]], now_for: Callable[[AgentTrack], float], config: MetricConfig
) -> list[TeamView]:
    """Every team's roll-up, each member viewed at `now_for(track)`."""
    by_team: dict[str, list[AgentFigures]] = {}
    for key, track in members:
        figures, _ = agent.view(track, now_for(track), config)
        by_team.setdefault(team_of(key), []).append(figures)
    return [team_view(team_id, by_team[team_id], config) for team_id in sorted(by_team)]


def team_view(team_id: str, team: list[AgentFigures], config: MetricConfig) -> TeamView:
    """One team's roll-up from its members' figures (all viewed at the same instant)."""
    bands = rollup.agents_by_stress_band(team)
    site = next((m.site_id for m in team if m.site_id), "unassigned")
    group = rollup.rollup(team, config.occupancy)
    supply = advice.team_supply(team, config.queue.staffing)
    return TeamView(team_id, site, group, tuple(team), bands, supply)


def same_members(held: TeamView, members: list[AgentFigures]) -> bool:
    """The very same figures objects as in `held`: no member was viewed again since its roll-up."""
    return len(held.members) == len(members) and all(a is b for a, b in zip(held.members, members, strict=True))
