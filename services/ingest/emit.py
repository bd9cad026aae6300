"""Building canonical events the same way in every adapter.

`Emitter` stamps the envelope (stable id, source, UTC time) and fills agent
identity from the roster, so adapters only say what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from floorwatch.core.events import EVENT_TYPES, STATE_CATEGORY, AgentState, AgentStateChanged, Event, StateCategory
from floorwatch.services.ingest.protocol import stable_event_id
from floorwatch.services.ingest.roster import Roster


@dataclass(frozen=True)
class Emitter:
    source: str
    roster: Roster = field(default_factory=Roster)

    def agent_state(
        self,
        identity: Sequence[object],
        agent_id: str,
        state: AgentState,
        at: datetime,
        reason_code: str | None = None,
        platform_queues: tuple[str, ...] = (),
    ) -> AgentStateChanged:
        assignment = self.roster.assignment(agent_id, platform_queues)
        data = {
            "agent_id": agent_id,
            "state": state,
            "team_id": assignment.team_id,
            "site_id": assignment.site_id,
            "queues": assignment.queues,
            "reason_code": reason_code,
        }
        return AgentStateChanged(**self._envelope(identity, at), data=data)

    def contact(self, type_: str, identity: Sequence[object], at: datetime, **data: object) -> Event:
        """A contact event of `type_` (e.g. "contact.answered"); pydantic validates `data`."""
        # EVENT_TYPES is typed by the classes' common base; every class in it is a member of Event.
        event = EVENT_TYPES[type_].model_validate({**self._envelope(identity, at), "data": data})
        return cast("Event", event)

    def _envelope(self, identity: Sequence[object], at: datetime) -> dict[str, object]:
        return {
            "event_id": stable_event_id(self.source, *identity),
            "occurred_at": at.astimezone(UTC),
            "source": self.source,
        }


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def parse_iso(text: str) -> datetime:
    """RFC 3339 / ISO 8601 with an offset or Z; raises ValueError when the offset is missing."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return value.astimezone(UTC)


def parse_iso_or_none(text: Any) -> datetime | None:
    """A platform timestamp that may be missing or unreadable: None rather than a failed record."""
    if not text:
        return None
    try:
        return parse_iso(str(text))
    except ValueError:
        return None


def aux_reason(state: AgentState, platform_name: str | None) -> str | None:
    """The platform's name as reason code, for auxiliary states only (the schema keeps it for those)."""
    auxiliary = STATE_CATEGORY[state] in (StateCategory.AUX_REST, StateCategory.AUX_OTHER)
    return platform_name or None if auxiliary else None
