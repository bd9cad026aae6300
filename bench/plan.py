"""What one benchmark run measures, and how much of it (full or --quick)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    throughput_agents: int = 1000
    throughput_events: int = 60_000
    shift_sample_agents: int = 200  # a whole 8-hour shift: events per agent-hour, end-of-shift state
    latency_agents: int = 10_000
    warm_events: int = 60_000  # schedules and logins of every agent, then the first contacts
    phase_seconds: float = 60.0
    rate_factors: tuple[float, ...] = (1.0, 5.0)
    probe_interval_seconds: float = 0.25
    tick_seconds: float | None = None  # None: the worker's default settings
    late_shift_hours: float = 6.0  # tracks folded in-process before the late-shift phases (0: skipped)
    profile_events: int = 20_000
    partitions: int = 6
    seed: int = 7
    scale_agents: int = 50_000  # section 8: two workers, a second one joining
    scale_events: int = 150_000  # every agent's schedule and login, then the first contacts

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            throughput_events=20_000,
            shift_sample_agents=100,
            warm_events=25_000,
            phase_seconds=20.0,
            profile_events=8_000,
            scale_agents=20_000,
            scale_events=50_000,
            late_shift_hours=2.0,
        )
