"""Decoding and encoding canonical events, with errors a person can act on."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from floorwatch.core.events import EVENT_TYPES, Event

_EVENT = TypeAdapter(Event)


class InvalidEvent(ValueError):
    """An event that does not match its schema; `reason` says which field and why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def decode(raw: bytes | str) -> Event:
    """Parse and validate one JSON event, or raise InvalidEvent naming the field at fault."""
    try:
        return _EVENT.validate_json(raw)
    except ValidationError as exc:
        raise InvalidEvent(_explain(exc)) from None


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
