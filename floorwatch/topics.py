"""Kafka topic names and what each carries; the AsyncAPI document describes them in full."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topics:
    """Topic names; a deployment may prefix them (e.g. per environment) through settings."""

    agent_events: str = "floorwatch.agent-events"  # in: everything about one agent, in order; key agent_id
    contact_events: str = "floorwatch.contact-events"  # in: contacts before an agent is involved; key queue_id
    schedules: str = "floorwatch.schedules"  # in, compacted: schedule.published, key agent_id
    agent_wellbeing: str = "floorwatch.agent-wellbeing"  # out, compacted: latest figures per agent
    team_load: str = "floorwatch.team-load"  # out: team and site roll-ups
    queue_load: str = "floorwatch.queue-load"  # out: queue pressure and service level
    break_violations: str = "floorwatch.break-violations"  # out: one record per violated rule
    alerts: str = "floorwatch.alerts"  # out: alert-worthy events (stress band high, overload)
    dead_letter: str = "floorwatch.dead-letter"  # out: rejected input with the reason

    def for_event(self, event) -> str:
        """The input topic an event belongs on.

        Everything that concerns one agent (its state changes and the contact events that
        name it) shares one topic and one partition, so the agent's events are read in the
        order they happened: Kafka orders a partition, never two topics against each other.
        Contact events before any agent is involved go to the contact topic, keyed by queue.
        """
        if event.type == "schedule.published":
            return self.schedules
        if getattr(event.data, "agent_id", None) is not None:
            return self.agent_events
        return self.contact_events

    @classmethod
    def with_prefix(cls, prefix: str) -> Topics:
        """All names under another prefix, e.g. a unique one per test."""
        return cls(**{name: f"{prefix}{value.removeprefix('floorwatch')}" for name, value in cls().__dict__.items()})
