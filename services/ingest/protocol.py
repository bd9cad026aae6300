"""The small contract every source adapter keeps.

A reader turns a file into `RawRecord`s (a position a person can find, and the
parsed payload or the reason it could not be parsed). An adapter turns each
payload into a `Translation`: the canonical events it implies, or why the
record was skipped, kept out of the maths, or named a state the mapping table
does not know. Adapters never raise on bad input and never do I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from floorwatch.core.events import Event

InputFormat = Literal["lines", "json", "csv"]


@dataclass(frozen=True)
class RawRecord:
    """One record as read: `payload` is a str (lines), dict (json, csv) or None when unreadable."""

    position: str
    payload: Any = None
    error: str | None = None


@dataclass(frozen=True)
class Translation:
    events: tuple[Event, ...] = ()
    skipped: str | None = None  # malformed or unusable: the reason, reported with the position
    ignored: str | None = None  # well-formed but kept out of the maths: a category to count
    unmapped: tuple[str, ...] = ()  # platform states or reason codes with no mapping entry
    notes: tuple[str, ...] = ()  # decisions a person should know about (e.g. calls closed at a restart)


NOTHING = Translation()


def skip(reason: str) -> Translation:
    return Translation(skipped=reason)


def ignore(category: str) -> Translation:
    return Translation(ignored=category)


def combine(*parts: Translation) -> Translation:
    """Merge translations of one record (e.g. a contact event plus the state it implies)."""
    return Translation(
        events=tuple(event for part in parts for event in part.events),
        skipped=next((part.skipped for part in parts if part.skipped), None),
        ignored=next((part.ignored for part in parts if part.ignored), None),
        unmapped=tuple(state for part in parts for state in part.unmapped),
        notes=tuple(note for part in parts for note in part.notes),
    )


class Adapter(Protocol):
    """A source: `translate` each record in input order, then `finish` once at the end."""

    source: str
    input_format: InputFormat

    def translate(self, record: RawRecord) -> Translation: ...

    def finish(self) -> Translation: ...


def stable_event_id(source: str, *identity: object) -> str:
    """An id derived only from the record, so re-ingesting a file reproduces it exactly.

    Downstream de-duplication keys on event ids; a random id would turn every
    re-ingest into double counting.
    """
    text = "\x1f".join([source, *(str(part) for part in identity)])
    return f"{source}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"
