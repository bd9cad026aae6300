"""The canonical events: one immutable, typed definition per event (docs/events.md).

Every event on the wire is a JSON object with an envelope (`event_id`, `type`,
`occurred_at`, `source`, `schema_version`) and a `data` object whose shape the
`type` fixes. The envelope maps one to one onto CloudEvents (`id`, `type`,
`time`, `source`, `dataschema`), so a CloudEvents router can carry it.

The published JSON Schemas (`floorwatch/schemas/`) are generated from these
models (`floorwatch schemas write`), so code and contract cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION: Final = 1


class AgentState(StrEnum):
    LOGGED_OUT = "LOGGED_OUT"
    AVAILABLE = "AVAILABLE"
    ON_CONTACT = "ON_CONTACT"
    HOLD = "HOLD"
    AFTER_CONTACT_WORK = "AFTER_CONTACT_WORK"
    BREAK = "BREAK"
    LUNCH = "LUNCH"
    TRAINING = "TRAINING"
    MEETING = "MEETING"
    COACHING = "COACHING"
    OTHER_AUX = "OTHER_AUX"


class StateCategory(StrEnum):
    """What a state counts as in the occupancy and utilization maths."""

    NOT_STAFFED = "not_staffed"
    AVAILABLE = "available"
    HANDLE = "handle"
    AUX_REST = "aux_rest"
    AUX_OTHER = "aux_other"


STATE_CATEGORY: dict[AgentState, StateCategory] = {
    AgentState.LOGGED_OUT: StateCategory.NOT_STAFFED,
    AgentState.AVAILABLE: StateCategory.AVAILABLE,
    AgentState.ON_CONTACT: StateCategory.HANDLE,
    AgentState.HOLD: StateCategory.HANDLE,
    AgentState.AFTER_CONTACT_WORK: StateCategory.HANDLE,
    AgentState.BREAK: StateCategory.AUX_REST,
    AgentState.LUNCH: StateCategory.AUX_REST,
    AgentState.TRAINING: StateCategory.AUX_OTHER,
    AgentState.MEETING: StateCategory.AUX_OTHER,
    AgentState.COACHING: StateCategory.AUX_OTHER,
    AgentState.OTHER_AUX: StateCategory.AUX_OTHER,
}


def _must_be_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp has no UTC offset; write it as RFC 3339, e.g. 2026-11-24T09:00:00Z")
    return value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_must_be_utc)]
# No control characters: ids become Kafka keys, label values and parts of internal keys.
IDENTIFIER_PATTERN: Final = r"^[^\x00-\x1f\x7f-\x9f]+$"
Identifier = Annotated[str, Field(min_length=1, max_length=200, pattern=IDENTIFIER_PATTERN)]


def require_wire_fields(schema: dict[str, Any]) -> None:
    # `type` and `schema_version` have defaults in Python for convenience, but on
    # the wire every event must carry them: say so in the published schema.
    wire_required = [name for name in ("type", "schema_version") if name in schema.get("properties", {})]
    if wire_required:
        schema["required"] = sorted(set(schema.get("required", [])) | set(wire_required))


# Non-voice work (email, tasks, callbacks) can wait in a queue for days, so the bound is a month:
# longer is a platform fault, not a contact. Left unbounded, one `1e308` would overflow a queue's
# sums to infinity, which no report or output can carry.
MAX_CONTACT_SECONDS: Final = 31 * 86_400.0


class _Frozen(BaseModel):
    # No NaN or infinity in any number (JSON has neither; `1e400` parses as infinity).
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, json_schema_extra=require_wire_fields)


class _Envelope(_Frozen):
    event_id: Identifier = Field(description="Unique per event; the key for de-duplication.")
    occurred_at: UtcTime = Field(description="Event time, RFC 3339 in UTC.")
    source: Identifier = Field(description="The platform or adapter that produced the event.")
    schema_version: Literal[1] = Field(default=SCHEMA_VERSION, description="Version of this event's schema.")


# --- agent state -----------------------------------------------------------


class AgentStateChangedData(_Frozen):
    agent_id: Identifier
    state: AgentState
    team_id: Identifier
    site_id: Identifier
    queues: tuple[Identifier, ...] = Field(default=(), description="Queues (skills) the agent serves.")
    reason_code: str | None = Field(
        default=None, max_length=200, description="Platform reason code for auxiliary states."
    )


class AgentStateChanged(_Envelope):
    type: Literal["agent.state_changed"] = "agent.state_changed"
    data: AgentStateChangedData


# --- contacts ----------------------------------------------------------------


class ContactOfferedData(_Frozen):
    contact_id: Identifier
    queue_id: Identifier
    channel: Literal["voice", "chat", "email", "other"] = "voice"


class ContactOffered(_Envelope):
    """A contact entered a queue; no agent is involved yet (keyed by queue_id)."""

    type: Literal["contact.offered"] = "contact.offered"
    data: ContactOfferedData


class ContactAnsweredData(_Frozen):
    contact_id: Identifier
    queue_id: Identifier
    agent_id: Identifier | None = Field(
        default=None,
        description="The agent who answered; absent when the platform's system answered (an IVR, voicemail or "
        "announcement: the feed names a placeholder, not an agent). Counted in its queue only.",
    )
    answered_by: Literal["agent", "system"] = Field(
        default="agent",
        description='"system" when no agent answered (then `agent_id` is absent); an answer without `agent_id` '
        "must say so, so that a producer that forgot the agent is refused rather than counted as the system.",
    )
    wait_seconds: float = Field(
        ge=0, le=MAX_CONTACT_SECONDS, description="Time the caller waited in queue before the answer."
    )

    @model_validator(mode="after")
    def _agent_named_unless_system(self) -> ContactAnsweredData:
        if self.answered_by == "agent" and self.agent_id is None:
            raise ValueError(
                "contact.answered has no data.agent_id: name the agent who answered, or set data.answered_by "
                'to "system" when the platform\'s system (IVR, voicemail) answered'
            )
        if self.answered_by == "system" and self.agent_id is not None:
            raise ValueError('contact.answered names an agent but says answered_by "system": drop one of the two')
        return self


class ContactAnswered(_Envelope):
    type: Literal["contact.answered"] = "contact.answered"
    data: ContactAnsweredData


class ContactAgentData(_Frozen):
    contact_id: Identifier
    queue_id: Identifier
    agent_id: Identifier


class ContactHeld(_Envelope):
    type: Literal["contact.held"] = "contact.held"
    data: ContactAgentData


class ContactResumed(_Envelope):
    type: Literal["contact.resumed"] = "contact.resumed"
    data: ContactAgentData


class ContactEscalated(_Envelope):
    type: Literal["contact.escalated"] = "contact.escalated"
    data: ContactAgentData


class ContactTransferredData(_Frozen):
    contact_id: Identifier
    queue_id: Identifier
    agent_id: Identifier
    to_queue_id: Identifier | None = None
    to_agent_id: Identifier | None = None


class ContactTransferred(_Envelope):
    type: Literal["contact.transferred"] = "contact.transferred"
    data: ContactTransferredData


class ContactEndedData(_Frozen):
    contact_id: Identifier
    queue_id: Identifier
    agent_id: Identifier
    disposition: str = Field(default="resolved", max_length=200)
    complaint: bool = False


class ContactEnded(_Envelope):
    type: Literal["contact.ended"] = "contact.ended"
    data: ContactEndedData


class ContactAbandonedData(_Frozen):
    contact_id: Identifier
    queue_id: Identifier
    wait_seconds: float = Field(ge=0, le=MAX_CONTACT_SECONDS)
    agent_id: Identifier | None = Field(default=None, description="Set when the caller hung up while held by an agent.")
    on_hold_seconds: float = Field(
        default=0, ge=0, le=MAX_CONTACT_SECONDS, description="Hold time before the caller hung up."
    )


class ContactAbandoned(_Envelope):
    type: Literal["contact.abandoned"] = "contact.abandoned"
    data: ContactAbandonedData


class ContactSentimentData(_Frozen):
    contact_id: Identifier
    queue_id: Identifier
    agent_id: Identifier
    score: float = Field(ge=-1, le=1, description="Customer sentiment from speech analytics, -1 to 1.")


class ContactSentimentObserved(_Envelope):
    """Customer-side sentiment only; never agent voice or biometrics (docs/stress.md)."""

    type: Literal["contact.sentiment"] = "contact.sentiment"
    data: ContactSentimentData


# --- schedules ------------------------------------------------------------------


class ScheduledActivity(_Frozen):
    kind: Literal["work", "break", "lunch", "training", "meeting"]
    start: UtcTime
    end: UtcTime


class SchedulePublishedData(_Frozen):
    agent_id: Identifier
    shift_start: UtcTime
    shift_end: UtcTime
    activities: tuple[ScheduledActivity, ...] = ()


class SchedulePublished(_Envelope):
    """An agent's planned shift; the newest per agent wins (compacted topic)."""

    type: Literal["schedule.published"] = "schedule.published"
    data: SchedulePublishedData


AgentEvent = AgentStateChanged
ContactEvent = (
    ContactOffered
    | ContactAnswered
    | ContactHeld
    | ContactResumed
    | ContactEscalated
    | ContactTransferred
    | ContactEnded
    | ContactAbandoned
    | ContactSentimentObserved
)
AnyEvent = AgentStateChanged | ContactEvent | SchedulePublished  # for type checkers; decode with `Event`
Event = Annotated[AnyEvent, Field(discriminator="type")]

EVENT_TYPES: dict[str, type[_Envelope]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        AgentStateChanged,
        ContactOffered,
        ContactAnswered,
        ContactHeld,
        ContactResumed,
        ContactEscalated,
        ContactTransferred,
        ContactEnded,
        ContactAbandoned,
        ContactSentimentObserved,
        SchedulePublished,
    )
}


def partition_key(event: AnyEvent) -> str:
    """The Kafka key: the agent, or the queue before any agent is involved (docs/events.md)."""
    data = event.data
    if isinstance(data, ContactOfferedData):
        return data.queue_id
    if isinstance(data, (ContactAbandonedData, ContactAnsweredData)):
        return data.agent_id if data.agent_id is not None else data.queue_id
    return data.agent_id
