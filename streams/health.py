"""What /health answers, judged from what the worker last saw (docs/architecture.md, "Health").

Healthy means figures are moving: recovery is over, the last tick is recent, Kafka answered
lately, and input that waits is being applied. Every reason it is not is named in the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HealthLimits:
    tick_seconds: float
    broker_silent_seconds: float = 15.0  # no answer from Kafka for this long: unreachable
    stalled_seconds: float = 30.0  # input waiting and nothing applied for this long: stalled

    @property
    def tick_late_seconds(self) -> float:
        return 3 * self.tick_seconds + 10.0


@dataclass
class Progress:
    """Monotonic instants the event loop records; read by /health and the stall watchdog."""

    started_at: float
    recovered: bool = False
    last_tick_at: float | None = None
    last_applied_at: float | None = None  # last batch that moved an input position
    broker_seen_at: float | None = None
    input_waiting_since: float | None = None  # None: caught up (no owned partition behind its end)
    behind_messages: dict[str, int] = field(default_factory=dict)  # "topic[partition]" -> messages


def problems(progress: Progress, limits: HealthLimits, now: float, rebalancing: bool) -> list[str]:
    found = []
    if rebalancing or not progress.recovered:
        found.append("starting: partitions are being assigned or tables recovered")
    broker_seen = progress.broker_seen_at if progress.broker_seen_at is not None else progress.started_at
    if now - broker_seen > limits.broker_silent_seconds:
        found.append(f"Kafka has not answered for {now - broker_seen:.0f} s (check the brokers and the network)")
    if (
        progress.recovered
        and progress.last_tick_at is not None
        and now - progress.last_tick_at > limits.tick_late_seconds
    ):
        found.append(f"figures are stale: the last tick ran {now - progress.last_tick_at:.0f} s ago")
    stalled = stalled_seconds(progress, now)
    if stalled > limits.stalled_seconds:
        behind = sum(progress.behind_messages.values())
        found.append(f"no input applied for {stalled:.0f} s while {behind} messages wait")
    return found


def stalled_seconds(progress: Progress, now: float) -> float:
    """How long input has waited with nothing applied; 0 when caught up."""
    if progress.input_waiting_since is None:
        return 0.0
    since = max(progress.input_waiting_since, progress.last_applied_at or progress.input_waiting_since)
    return now - since
