"""One ingest run: records in, canonical events to a sink, a report out.

A record that breaks an adapter in a way its own checks did not foresee is
reported with its position like any malformed record; the run goes on.
Every event is round-tripped through the codec before it leaves, so nothing
reaches a sink that floorwatch's consumers would reject.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from pydantic import ValidationError

from floorwatch.core.codec import InvalidEvent, decode, encode
from floorwatch.core.events import Event
from floorwatch.services.ingest.protocol import Adapter, RawRecord, Translation
from floorwatch.services.ingest.report import IngestReport
from floorwatch.services.ingest.roster import Roster


class Sink(Protocol):
    def send(self, event: Event) -> None: ...


def ingest(adapter: Adapter, records: Iterable[RawRecord], sink: Sink, roster: Roster) -> IngestReport:
    report = IngestReport(adapter.source)
    for record in records:
        report.records_read += 1
        if record.error is not None:
            report.skip(record.position, record.error)
            continue
        _deliver(report, record.position, _translate(adapter, record), sink, roster)
    _deliver(report, "end of input", _finish(adapter), sink, roster)
    return report


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


def _deliver(report: IngestReport, position: str, translation: Translation, sink: Sink, roster: Roster) -> None:
    valid = []
    for event in translation.events:
        try:
            decode(encode(event))
        except InvalidEvent as exc:
            report.skip(position, f"produced an event floorwatch would reject: {exc.reason}")
            continue
        valid.append(event)
    translation = Translation(
        tuple(valid), translation.skipped, translation.ignored, translation.unmapped, translation.notes
    )
    report.record(position, translation, roster)
    for event in translation.events:
        sink.send(event)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"
