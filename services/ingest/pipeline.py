"""One ingest run: records in, canonical events to a sink, a report out.

A record that breaks an adapter in a way its own checks did not foresee is
reported with its position like any malformed record; the run goes on.
Every event is round-tripped through the codec before it leaves, so nothing
reaches a sink that floorwatch's consumers would reject.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from pydantic import ValidationError

from floorwatch.core.codec import InvalidEvent, decode, encode
from floorwatch.core.events import Event
from floorwatch.services.ingest.protocol import Adapter, RawRecord, Translation
from floorwatch.services.ingest.report import IngestReport
from floorwatch.services.ingest.roster import Roster


class Sink(Protocol):
    def send(self, event: Event) -> None: ...


class Rejects(Protocol):
    def write(self, position: str, reason: str, record: Any) -> None: ...


def ingest(
    adapter: Adapter, records: Iterable[RawRecord], sink: Sink, roster: Roster, rejects: Rejects | None = None
) -> IngestReport:
    report = IngestReport(adapter.source)
    for record in records:
        report.records_read += 1
        if record.error is not None:
            _skip(report, rejects, record, record.error)
            continue
        _deliver(report, record, _translate(adapter, record), sink, roster, rejects)
    _deliver(report, RawRecord("end of input"), _finish(adapter), sink, roster, rejects)
    return report


def _skip(report: IngestReport, rejects: Rejects | None, record: RawRecord, reason: str) -> None:
    report.skip(record.position, reason)
    if rejects is not None:
        rejects.write(record.position, reason, record.payload)


def _translate(adapter: Adapter, record: RawRecord) -> Translation:
    try:
        return adapter.translate(record)
    except ValidationError as exc:
        return Translation(skipped=f"would produce an invalid event: {_first_error(exc)}")
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return Translation(skipped=f"unexpected record shape ({type(exc).__name__}: {exc})")


def _finish(adapter: Adapter) -> Translation:
    try:
        return adapter.finish()
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as exc:
        return Translation(notes=(f"could not close pending state at the end: {exc}",))


def _deliver(
    report: IngestReport,
    record: RawRecord,
    translation: Translation,
    sink: Sink,
    roster: Roster,
    rejects: Rejects | None,
) -> None:
    valid = []
    for event in translation.events:
        try:
            decode(encode(event))
        except InvalidEvent as exc:
            _skip(report, rejects, record, f"produced an event floorwatch would reject: {exc.reason}")
            continue
        valid.append(event)
    if translation.skipped:
        _skip(report, rejects, record, translation.skipped)
    translation = Translation(tuple(valid), None, translation.ignored, translation.unmapped, translation.notes)
    report.record(record.position, translation, roster)
    for event in translation.events:
        sink.send(event)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"
