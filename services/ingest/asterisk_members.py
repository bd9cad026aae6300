"""What the Asterisk adapter keeps per member and per call, and the constants of queue_log it relies on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from floorwatch.core.events import AgentState
from floorwatch.services.ingest.asterisk_log import QueueLogEntry
from floorwatch.services.ingest.protocol import Translation

NO_REASON = "(none)"  # the pause_reasons key for a pause written without a reason
# What queue_log writes in the member field when no member is involved (compared case-insensitively).
PLACEHOLDER_MEMBERS = frozenset({"", "none", "no_server"})
UNUSED = frozenset({"RINGCANCELED", "AGENTDUMP", "SYSCOMPAT", "CONFIGRELOAD", "JOINEMPTY", "LEAVEEMPTY"})
HANGUP = {"COMPLETEAGENT": "agent_hangup", "COMPLETECALLER": "caller_hangup"}
TRANSFERS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
WAIT_FIELD = {"ABANDON": 2, "EXITEMPTY": 2, "EXITWITHTIMEOUT": 2, "EXITWITHKEY": 3}


@dataclass(frozen=True)
class MemberTrack:
    emitted: tuple[AgentState, str | None] | None = None  # the last state event sent, with its reason code
    last_at: datetime | None = None
    logged_in: bool = False
    queues: frozenset[str] = frozenset()
    paused_all: bool = False
    paused_queues: frozenset[str] = frozenset()
    pause_reason: str = ""
    calls: frozenset[str] = frozenset()
    unmapped: str | None = None  # the unmapped pause reason already reported for the current pause
    implied: bool = False  # logged in only because activity implied it: ends after a session gap of silence
    seen_at: datetime | None = None  # the member's last record

    @property
    def paused(self) -> bool:
        if self.paused_all:
            return True
        return bool(self.paused_queues) and (not self.queues or self.queues <= self.paused_queues)


@dataclass(frozen=True)
class Call:
    callid: str
    queue: str
    since: datetime
    agent: str = ""


@dataclass(frozen=True)
class Closed:
    """A call floorwatch ended without its end record (at a logoff, login or restart)."""

    agent: str
    at: datetime
    why: str


def end_after_close(entry: QueueLogEntry, closed: Closed) -> Translation:
    """The end record of a call already ended at a logoff, login or restart: it changes nothing.

    Treated as new activity, it would be a second end whose implied login made the member
    available until the next logoff, which might never come."""
    late = (entry.at - closed.at).total_seconds()
    note = (
        f"{entry.event} of call {entry.callid} ({closed.agent}) came {late:g} s after the call was ended at "
        f"{closed.why} ({closed.at.isoformat()}); the call stays ended there and the member's state is unchanged"
    )
    return Translation(notes=(note,))
