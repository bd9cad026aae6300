"""Decoding and encoding canonical events, with errors a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import TypeAdapter, ValidationError

from floorwatch.core.events import EVENT_TYPES, Event
from floorwatch.core.fast_decode import fast_event

_EVENT = TypeAdapter(Event)


class InvalidEvent(ValueError):
    """An event that cannot be used; `reason` says which field and why, `kind` what is wrong:
    malformed (not JSON), invalid (not the schema), out_of_bounds (ids or times outside the
    input bounds), oversized (larger than an event can be)."""

    def __init__(self, reason: str, kind: str = "invalid"):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


@dataclass(frozen=True, slots=True)
class InputBounds:
    """What input is accepted at all (docs/events.md, "Input bounds"); the same for the live
    workers and the replay."""

    max_event_bytes: int = 65_536
    earliest_event_seconds: float = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
    max_ahead_seconds: float = 300.0  # of the moment the event reached Kafka (or the replay ran)


DEFAULT_BOUNDS = InputBounds()
_BOUND_ERRORS = frozenset({"string_pattern_mismatch", "string_too_long"})


def decode(raw: bytes | str, received_at_seconds: float | None = None, bounds: InputBounds = DEFAULT_BOUNDS) -> Event:
    """Parse and validate one JSON event, or raise InvalidEvent naming the field at fault.

    `received_at_seconds`: when the event reached us (its Kafka record time); an event dated
    more than `bounds.max_ahead_seconds` after it is refused. None skips that check."""
    if len(raw) > bounds.max_event_bytes:
        raise InvalidEvent(f"event is {len(raw)} bytes; the limit is {bounds.max_event_bytes}", "oversized")
    event = fast_event(raw)  # msgspec, for the common event; None sends the line to the reference
    if event is None:
        event = validate(raw)
    return _within(event, received_at_seconds, bounds)


def validate(raw: bytes | str) -> Event:
    """The reference: pydantic's validation of the event models, with its reasons."""
    try:
        return _EVENT.validate_json(raw)
    except ValidationError as exc:
        raise InvalidEvent(_explain(exc), _kind(exc)) from None


def _within(event: Event, received_at_seconds: float | None, bounds: InputBounds) -> Event:
    seconds = event.occurred_at.timestamp()
    if seconds < bounds.earliest_event_seconds:
        raise InvalidEvent(
            f"occurred_at {event.occurred_at.isoformat()} is before 2000: a clock fault", "out_of_bounds"
        )
    if received_at_seconds is not None and seconds > received_at_seconds + bounds.max_ahead_seconds:
        raise InvalidEvent(
            f"occurred_at is {seconds - received_at_seconds:.0f} s after the event reached Kafka; at most "
            f"{bounds.max_ahead_seconds:.0f} s is accepted (check the producer's clock)",
            "out_of_bounds",
        )
    return event


def _kind(exc: ValidationError) -> str:
    types = {error["type"] for error in exc.errors(include_url=False)}
    if "json_invalid" in types:
        return "malformed"
    return "out_of_bounds" if types <= _BOUND_ERRORS else "invalid"


def encode(event: Event) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()


def _explain(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False)[:5]:
        # The discriminator puts the event type first in the location; keep it, it helps.
        where = ".".join(str(part) for part in error["loc"]) or "(event)"
        if error["type"] == "union_tag_invalid":
            known = ", ".join(sorted(EVENT_TYPES))
            problems.append(f"type: unknown event type {error['input'].get('type')!r}; known types: {known}")
        elif error["type"] == "union_tag_not_found":
            problems.append("type: missing; every event needs a 'type' such as 'agent.state_changed'")
        elif error["type"] == "json_invalid":
            problems.append(f"not valid JSON: {error['msg']}")
        else:
            problems.append(f"{where}: {error['msg']}")
    more = len(exc.errors()) - len(problems)
    if more > 0:
        problems.append(f"... and {more} more problem(s)")
    return "; ".join(problems)
