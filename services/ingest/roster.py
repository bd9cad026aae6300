"""Who sits where: agent -> team, site and queues, from an operator's CSV or YAML file.

Platforms rarely say which team or site an agent belongs to, yet every agent
state event needs both. Agents missing from the roster get "unassigned"; the
run report counts them so the operator can complete the file.

CSV: a header with `agent_id,team_id,site_id,queues` (queues separated by `;`).
YAML: `agents: {AGENT_ID: {team: T, site: S, queues: [Q1, Q2]}}`.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

UNASSIGNED = "unassigned"


class RosterError(ValueError):
    """The roster file cannot be used; the message names the file, the place and the fix."""


@dataclass(frozen=True)
class Assignment:
    team_id: str = UNASSIGNED
    site_id: str = UNASSIGNED
    queues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Roster:
    agents: Mapping[str, Assignment] = field(default_factory=lambda: MappingProxyType({}))

    def knows(self, agent_id: str) -> bool:
        return agent_id in self.agents

    def assignment(self, agent_id: str, platform_queues: tuple[str, ...] = ()) -> Assignment:
        """The roster's entry; queues fall back to what the platform said when the roster lists none."""
        known = self.agents.get(agent_id, Assignment())
        return Assignment(known.team_id, known.site_id, known.queues or tuple(platform_queues))


def load_roster(path: Path | None) -> Roster:
    if path is None:
        return Roster()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RosterError(f"roster {path}: cannot read it ({exc.strerror})") from None
    parse = _parse_yaml if path.suffix.lower() in (".yaml", ".yml") else _parse_csv
    return Roster(MappingProxyType(parse(path, text)))


def _parse_csv(path: Path, text: str) -> dict[str, Assignment]:
    rows = csv.DictReader(text.splitlines())
    if rows.fieldnames is None or "agent_id" not in rows.fieldnames:
        raise RosterError(f"roster {path}: the first line must be a header with agent_id,team_id,site_id,queues")
    agents = {}
    for line, row in enumerate(rows, start=2):
        agent_id = (row.get("agent_id") or "").strip()
        if not agent_id:
            raise RosterError(f"roster {path} line {line}: agent_id is empty")
        queues = tuple(q.strip() for q in (row.get("queues") or "").replace("|", ";").split(";") if q.strip())
        agents[agent_id] = Assignment(_text(row.get("team_id")), _text(row.get("site_id")), queues)
    return agents


def _parse_yaml(path: Path, text: str) -> dict[str, Assignment]:
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RosterError(f"roster {path}: not valid YAML ({exc})") from None
    entries = document.get("agents") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise RosterError(f"roster {path}: expected a top-level 'agents:' mapping of agent id to team, site, queues")
    agents = {}
    for agent_id, entry in entries.items():
        if not isinstance(entry, dict):
            raise RosterError(f"roster {path}: agent {agent_id!r} needs a mapping with team, site and queues")
        queues = entry.get("queues") or ()
        if isinstance(queues, str):
            queues = [queues]
        agents[str(agent_id)] = Assignment(
            _text(entry.get("team", entry.get("team_id"))),
            _text(entry.get("site", entry.get("site_id"))),
            tuple(str(q) for q in queues),
        )
    return agents


def _text(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    return text or UNASSIGNED
