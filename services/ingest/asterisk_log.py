"""Parsing Asterisk queue_log records, in the file form and the realtime-database form.

File form (docs.asterisk.org, "Queue Logs"): `epoch|callid|queue|agent|EVENT|data...`,
e.g. `1366720340|1366720340.303267|MYQUEUE|SIP/8007|RINGNOANSWER|1000`.
Database form (realtime `queue_log` table, as Wazo documents it): columns
`time, callid, queuename, agent, event, data1..data5` (older schemas: one `data`
column holding the parameters joined by `|`). The database writes local time
unless Asterisk is configured for UTC, so naive times need the PBX's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from floorwatch.services.ingest.emit import from_epoch


class EntryError(ValueError):
    """Why a queue_log record cannot be read."""


@dataclass(frozen=True)
class QueueLogEntry:
    at: datetime
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]
    identity: str  # the record's own content, so re-reading it reproduces the same event ids

    def field(self, index: int) -> str:
        return self.data[index].strip() if index < len(self.data) else ""

    def number(self, index: int, name: str) -> float:
        text = self.field(index)
        try:
            return float(text)
        except ValueError:
            raise EntryError(f"{self.event} {name} (parameter {index + 1}) is {text!r}, not a number") from None


def parse_file_line(line: str) -> QueueLogEntry:
    fields = line.strip().split("|")
    if len(fields) < 5:
        raise EntryError(f"expected epoch|callid|queue|agent|event|data..., got {len(fields)} field(s)")
    try:
        at = from_epoch(float(fields[0]))
    except (ValueError, OverflowError):
        raise EntryError(f"timestamp {fields[0]!r} is not a UNIX time") from None
    return _entry(at, fields[1], fields[2], fields[3], fields[4], fields[5:], line.strip())


def parse_db_row(row: Mapping[str, str], zone: tzinfo | None) -> QueueLogEntry:
    missing = [name for name in ("time", "callid", "queuename", "agent", "event") if name not in row]
    if missing:
        raise EntryError(
            f"missing column(s) {', '.join(missing)}; export time,callid,queuename,agent,event,data1..data5"
        )
    at = _db_time(row["time"], zone)
    if "data" in row and not any(name.startswith("data") and name != "data" for name in row):
        data = row["data"].split("|")
    else:
        data = [row.get(f"data{n}", "") for n in range(1, 6)]
    identity = row.get("id") or "|".join(
        [row["time"], row["callid"], row["queuename"], row["agent"], row["event"], *data]
    )
    return _entry(at, row["callid"], row["queuename"], row["agent"], row["event"], data, f"db:{identity}")


def _entry(
    at: datetime, callid: str, queue: str, agent: str, event: str, data: list[str], identity: str
) -> QueueLogEntry:
    while data and not data[-1].strip():
        data = data[:-1]  # the database form pads to five data columns; trailing blanks carry nothing
    event = event.strip().upper()
    if not event:
        raise EntryError("the event name is empty")
    return QueueLogEntry(at, callid.strip(), queue.strip(), agent.strip(), event, tuple(data), identity)


def _db_time(text: str, zone: tzinfo | None) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise EntryError(f"time {text!r} is not a date and time (expected e.g. 2012-07-03 15:27:23.896208)") from None
    if value.tzinfo is None:
        if zone is None:
            raise EntryError("time has no UTC offset and no --timezone was given (the PBX's zone, or UTC)")
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)
