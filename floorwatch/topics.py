"""Kafka topic names and what each carries; the AsyncAPI document describes them in full."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topics:
    """Topic names; a deployment may prefix them (e.g. per environment) through settings."""

    agent_events: str = "floorwatch.agent-events"  # in: agent.state_changed, key agent_id
    contact_events: str = "floorwatch.contact-events"  # in: contact.*, key agent_id (queue_id before an agent is involved)
    schedules: str = "floorwatch.schedules"  # in, compacted: schedule.published, key agent_id
    agent_wellbeing: str = "floorwatch.agent-wellbeing"  # out, compacted: latest figures per agent
    team_load: str = "floorwatch.team-load"  # out: team and site roll-ups
    queue_load: str = "floorwatch.queue-load"  # out: queue pressure and service level
    break_violations: str = "floorwatch.break-violations"  # out: one record per violated rule
    alerts: str = "floorwatch.alerts"  # out: alert-worthy events (stress band high, overload)
    dead_letter: str = "floorwatch.dead-letter"  # out: rejected input with the reason

    @classmethod
    def with_prefix(cls, prefix: str) -> "Topics":
        """All names under another prefix, e.g. a unique one per test."""
        return cls(**{name: f"{prefix}{value.removeprefix('floorwatch')}" for name, value in cls().__dict__.items()})
