"""The plain-text summary `floorwatch simulate` prints: team aggregates only, never per agent."""

from __future__ import annotations

from floorwatch.services.simulator.stats import ShiftStats, TeamStats

_HEADER = (
    f"{'team':<24} {'agents':>6} {'offered':>8} {'answered':>8} {'abandon':>8} "
    f"{'SL 20s':>7} {'AHT s':>6} {'occupancy':>9}"
)


def format_summary(stats: ShiftStats, elapsed_seconds: float, interrupted: bool = False) -> str:
    rate = stats.events / elapsed_seconds if elapsed_seconds > 0 else 0.0
    status = "stopped (Ctrl-C) after" if interrupted else "wrote"
    lines = [f"{status} {stats.events:,} events in {elapsed_seconds:.1f} s ({rate:,.0f} events/s)", _HEADER]
    lines += [_row(team) for team in stats.teams]
    if len(stats.teams) > 1:
        lines.append(_row(stats.total()))
    return "\n".join(lines)


def _row(team: TeamStats) -> str:
    return (
        f"{team.team_id:<24} {team.agents:>6} {team.offered:>8} {team.answered:>8} {team.abandon_ratio:>8.1%} "
        f"{team.service_level_ratio:>7.1%} {team.mean_handle_seconds:>6.0f} {team.occupancy_ratio:>9.1%}"
    )
