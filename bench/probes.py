"""Probe agents: state changes whose arrival on /metrics can be seen, one probe per partition."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.pipeline import kafka_partition
from floorwatch.core.codec import decode, encode
from floorwatch.core.events import AgentStateChanged

PROBE_TEAM = "bench-probe"
PROBE_SITE = "bench"
# Never LOGGED_OUT (no series then) and never a handle state (would expect contact events).
PROBE_STATES = ("AVAILABLE", "MEETING", "TRAINING", "COACHING")
_PROBE_INFO = 'floorwatch_agent_info{agent="probe-'
_STATE = re.compile(r'state="([^"]*)"')


def probe_ids(partitions: int) -> list[str]:
    """One probe agent id per partition, so every partition's path is sampled."""
    chosen: dict[int, str] = {}
    n = 0
    while len(chosen) < partitions:
        agent_id = f"probe-{n:03d}"
        chosen.setdefault(kafka_partition(agent_id.encode(), partitions), agent_id)
        n += 1
    return [chosen[p] for p in sorted(chosen)]


def probe_event(agent_id: str, sequence: int, at: datetime | None = None) -> bytes:
    at = at or datetime.now(UTC)
    event = AgentStateChanged.model_validate(
        {
            "event_id": f"bench-{agent_id}-{sequence:06d}",
            "occurred_at": at.replace(microsecond=at.microsecond // 1000 * 1000),
            "source": "floorwatch-bench",
            "data": {
                "agent_id": agent_id,
                "state": probe_state(sequence),
                "team_id": PROBE_TEAM,
                "site_id": PROBE_SITE,
            },
        }
    )
    value = encode(event)
    decode(value)  # the worker must accept it as any other event
    return value


def probe_state(sequence: int) -> str:
    return PROBE_STATES[sequence % len(PROBE_STATES)]


def probe_states_in(metrics_text: str) -> dict[str, str]:
    """agent id -> state, for probe agents in a /metrics text (named labels)."""
    # str.find rather than a regex over every line: a 10,000-agent scrape is ~10 MB of text.
    states = {}
    at = metrics_text.find(_PROBE_INFO)
    while at >= 0:
        end = metrics_text.find("\n", at)
        line = metrics_text[at : end if end >= 0 else None]
        agent = line[len(_PROBE_INFO) - len("probe-") :].split('"', 1)[0]
        state = _STATE.search(line)
        if state is not None:
            states[agent] = state.group(1)
        at = metrics_text.find(_PROBE_INFO, at + 1)
    return states


@dataclass
class ProbeLog:
    """When each probe event was produced, and when a scrape first showed it (or a later one)."""

    produced: dict[str, list[float]] = field(default_factory=dict)  # agent -> production time per sequence
    visible: dict[tuple[str, int], float] = field(default_factory=dict)  # (agent, sequence) -> scrape end
    # (agent, sequence) -> start of the scrape before the one that showed it: not visible before then
    not_before: dict[tuple[str, int], float] = field(default_factory=dict)
    _previous_scrape_started: float = 0.0

    def sent(self, agent_id: str, at_seconds: float) -> int:
        times = self.produced.setdefault(agent_id, [])
        times.append(at_seconds)
        return len(times) - 1

    def scraped(self, started_seconds: float, ended_seconds: float, states: dict[str, str]) -> None:
        """A scrape showing state S for a probe shows its newest event with S produced before the scrape ended
        (consecutive events always differ in state), and so every earlier one."""
        for agent_id, state in states.items():
            times = self.produced.get(agent_id, [])
            shown = next(
                (n for n in range(len(times) - 1, -1, -1) if probe_state(n) == state and times[n] < ended_seconds), None
            )
            if shown is None:
                continue
            for n in range(shown + 1):
                if (agent_id, n) not in self.visible:
                    self.visible[agent_id, n] = ended_seconds
                    self.not_before[agent_id, n] = self._previous_scrape_started
        self._previous_scrape_started = started_seconds

    def latencies(self, from_seconds: float, to_seconds: float) -> tuple[list[float], list[float], int]:
        """Upper and lower bounds of the latencies of probes produced in [from, to), and how many were never seen."""
        upper, lower, missing = [], [], 0
        for agent_id, times in self.produced.items():
            for n, at in enumerate(times):
                if from_seconds <= at < to_seconds:
                    if (agent_id, n) in self.visible:
                        upper.append(self.visible[agent_id, n] - at)
                        lower.append(max(0.0, self.not_before[agent_id, n] - at))
                    else:
                        missing += 1
        return sorted(upper), sorted(lower), missing


def percentile(sorted_values: list[float], ratio: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(ratio * (len(sorted_values) - 1))))
    return sorted_values[index]
