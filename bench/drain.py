"""Watching a consumer group work through a pre-filled topic: progress, time and CPU.

Progress is the group's committed offsets, read from the broker, so the process being
measured serves no extra requests; its CPU time comes from /proc at every poll.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from bench.processes import Subject

STEADY_FROM_RATIO = 0.05  # rates are taken from 5 % done to the end: start-up and the first fetch are not throughput
STALL_SECONDS = 45.0  # no committed progress for this long, with input left: the subject is stuck


@dataclass(frozen=True)
class Poll:
    seconds: float  # monotonic
    done: int  # committed input offsets summed over partitions
    cpu_seconds: float  # summed over the subjects


@dataclass(frozen=True)
class Drained:
    events: int
    wall_seconds: float  # steady window, see STEADY_FROM_RATIO
    cpu_seconds: float
    events_per_second: float
    events_per_cpu_second: float
    total_seconds: float  # from the subjects' start to the last input committed (start-up included)
    polls: int
    stalled: str | None = None  # why the wait ended before all input was committed, if it did

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def committed_total(admin: KafkaAdminClient, group: str, topics: Sequence[str]) -> int:
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
    except KafkaError:  # the group (or the offsets topic) does not exist yet: nothing committed
        return 0
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic in topics and meta.offset >= 0)


def wait_drained(
    bootstrap: str,
    group: str,
    topics: Sequence[str],
    expected: int,
    subjects: Sequence[Subject],
    started_seconds: float,
    timeout_seconds: float,
    poll_seconds: float = 0.2,
) -> Drained:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="floorwatch-bench-drain")
    polls: list[Poll] = []
    try:
        deadline = time.monotonic() + timeout_seconds
        while True:
            for subject in subjects:
                if not subject.alive():
                    raise RuntimeError(f"{subject.command} died:\n{subject.log_tail()}")
            done = committed_total(admin, group, topics)
            polls.append(Poll(time.monotonic(), done, sum(s.proc().cpu_seconds for s in subjects)))
            if done >= expected:
                break
            stuck_since = next((p.seconds for p in polls if p.done == done), polls[-1].seconds)
            if done > 0 and polls[-1].seconds - stuck_since > STALL_SECONDS:
                return summarise(
                    polls,
                    expected,
                    started_seconds,
                    stalled=(f"no progress for {STALL_SECONDS:.0f} s at {done} of {expected} input events committed"),
                )
            if time.monotonic() > deadline:
                return summarise(
                    polls,
                    expected,
                    started_seconds,
                    stalled=(f"committed {done} of {expected} input events in {timeout_seconds:.0f} s"),
                )
            time.sleep(poll_seconds)
    finally:
        admin.close()
    return summarise(polls, expected, started_seconds)


def summarise(polls: list[Poll], expected: int, started_seconds: float, stalled: str | None = None) -> Drained:
    """Rate over the steady window; for a stalled run, up to the last poll that made progress."""
    if stalled:
        polls = [p for p in polls if p.done < polls[-1].done] + [next(p for p in polls if p.done == polls[-1].done)]
    first = next((p for p in polls if p.done >= STEADY_FROM_RATIO * expected), polls[0])
    last = polls[-1]
    if last is first:  # everything done within one poll: the rate is only bounded
        first = polls[0]
    events = last.done - first.done
    wall, cpu = last.seconds - first.seconds, last.cpu_seconds - first.cpu_seconds
    return Drained(
        events,
        wall,
        cpu,
        events / wall if wall > 0 else float("inf"),
        events / cpu if cpu > 0 else float("inf"),
        last.seconds - started_seconds,
        len(polls),
        stalled,
    )
