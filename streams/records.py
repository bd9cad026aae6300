"""Turning core figures and outputs into the output-topic records of `floorwatch.outputs`."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

from floorwatch.core.advice import TeamSupply
from floorwatch.core.agent import AgentFigures, AgentTrack
from floorwatch.core.breaks import BreakRuleBreached
from floorwatch.core.occupancy import ContactHandled
from floorwatch.core.queue import QueueFigures
from floorwatch.core.rollup import GroupFigures
from floorwatch.core.stress import StressBandChanged
from floorwatch.outputs import (
    AgentWellbeing,
    Alert,
    BreakRequiredNow,
    BreakViolation,
    DeadLetter,
    DeadLetterKind,
    QueueLoad,
    StressComponents,
    TeamLoad,
)
from floorwatch.streams.messages import RawMessage, Send
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.topics import Topics

HANDLED_TYPE = "floorwatch.internal.contact_handled"
HANDLED_PREFIX = b'{"type": "' + HANDLED_TYPE.encode() + b'"'  # how a queue worker tells these from events


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _json(record) -> bytes:
    return record.model_dump_json().encode()


DEAD_LETTER_VALUE_KEPT_BYTES = 65_536  # whole values up to this size; a prefix of larger ones
DEAD_LETTER_PREFIX_BYTES = 4_096
DEAD_LETTER_KEY_KEPT_BYTES = 1_024


def dead_letter(topic: str, message: RawMessage, kind: DeadLetterKind, reason: str) -> Send:
    """The dead-letter record of an input message, never larger than ~100 KB whatever the input:
    a record the producer refuses would stop the worker, and the input with it."""
    value = message.value or b""
    truncated = len(value) > DEAD_LETTER_VALUE_KEPT_BYTES
    kept = value[:DEAD_LETTER_PREFIX_BYTES] if truncated else value
    key = message.key[:DEAD_LETTER_KEY_KEPT_BYTES] if message.key is not None else None
    record = DeadLetter(
        reason_kind=kind,
        reason=reason[:2_000],
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key_base64=base64.b64encode(key).decode() if key is not None else None,
        value_base64=base64.b64encode(kept).decode(),
        value_bytes=len(value),
        value_sha256=hashlib.sha256(value).hexdigest(),
        value_truncated=truncated,
        received_at=datetime.now(UTC),
    )
    return Send(topic, key, _json(record))


def handled(done: ContactHandled) -> bytes:
    """The internal record telling a queue one of its contacts was handled (for its handle time)."""
    return json.dumps(
        {
            "type": HANDLED_TYPE,
            "contact_id": done.contact_id,
            "queue_id": done.queue_id,
            "answered_seconds": done.answered_seconds,
            "wrapped_seconds": done.wrapped_seconds,
            "handle_seconds": done.handle_seconds,
        }
    ).encode()


def wellbeing(topic: str, labeller: AgentLabeller, figures: AgentFigures) -> Send:
    key = labeller.agent_key(figures.agent_id)
    shift = figures.occupancy.shift
    stress, components = figures.stress, figures.stress.components
    record = AgentWellbeing(
        agent_key=key,
        team_id=figures.team_id or "unassigned",
        site_id=figures.site_id or "unassigned",
        as_of=utc(figures.as_of_seconds),
        state=figures.state or "UNKNOWN",
        handle_seconds=shift.handle_seconds,
        available_seconds=shift.available_seconds,
        aux_seconds=shift.aux_seconds,
        staffed_seconds=shift.staffed_seconds,
        occupancy_ratio=shift.occupancy_ratio,
        utilization_ratio=shift.utilization_ratio,
        occupancy_15m_ratio=figures.occupancy.window(900.0).figures.occupancy_ratio,
        occupancy_60m_ratio=figures.occupancy.window(3600.0).figures.occupancy_ratio,
        stress_score=stress.score,
        stress_band=stress.band,
        stress_components=StressComponents(
            workload_intensity=components.workload_intensity,
            continuous_work=components.continuous_work,
            missed_breaks=components.missed_breaks,
            emotional_load=components.emotional_load,
            back_to_back=components.back_to_back,
            shift_overrun=components.shift_overrun,
        ),
        stress_load_points=stress.load_points,
        stress_signals=list(stress.signals),
        break_due_in_seconds=figures.breaks.break_due_in_seconds,
        break_overdue=figures.breaks.overdue,
        violations_total=figures.breaks.violations_total,
        breaks_required=[
            BreakRequiredNow(
                rule=r.rule,
                basis=r.basis,
                minimum_seconds=r.minimum_seconds,
                missing=r.missing,
                latest_start=None if r.latest_start_seconds is None else utc(r.latest_start_seconds),
            )
            for r in figures.breaks.required
        ],
    )
    return Send(topic, key.encode(), _json(record))


def violation_id(labeller: AgentLabeller, agent_id: str, rule: str, at_seconds: float) -> str:
    """Stable across replays and redeliveries; keyed, so it reveals nothing about the agent to
    anyone without FLOORWATCH_PSEUDONYM_KEY (an unkeyed hash of a guessable id would)."""
    return labeller.derived_id("violation", agent_id, rule, f"{at_seconds:.3f}")


def agent_outputs(topics: Topics, labeller: AgentLabeller, track: AgentTrack, output: object) -> list[Send]:
    """Violations and high stress, as records; nothing per agent when per-agent detail is off."""
    return agent_outputs_for(topics, labeller, track.agent_id, track.team_id, track.site_id, output)


def agent_outputs_for(
    topics: Topics, labeller: AgentLabeller, agent_id: str, team_id: str | None, site_id: str | None, output: object
) -> list[Send]:
    if not labeller.per_agent_allowed:
        return []
    key = labeller.agent_key(agent_id)
    team, site = team_id or "unassigned", site_id or "unassigned"
    if isinstance(output, BreakRuleBreached):
        record = BreakViolation(
            violation_id=violation_id(labeller, agent_id, output.rule, output.at_seconds),
            agent_key=key,
            team_id=team,
            site_id=site,
            rule=output.rule,
            basis=output.basis,
            breached_at=utc(output.at_seconds),
            detail=output.detail,
        )
        return [Send(topics.break_violations, key.encode(), _json(record))]
    if isinstance(output, StressBandChanged) and output.band == "high":
        return [
            alert(
                topics.alerts,
                labeller,
                "stress_high",
                key,
                team,
                site,
                output.at_seconds,
                f"stress load {output.score:.0f}/100 (high): suggest a recovery break",
            )
        ]
    return []


def alert(
    topic: str,
    labeller: AgentLabeller,
    kind: str,
    scope_id: str,
    team_id: str,
    site_id: str,
    at_seconds: float,
    summary: str,
    bases: tuple[str, ...] = (),
) -> Send:
    """`scope_id` is a team id or an agent's published label; the alert id is keyed either way."""
    record = Alert(
        bases=list(bases),
        alert_id=labeller.derived_id("alert", kind, scope_id, f"{at_seconds:.3f}"),
        kind=kind,
        scope_id=scope_id,
        team_id=team_id,
        site_id=site_id,
        raised_at=utc(at_seconds),
        summary=summary,
    )
    return Send(topic, scope_id.encode(), _json(record))


def team_load(
    topic: str,
    scope: str,
    scope_id: str,
    site_id: str,
    as_of_seconds: float,
    group: GroupFigures,
    bands: dict[str, int],
    supply: TeamSupply | None = None,
) -> Send:
    shift = group.shift
    record = TeamLoad(
        scope=scope,
        scope_id=scope_id,
        site_id=site_id,
        as_of=utc(as_of_seconds),
        agents_staffed=group.agents_staffed,
        agents_by_state=group.agents_by_state,
        handle_seconds=shift.handle_seconds,
        available_seconds=shift.available_seconds,
        occupancy_ratio=shift.occupancy_ratio,
        live_occupancy_ratio=group.live_floor_occupancy_ratio,
        break_compliance_ratio=group.break_compliance_ratio,
        agents_by_stress_band=bands,
        break_compliance_by_basis=group.break_compliance_ratio_by_basis,
        agents_serving_by_queue=supply.agents_serving_by_queue if supply is not None else {},
        agents_movable_by_skill=supply.agents_movable_by_skill if supply is not None else {},
    )
    return Send(topic, scope_id.encode(), _json(record))


def queue_load(topic: str, figures: QueueFigures) -> Send:
    window, staffing = figures.window, figures.staffing
    record = QueueLoad(
        queue_id=figures.queue_id,
        as_of=utc(figures.as_of_seconds),
        contacts_waiting=figures.contacts_waiting,
        longest_wait_seconds=figures.longest_wait_seconds,
        service_level_ratio=window.service_level_ratio,
        abandon_ratio=window.abandon_rate_ratio,
        short_abandoned_contacts=window.short_abandoned,
        average_handle_seconds=window.average_handle_seconds,
        skill=staffing.skill,
        service_level_target_ratio=staffing.target_service_level_ratio,
        service_level_target_seconds=staffing.target_threshold_seconds,
        agents_needed=staffing.agents_needed,
        staffing_model=staffing.model,
        offered_load_erlangs=staffing.offered_load_erlangs,
        patience_seconds=staffing.patience_seconds,
    )
    return Send(topic, figures.queue_id.encode(), _json(record))
