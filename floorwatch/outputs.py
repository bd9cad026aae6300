"""Records floorwatch publishes on its output topics: the contract other services read.

Like the input events, these are frozen pydantic models with closed JSON Schemas
generated into `floorwatch/schemas/` (`floorwatch schemas write`). Per-agent
records carry `agent_key`: the agent id, or a keyed hash of it, as the operator's
privacy mode says (docs/privacy.md); with per-agent detail off they are not published.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from floorwatch.core.events import require_wire_fields

OUTPUT_SCHEMA_VERSION: Final = 1


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=require_wire_fields)
    schema_version: Literal[1] = OUTPUT_SCHEMA_VERSION


class StressComponents(BaseModel):
    """Load points (docs/stress.md): they add up to `stress_load_points`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    workload_intensity: float = Field(ge=0, description="Handled time weighted by last-hour occupancy, decaying.")
    continuous_work: float = Field(ge=0, description="Time on task since the last sufficient rest.")
    missed_breaks: float = Field(ge=0, default=0.0, description="Work beyond a break rule's limit without its rest.")
    emotional_load: float = Field(ge=0, description="Demanding contacts, graded, decaying with time.")
    back_to_back: float = Field(ge=0, description="Contacts with little available time between them.")
    shift_overrun: float = Field(ge=0, description="Work beyond the scheduled shift length.")


class BreakRequiredNow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    basis: Literal["statute", "guidance", "house_policy"]
    minimum_seconds: float = Field(ge=0)
    missing: int = Field(ge=1)
    latest_start: datetime | None


class AgentWellbeing(_Record):
    """Latest figures for one agent (compacted topic, key = agent_key)."""

    type: Literal["agent.wellbeing"] = "agent.wellbeing"
    agent_key: str
    team_id: str
    site_id: str
    as_of: datetime = Field(description="Event time the figures are computed for (UTC).")
    state: str
    handle_seconds: float = Field(ge=0)
    available_seconds: float = Field(ge=0)
    aux_seconds: float = Field(ge=0)
    staffed_seconds: float = Field(ge=0)
    occupancy_ratio: float | None = Field(
        ge=0, le=1, description="Shift to date; null before any handle or available time."
    )
    occupancy_15m_ratio: float | None = Field(ge=0, le=1)
    occupancy_60m_ratio: float | None = Field(ge=0, le=1)
    utilization_ratio: float | None = Field(ge=0, le=1)
    stress_score: float = Field(ge=0, le=100)
    stress_band: Literal["normal", "elevated", "high"]
    stress_components: StressComponents
    stress_load_points: float = Field(
        ge=0, default=0.0, description="The unbounded load; stress_score = 100 (1 - exp(-load / scale))."
    )
    stress_signals: list[str] = Field(
        default_factory=list,
        description="Contact signals seen for this agent (sentiment, holds, transfers, escalations, complaints, "
        "queue_wait, abandons): which inputs the emotional load could use.",
    )
    break_due_in_seconds: float | None = Field(
        description="Seconds until the next rest break is due; negative when overdue."
    )
    break_overdue: bool
    violations_total: int = Field(ge=0)
    breaks_required: list[BreakRequiredNow] = Field(
        default_factory=list,
        description="Breaks the day already calls for and not yet taken, rule by rule, with the latest start "
        "that still satisfies the rule (null when no schedule says when the day ends).",
    )


class TeamLoad(_Record):
    """Roll-up for one team or site; not published for groups below the minimum size."""

    type: Literal["team.load"] = "team.load"
    scope: Literal["team", "site"]
    scope_id: str
    site_id: str
    as_of: datetime
    agents_staffed: int = Field(ge=0)
    agents_by_state: dict[str, int]
    handle_seconds: float = Field(ge=0)
    available_seconds: float = Field(ge=0)
    occupancy_ratio: float | None = Field(
        ge=0, le=1, description="Time-weighted: sum handle / sum (handle + available)."
    )
    live_occupancy_ratio: float | None = Field(
        ge=0, le=1, description="Of staffed, non-aux agents now, the fraction handling."
    )
    break_compliance_ratio: float | None = Field(
        ge=0, le=1, description="Fraction of agents on shift with no open violation."
    )
    agents_by_stress_band: dict[str, int]
    break_compliance_by_basis: dict[Literal["statute", "guidance", "house_policy"], float | None] = Field(
        default_factory=dict,
        description="The compliance ratio for the rules of each basis apart (law never mixed with guidance or "
        "house policy); null for a basis with nobody on shift.",
    )
    agents_serving_by_queue: dict[str, int] = Field(
        default_factory=dict, description="Members handling or available now, per queue they serve."
    )
    agents_movable_by_skill: dict[str, int] = Field(
        default_factory=dict,
        description="Members available now with the skill, no rest break due within the advice horizon and "
        "stress not high: who the team could lend to a short-staffed queue (docs/staffing.md).",
    )


class QueueLoad(_Record):
    type: Literal["queue.load"] = "queue.load"
    queue_id: str
    as_of: datetime
    contacts_waiting: int = Field(ge=0)
    longest_wait_seconds: float = Field(ge=0)
    service_level_ratio: float | None = Field(ge=0, le=1)
    abandon_ratio: float | None = Field(ge=0, le=1)
    short_abandoned_contacts: int = Field(
        default=0, ge=0, description="Callers gone within the short-abandon time (5 s): in no rate."
    )
    average_handle_seconds: float | None = Field(ge=0)
    skill: str | None = Field(default=None, description="The queue's skill group (the queue id unless configured).")
    service_level_target_ratio: float | None = Field(default=None, ge=0, le=1)
    service_level_target_seconds: float | None = Field(default=None, ge=0)
    agents_needed: int | None = Field(
        default=None,
        ge=0,
        description="Agents the queue needs now to meet its target (docs/staffing.md); null before enough "
        "contacts were offered and handled. Agents serving it are per team, on team.load.",
    )
    staffing_model: Literal["erlang_c", "erlang_a"] | None = Field(
        default=None, description="Erlang A when callers abandon often enough to matter, else Erlang C."
    )
    offered_load_erlangs: float | None = Field(
        default=None, ge=0, description="Arrival rate (last 15 min) x average handle time (last 30 min)."
    )
    patience_seconds: float | None = Field(
        default=None, ge=0, description="Callers' mean patience from the abandons seen (Erlang A only)."
    )


class BreakViolation(_Record):
    type: Literal["break.violation"] = "break.violation"
    violation_id: str = Field(description="Stable id: the same violation always has the same id.")
    agent_key: str
    team_id: str
    site_id: str
    rule: str
    basis: Literal["statute", "guidance", "house_policy"] = Field(
        description="What the rule rests on: a statute (a breach of law), guidance, or the organisation's own policy."
    )
    breached_at: datetime
    detail: str


class Alert(_Record):
    """Something a floor manager should act on now; Prometheus alerts cover the paging path."""

    type: Literal["alert"] = "alert"
    alert_id: str
    kind: Literal["stress_high", "break_overdue", "team_overload"]
    scope_id: str = Field(description="agent_key for agent alerts, team id for team alerts.")
    team_id: str
    site_id: str
    raised_at: datetime
    summary: str
    bases: list[Literal["statute", "guidance", "house_policy"]] = Field(
        default_factory=list,
        description="break_overdue: the bases of the overdue rules (statute, guidance, house_policy); else empty.",
    )


DeadLetterKind = Literal["malformed", "invalid", "out_of_bounds", "oversized", "late", "unroutable"]


class DeadLetter(_Record):
    """Input floorwatch could not use, with where it came from and why; nothing is dropped silently."""

    type: Literal["dead_letter"] = "dead_letter"
    reason_kind: DeadLetterKind
    reason: str
    topic: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    key_base64: str | None
    value_base64: str = Field(
        description="The original bytes, base64; only their first bytes when `value_truncated` (the whole "
        "record would exceed what a producer may send)."
    )
    value_bytes: int = Field(ge=0, description="Size of the original value in bytes.")
    value_sha256: str = Field(description="SHA-256 of the whole original value, hex: to match it to the source.")
    value_truncated: bool = Field(description="True when `value_base64` holds only a prefix of the original.")
    received_at: datetime


OUTPUT_RECORDS: dict[str, type[_Record]] = {
    "agent.wellbeing": AgentWellbeing,
    "team.load": TeamLoad,
    "queue.load": QueueLoad,
    "break.violation": BreakViolation,
    "alert": Alert,
    "dead_letter": DeadLetter,
}
