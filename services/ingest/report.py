"""The per-run report: what was read, produced, skipped (where and why), and left unmapped.

It carries counts and positions only, never per-agent figures: agent ids
appear solely to say which ones the roster is missing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from floorwatch.core.events import AgentStateChanged, ContactAbandoned, Event
from floorwatch.core.queue import QueueConfig
from floorwatch.services.ingest.protocol import Translation
from floorwatch.services.ingest.roster import Roster

SHORT_ABANDON_SECONDS = QueueConfig().short_abandon_seconds  # the queue figures' default
SKIPPED_KEPT = 200  # positions listed in full; past that only counted, so a broken file cannot flood stderr


@dataclass(frozen=True)
class Skipped:
    position: str
    reason: str


@dataclass
class IngestReport:
    """Accumulates over one run (a run-scoped tally, not a value: hence not frozen)."""

    source: str
    records_read: int = 0
    events_by_type: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    skipped_total: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    unmapped_first_at: dict[str, str] = field(default_factory=dict)
    unassigned_agents: set[str] = field(default_factory=set)
    unassigned_events: int = 0
    notes: list[str] = field(default_factory=list)
    rejects_path: str | None = None  # where every skipped record was written, if anywhere
    short_abandons: int = 0  # queue abandons within the short-abandon time: named apart from the rest

    @property
    def events_produced(self) -> int:
        return sum(self.events_by_type.values())

    def record(self, position: str, translation: Translation, roster: Roster) -> None:
        if translation.skipped:
            self.skip(position, translation.skipped)
        if translation.ignored:
            self.ignored[translation.ignored] += 1
        for state in translation.unmapped:
            self.unmapped[state] += 1
            self.unmapped_first_at.setdefault(state, position)
        self.notes.extend(f"{position}: {note}" for note in translation.notes)
        for event in translation.events:
            self.count_event(event, roster)

    def skip(self, position: str, reason: str) -> None:
        self.skipped_total += 1
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append(Skipped(position, reason))

    def count_event(self, event: Event, roster: Roster) -> None:
        self.events_by_type[event.type] += 1
        if isinstance(event, ContactAbandoned) and event.data.agent_id is None:
            self.short_abandons += event.data.wait_seconds < SHORT_ABANDON_SECONDS
        if isinstance(event, AgentStateChanged) and not roster.knows(event.data.agent_id):
            self.unassigned_agents.add(event.data.agent_id)
            self.unassigned_events += 1

    def render(self) -> str:
        lines = [
            f"floorwatch ingest {self.source}: {self.records_read} records read, "
            f"{self.events_produced} events produced, {self.skipped_total} skipped",
        ]
        if self.events_by_type:
            lines.append("  events: " + ", ".join(f"{kind} {n}" for kind, n in sorted(self.events_by_type.items())))
        if self.events_by_type["contact.abandoned"]:
            lines.append(
                f"  of the abandons, short (caller gone within {SHORT_ABANDON_SECONDS:g} s; in no abandon rate): "
                f"{self.short_abandons}"
            )
        if self.skipped_total:
            lines.append(f"  skipped records ({self.skipped_total}):")
            lines.extend(f"    {s.position}: {s.reason}" for s in self.skipped)
            if self.skipped_total > len(self.skipped):
                lines.append(f"    ... and {self.skipped_total - len(self.skipped)} more")
            where = (
                f"all of them, with the records: {self.rejects_path}"
                if self.rejects_path
                else ("write all of them, with the records, to a file: --rejects FILE")
            )
            lines.append(f"    ({where})")
        if self.ignored:
            lines.append("  kept out of the maths: " + ", ".join(f"{k} {n}" for k, n in sorted(self.ignored.items())))
        if self.unmapped:
            lines.append("  unmapped states (no event emitted; add them to a --mapping file):")
            lines.extend(
                f"    {state!r}: {n} time(s), first at {self.unmapped_first_at[state]}"
                for state, n in self.unmapped.most_common()
            )
        if self.unassigned_agents:
            listed = ", ".join(sorted(self.unassigned_agents)[:10])
            more = " ..." if len(self.unassigned_agents) > 10 else ""
            lines.append(
                f"  not in the roster (team and site 'unassigned'): {len(self.unassigned_agents)} agent(s), "
                f"{self.unassigned_events} state event(s): {listed}{more}"
            )
        if self.notes:
            lines.append("  notes:")
            lines.extend(f"    {note}" for note in self.notes)
        return "\n".join(lines)
