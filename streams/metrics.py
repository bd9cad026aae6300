"""Prometheus metrics of one worker (names, units and labels: README "Metrics").

Figures come from a `FloorSnapshot` the worker's clock replaces every tick; the
collector yields only what that snapshot holds, so when partitions move to another
worker their series disappear here at the next tick and appear there: no stale series,
and since an agent, team or queue lives on one partition, nothing is counted twice.
Pipeline health is ordinary counters and histograms, per process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from floorwatch.core.agent import AgentFigures
from floorwatch.core.queue import QueueFigures
from floorwatch.streams.group_step import TeamView
from floorwatch.streams.privacy import AgentLabeller

WINDOWS = ((900.0, "15m"), (3600.0, "60m"))


def _gauge(name: str, documentation: str, labels: list[str], rows) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for label_values, value in rows:
        family.add_metric([str(v) for v in label_values], float(value))
    return family


# Builds one family from its name, help, label names and (label values, value) rows: a metric
# family for prometheus-client, or (exposition.gauge_lines) its sample lines written directly.
FamilyOf = Callable[[str, str, list[str], Any], Any]


@dataclass(frozen=True)
class FloorSnapshot:
    taken_at_seconds: float
    agents: tuple[AgentFigures, ...] = ()
    teams: tuple[TeamView, ...] = ()
    queues: tuple[QueueFigures, ...] = ()
    last_event_by_site: dict[str, float] = field(default_factory=dict)


class FloorCollector(Collector):
    def __init__(self, labeller: AgentLabeller):
        self.labeller = labeller
        self.snapshot: FloorSnapshot | None = None  # replaced whole by the clock, read whole by scrapes

    def collect(self) -> Iterator[Metric]:
        snapshot = self.snapshot
        if snapshot is None:
            return
        yield head_family(snapshot)
        yield from self.team_families(self.publishable_teams(snapshot.teams))
        yield from self.queue_families(snapshot.queues)
        if self.labeller.per_agent_allowed:
            yield from self.agent_families(snapshot.agents)
        yield site_family(snapshot)

    def publishable_teams(self, teams: tuple[TeamView, ...]) -> list[TeamView]:
        return [t for t in teams if self.labeller.group_publishable(t.group.agents_staffed)]

    def team_families(self, teams: list[TeamView], gauge: FamilyOf = _gauge) -> Iterator[Any]:
        labels = ["team", "site"]
        rows = lambda pick: [([t.team_id, t.site_id], pick(t)) for t in teams]  # noqa: E731
        present = lambda pick: [(row, v) for row, v in rows(pick) if v is not None]  # noqa: E731
        yield gauge(
            "floorwatch_team_agents_staffed", "Agents logged in now.", labels, rows(lambda t: t.group.agents_staffed)
        )
        yield gauge(
            "floorwatch_team_agents",
            "Agents by current state.",
            labels + ["state"],
            [([t.team_id, t.site_id, state], n) for t in teams for state, n in sorted(t.group.agents_by_state.items())],
        )
        yield gauge(
            "floorwatch_team_handle_seconds",
            "Shift-to-date handle seconds, summed over members.",
            labels,
            rows(lambda t: t.group.shift.handle_seconds),
        )
        yield gauge(
            "floorwatch_team_available_seconds",
            "Shift-to-date available seconds, summed over members.",
            labels,
            rows(lambda t: t.group.shift.available_seconds),
        )
        yield gauge(
            "floorwatch_team_aux_seconds",
            "Shift-to-date auxiliary seconds, summed over members.",
            labels,
            rows(lambda t: t.group.shift.aux_seconds),
        )
        occupancy = [([t.team_id, t.site_id, "shift"], t.group.shift.occupancy_ratio) for t in teams]
        window_handle, window_available = [], []
        for seconds, name in WINDOWS:
            for t in teams:
                figures = next(w.figures for w in t.group.windows if w.window_seconds == seconds)
                occupancy.append(([t.team_id, t.site_id, name], figures.occupancy_ratio))
                window_handle.append(([t.team_id, t.site_id, name], figures.handle_seconds))
                window_available.append(([t.team_id, t.site_id, name], figures.available_seconds))
        yield gauge(
            "floorwatch_team_occupancy_ratio",
            "Handle / (handle + available) seconds, time-weighted over members, per window (15m, 60m, shift).",
            labels + ["window"],
            [(row, v) for row, v in occupancy if v is not None],
        )
        yield gauge(
            "floorwatch_team_window_handle_seconds",
            "Handle seconds within the sliding window.",
            labels + ["window"],
            window_handle,
        )
        yield gauge(
            "floorwatch_team_window_available_seconds",
            "Available seconds within the sliding window.",
            labels + ["window"],
            window_available,
        )
        yield gauge(
            "floorwatch_team_live_occupancy_ratio",
            "Of agents staffed and not in auxiliary states now, the fraction handling.",
            labels,
            present(lambda t: t.group.live_floor_occupancy_ratio),
        )
        yield gauge(
            "floorwatch_team_agents_by_stress_band",
            "Staffed agents per stress band (normal, elevated, high).",
            labels + ["band"],
            [([t.team_id, t.site_id, band], n) for t in teams for band, n in sorted(t.agents_by_stress_band.items())],
        )
        yield gauge(
            "floorwatch_team_agents_on_shift",
            "Agents on shift for break rules.",
            labels,
            rows(lambda t: t.group.agents_on_shift),
        )
        yield gauge(
            "floorwatch_team_agents_break_overdue",
            "Agents on shift with a break overdue.",
            labels,
            rows(lambda t: t.group.agents_break_overdue),
        )
        yield gauge(
            "floorwatch_team_agents_break_overdue_by_basis",
            "Agents on shift with a break overdue under a rule of this basis (statute, guidance, house_policy).",
            labels + ["basis"],
            [
                ([t.team_id, t.site_id, basis], n)
                for t in teams
                for basis, n in sorted(t.group.agents_break_overdue_by_basis.items())
            ],
        )
        yield gauge(
            "floorwatch_team_break_compliance_ratio",
            "Agents on shift with no break overdue / agents on shift.",
            labels,
            present(lambda t: t.group.break_compliance_ratio),
        )
        yield gauge(
            "floorwatch_team_break_compliance_by_basis_ratio",
            "Agents on shift with no break overdue under a rule of this basis (statute, guidance, "
            "house_policy) / agents on shift.",
            labels + ["basis"],
            [
                ([t.team_id, t.site_id, basis], ratio)
                for t in teams
                for basis, ratio in sorted(t.group.break_compliance_ratio_by_basis.items())
                if ratio is not None
            ],
        )
        violations = []
        for t in teams:
            by_rule: dict[tuple[str, str], int] = {}
            for member in t.members:
                for breach in member.breaks.violations:
                    by_rule[breach.rule, breach.basis] = by_rule.get((breach.rule, breach.basis), 0) + 1
            violations += [([t.team_id, t.site_id, rule, basis], n) for (rule, basis), n in sorted(by_rule.items())]
        yield gauge(
            "floorwatch_team_break_violations",
            "Break-rule violations of the members' current shifts, by rule and its basis.",
            labels + ["rule", "basis"],
            violations,
        )
        # Which queues a team's staffed agents serve and what they are doing: break coverage
        # (rest breaks while the queues they serve have contacts waiting) needs the join.
        yield gauge(
            "floorwatch_team_queue_agents",
            "Staffed members serving the queue, by current state (an agent serving several queues counts in each).",
            labels + ["queue", "state"],
            [row for t in teams for row in _queue_states(t)],
        )
        yield gauge(
            "floorwatch_team_skill_agents_movable",
            "Members available now with the skill, no rest break due within the advice horizon and stress not "
            "high: who the team could lend to a short-staffed queue.",
            labels + ["skill"],
            [([t.team_id, t.site_id, k], n) for t in teams for k, n in t.supply.agents_movable_by_skill.items()],
        )

    def queue_families(self, queues: tuple[QueueFigures, ...], gauge: FamilyOf = _gauge) -> Iterator[Any]:
        rows = lambda pick: [([q.queue_id], pick(q)) for q in queues if pick(q) is not None]  # noqa: E731
        yield gauge(
            "floorwatch_queue_contacts_waiting",
            "Contacts waiting in the queue now.",
            ["queue"],
            rows(lambda q: q.contacts_waiting),
        )
        yield gauge(
            "floorwatch_queue_longest_wait_seconds",
            "Longest current wait in the queue.",
            ["queue"],
            rows(lambda q: q.longest_wait_seconds),
        )
        yield gauge(
            "floorwatch_queue_service_level_ratio",
            "Share answered within the threshold over the window (30 min).",
            ["queue"],
            rows(lambda q: q.window.service_level_ratio),
        )
        yield gauge(
            "floorwatch_queue_abandon_ratio",
            "Share of contacts abandoned over the window.",
            ["queue"],
            rows(lambda q: q.window.abandon_rate_ratio),
        )
        yield gauge(
            "floorwatch_queue_short_abandoned_contacts",
            "Callers who hung up within the short-abandon time (5 s) over the window: in no rate.",
            ["queue"],
            rows(lambda q: q.window.short_abandoned),
        )
        yield gauge(
            "floorwatch_queue_average_handle_seconds",
            "Average handle time (talk, hold, wrap-up) over the window.",
            ["queue"],
            rows(lambda q: q.window.average_handle_seconds),
        )
        yield gauge(
            "floorwatch_queue_offered_contacts",
            "Contacts offered over the window.",
            ["queue"],
            rows(lambda q: q.window.counts.offered),
        )
        yield from _staffing(queues, gauge)

    def agent_families(self, agents: tuple[AgentFigures, ...]) -> Iterator[Metric]:
        key = self.labeller.agent_key
        info, occupancy, stress, due, overdue, required, latest = [], [], [], [], [], [], []
        for a in agents:
            if a.state in (None, "LOGGED_OUT"):
                continue  # off shift: no per-agent series at all
            agent = key(a.agent_id)
            team, site = a.team_id or "unassigned", a.site_id or "unassigned"
            info.append(([agent, team, site, a.state], 1))
            if a.occupancy.shift.occupancy_ratio is not None:
                occupancy.append(([agent, team, site, "shift"], a.occupancy.shift.occupancy_ratio))
            for seconds, name in WINDOWS:
                value = a.occupancy.window(seconds).figures.occupancy_ratio
                if value is not None:
                    occupancy.append(([agent, team, site, name], value))
            stress.append(([agent, team, site], a.stress.score))
            if a.breaks.break_due_in_seconds is not None:
                due.append(([agent, team, site], a.as_of_seconds + a.breaks.break_due_in_seconds))
            overdue.append(([agent, team, site], 1.0 if a.breaks.overdue else 0.0))
            for need in a.breaks.required:
                required.append(([agent, team, site, need.rule, need.basis], need.missing))
                if need.latest_start_seconds is not None:
                    latest.append(([agent, team, site, need.rule, need.basis], need.latest_start_seconds))
        labels = ["agent", "team", "site"]
        yield _gauge(
            "floorwatch_agent_info",
            "One per staffed agent, with its team, site and current state.",
            labels + ["state"],
            info,
        )
        yield _gauge(
            "floorwatch_agent_occupancy_ratio",
            "The agent's occupancy per window (15m, 60m, shift).",
            labels + ["window"],
            occupancy,
        )
        yield _gauge(
            "floorwatch_agent_stress_score", "Stress load index, 0-100 (bands: <40, 40-70, >=70).", labels, stress
        )
        yield _gauge(
            "floorwatch_agent_break_due_timestamp_seconds",
            "When the agent's next rest break is due (Unix time).",
            labels,
            due,
        )
        yield _gauge("floorwatch_agent_break_overdue", "1 when a rest break is overdue.", labels, overdue)
        yield _gauge(
            "floorwatch_agent_breaks_required",
            "Breaks the working day already calls for and not yet taken, by rule and basis.",
            labels + ["rule", "basis"],
            required,
        )
        yield _gauge(
            "floorwatch_agent_break_latest_start_timestamp_seconds",
            "The latest start of a required break that still satisfies its rule (Unix time).",
            labels + ["rule", "basis"],
            latest,
        )


def head_family(snapshot: FloorSnapshot) -> GaugeMetricFamily:
    return _gauge(
        "floorwatch_snapshot_timestamp_seconds",
        "When these figures were last computed (Unix time).",
        [],
        [([], snapshot.taken_at_seconds)],
    )


def site_family(snapshot: FloorSnapshot) -> GaugeMetricFamily:
    return _gauge(
        "floorwatch_site_last_event_timestamp_seconds",
        "Newest event time seen from the site's agents on this worker (max across workers).",
        ["site"],
        [([site], seconds) for site, seconds in sorted(snapshot.last_event_by_site.items())],
    )


def _staffing(queues: tuple[QueueFigures, ...], gauge: FamilyOf) -> Iterator[Any]:
    """Agents each queue needs now (docs/staffing.md); the queue's skill and target ride as labels
    so alert annotations and panels can say "for 80% in 20 s" and find teams of the same skill."""
    advised = [q for q in queues if q.staffing.agents_needed is not None]
    yield gauge(
        "floorwatch_queue_agents_needed",
        "Agents the queue needs now to meet its service-level target (Erlang C, or Erlang A when callers abandon).",
        ["queue", "skill", "model", "target"],
        [
            ([q.queue_id, q.staffing.skill, q.staffing.model, q.staffing.target_label], q.staffing.agents_needed)
            for q in advised
        ],
    )
    yield gauge(
        "floorwatch_queue_offered_load_erlangs",
        "Recent arrival rate times average handle time: agents kept busy by the queue's demand.",
        ["queue"],
        [([q.queue_id], q.staffing.offered_load_erlangs) for q in advised],
    )
    yield gauge(
        "floorwatch_queue_patience_seconds",
        "Mean patience of waiting callers, estimated from abandons (only when Erlang A is used).",
        ["queue"],
        [([q.queue_id], q.staffing.patience_seconds) for q in advised if q.staffing.patience_seconds is not None],
    )
    yield gauge(
        "floorwatch_queue_service_level_target_ratio",
        "The queue's service-level target (share answered within its threshold).",
        ["queue", "threshold_seconds"],
        [
            ([q.queue_id, f"{q.staffing.target_threshold_seconds:g}"], q.staffing.target_service_level_ratio)
            for q in queues
        ],
    )


def _queue_states(team: TeamView) -> list[tuple[list[str], int]]:
    counts: dict[tuple[str, str], int] = {}
    for member in team.members:
        if member.state in (None, "LOGGED_OUT"):
            continue
        for queue in member.queues:
            counts[queue, member.state] = counts.get((queue, member.state), 0) + 1
    return [([team.team_id, team.site_id, queue, state], n) for (queue, state), n in sorted(counts.items())]


@dataclass(frozen=True)
class PipelineMetrics:
    """Counters and histograms of the worker process itself."""

    events_in: Counter
    dead_lettered: Counter
    verdicts: Counter
    queue_verdicts: Counter
    outputs: Counter
    batch_seconds: Histogram
    event_delay_seconds: Histogram
    consumer_lag: Gauge
    partitions: Gauge
    applied_offset: Gauge
    offset_gaps: Counter

    @classmethod
    def register(cls, registry: CollectorRegistry) -> PipelineMetrics:
        return cls(
            events_in=Counter("floorwatch_events_in", "Input events decoded, by type.", ["type"], registry=registry),
            dead_lettered=Counter(
                "floorwatch_events_dead_lettered",
                "Input sent to the dead-letter topic, by reason.",
                ["reason"],
                registry=registry,
            ),
            verdicts=Counter(
                "floorwatch_events_verdict",
                "Agent events by outcome: accepted, duplicate, late, redelivered.",
                ["verdict"],
                registry=registry,
            ),
            queue_verdicts=Counter(
                "floorwatch_queue_events_verdict",
                "Queue-side events by outcome: accepted, duplicate, ignored, handled.",
                ["verdict"],
                registry=registry,
            ),
            outputs=Counter(
                "floorwatch_output_records", "Records published, by output topic.", ["topic"], registry=registry
            ),
            batch_seconds=Histogram(
                "floorwatch_batch_duration_seconds",
                "Time to process one batch of input.",
                registry=registry,
                buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            ),
            event_delay_seconds=Histogram(
                "floorwatch_event_processing_delay_seconds",
                "From an event's occurred_at to its processing (includes producer clock skew).",
                registry=registry,
                buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            ),
            consumer_lag=Gauge(
                "floorwatch_consumer_lag_messages",
                "Messages behind the partition's end, per input partition.",
                ["topic", "partition"],
                registry=registry,
            ),
            partitions=Gauge(
                "floorwatch_worker_partitions", "Input partitions this worker owns.", ["topic"], registry=registry
            ),
            applied_offset=Gauge(
                "floorwatch_input_applied_offset",
                "Newest input offset whose effects are stored, per owned input partition (-1: none yet).",
                ["topic", "partition"],
                registry=registry,
            ),
            offset_gaps=Counter(
                "floorwatch_input_offset_gaps",
                "Gaps in an input partition's offsets, by kind: skipped (the consumer jumped over records; "
                "the worker went back for them), absent (compaction or transaction markers), expired "
                "(deleted by retention before they were applied), refetched (records fetched ahead of a "
                "going-back, dropped), stuck (input waited on a partition that did not move; sought again).",
                ["topic", "kind"],
                registry=registry,
            ),
        )
