"""Alert rules of docs/alerts.md, each with a severity, its team/site (or queue) labels and a runbook line.

Severities: `critical` pages someone (a team in the burnout zone, a floor that went dark),
`warning` tells the floor manager, who decides. `component` says who acts: `floor` alerts go
to floor managers, `pipeline` alerts to whoever runs floorwatch (deploy/alertmanager).
Descriptions carry context read at firing time (staffing, contacts waiting), because an
alert without context is noise.
"""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.dashboards import promql as q
from floorwatch.dashboards.thresholds import WORKER_JOB_SELECTOR, AlertTimings, Thresholds

RUNBOOK = "docs/runbook.md"

# A value read at firing time for a team's labels; renders nothing when the query is empty.
_TEAM_CONTEXT = (
    '{{ with printf `sum(%s{site="%%s",team="%%s"})` $labels.site $labels.team | query }}'
    "<label>{{ . | first | value }}.{{ end }}"
)


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    duration: str
    severity: str  # critical | warning
    component: str  # floor | pipeline
    summary: str
    description: str
    action: str  # the runbook line: what the floor manager (or operator) can do
    advice: str | None = None  # staffing advice read at firing time (team overload)

    def rule(self) -> dict[str, object]:
        extra = {"advice": self.advice} if self.advice is not None else {}
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.duration,
            "labels": {"severity": self.severity, "component": self.component},
            "annotations": {
                "summary": self.summary,
                "description": self.description,
                "action": self.action,
                "runbook_url": f"{RUNBOOK}#{self.name.lower()}",
                **extra,
            },
        }


def _context(metric_query: str, label: str) -> str:
    return (_TEAM_CONTEXT % metric_query).replace("<label>", label)


def _staffing_advice(t: Thresholds, prefix: str = "") -> str:
    """For each queue the team serves: how many agents it lacks for its target, and the teams of the
    same skill that could lend some (not serving the queue, spare occupancy, agents free of a due
    rest break: floorwatch_team_skill_agents_movable). docs/staffing.md; the core's advise() says the
    same. Renders nothing (not even `prefix`) when the team's queues have no advice yet."""
    served = (
        f"{q.QUEUE_AGENTS_SHORT} and on (queue) (sum by (queue) "
        f'(floorwatch_team_queue_agents{{site="%s",team="%s",state=~"{q.READY_STATES}"}}) > 0)'
    )
    lenders = (
        'max by (site, team) (floorwatch_team_skill_agents_movable{skill="%s"}) > 0'
        f' unless on (site, team) (floorwatch_team_queue_agents{{queue="%s",state=~"{q.READY_STATES}"}} > 0)'
        f' and on (site, team) ({q.TEAM_OCCUPANCY}{{window="15m"}} < {t.spare_below_ratio:g})'
    )
    occupancy = f'{q.TEAM_OCCUPANCY}{{window="15m",site="%s",team="%s"}}'
    return (
        f"{{{{ with printf `{served}` $labels.site $labels.team | query }}}}{prefix}"
        "{{ range $i, $queue := . }}{{ if $i }} {{ end }}"
        "{{ .Labels.queue }} {{ if gt .Value 0.0 }}needs {{ .Value }} more agent(s) for {{ .Labels.target }}"
        f"{{{{ range printf `{lenders}` .Labels.skill .Labels.queue | query }}}}"
        "; {{ .Labels.team }} has {{ .Value }} available at "
        f"{{{{ with printf `{occupancy}` .Labels.site .Labels.team | query }}}}"
        "{{ . | first | value | humanizePercentage }}{{ end }} occupancy{{ end }}"
        "{{ else }}has the agents {{ .Labels.target }} needs{{ end }}.{{ end }}{{ end }}"
    )


def _pct(ratio: float) -> str:
    return f"{ratio * 100:g}%"


def floor_alerts(t: Thresholds, timings: AlertTimings) -> list[Alert]:
    staffed = _context("floorwatch_team_agents_staffed", " Staffed now: ")
    waiting = _context(q.TEAM_WAITING, " Contacts waiting in its queues: ")
    return [
        Alert(
            "FloorwatchTeamOverloaded",
            f'{q.TEAM_OCCUPANCY}{{window="15m"}} > {t.burnout_above_ratio:g}',
            timings.team_overload,
            "critical",
            "floor",
            "Team {{ $labels.team }} ({{ $labels.site }}) is overloaded",
            "Occupancy over the last 15 minutes is {{ $value | humanizePercentage }}, above "
            f"{_pct(t.burnout_above_ratio)} for {timings.team_overload}: the burnout zone.{staffed}{waiting}"
            + _staffing_advice(t, " Staffing: "),
            "Bring agents back from auxiliary work (training, meetings), borrow agents from a team below "
            "the target band, or ask the WFM team to re-forecast; protect breaks rather than cancel them.",
            advice=_staffing_advice(t),
        ),
        Alert(
            "FloorwatchAgentStressHigh",
            f"max by (site, team, agent) (floorwatch_agent_stress_score) >= {t.stress_high_from:g}",
            timings.agent_stress_high,
            "warning",
            "floor",
            "Agent {{ $labels.agent }} ({{ $labels.team }}) has a high stress load",
            'Stress load {{ $value | printf "%.0f" }} of 100 for '
            + timings.agent_stress_high
            + f" (high from {t.stress_high_from:g}): long work without rest, difficult or back-to-back contacts.",
            "Offer a recovery break now and route lighter work to the agent for a while; the score is a "
            "workload index to protect people, never a performance measure.",
        ),
        Alert(
            "FloorwatchBreaksOverdue",
            "sum by (site, team, basis) (floorwatch_team_agents_break_overdue_by_basis) > 0",
            timings.breaks_overdue,
            "warning",
            "floor",
            "{{ $value }} agent(s) in {{ $labels.team }} ({{ $labels.site }}) have a break overdue "
            "({{ $labels.basis }})",
            '{{ if eq $labels.basis "statute" }}A break the law requires{{ else if eq $labels.basis "guidance" }}'
            "A break that official guidance recommends{{ else }}A break of the organisation's own policy{{ end }}"
            " is overdue beyond its grace period." + _context("floorwatch_team_agents_on_shift", " Agents on shift: "),
            "Release the agents for their break (stagger them if contacts wait); the wellbeing dashboard "
            "lists who is due when per-agent detail is allowed.",
        ),
        Alert(
            "FloorwatchBreakCoverageRisk",
            f"{q.TEAM_QUEUE_ON_BREAK} >= {t.coverage_on_break_ratio:g}"
            f" and on (queue) {q.QUEUE_WAITING} >= {t.coverage_min_contacts_waiting}",
            timings.break_coverage,
            "warning",
            "floor",
            "Many of {{ $labels.team }}'s agents on queue {{ $labels.queue }} are on a break while contacts wait",
            "{{ $value | humanizePercentage }} of the team's staffed agents serving {{ $labels.queue }} are on a "
            f"rest break and at least {t.coverage_min_contacts_waiting} contacts are waiting.{waiting}",
            "Stagger the next breaks instead of cancelling the current ones; move an agent from a quiet "
            "queue or team if one is available.",
        ),
        Alert(
            "FloorwatchServiceLevelLow",
            f"{q.QUEUE_SERVICE_LEVEL} < {t.service_level_target_ratio:g}"
            f" and on (queue) {q.QUEUE_OFFERED} >= {t.service_level_min_offered_contacts}",
            timings.service_level_low,
            "warning",
            "floor",
            "Queue {{ $labels.queue }} is below its service-level target",
            "{{ $value | humanizePercentage }} of contacts answered within the threshold over 30 minutes "
            f"(target {_pct(t.service_level_target_ratio)}).",
            "Check the floor overview for a contact spike or missing staff on this queue; add agents with "
            "this skill or open overflow routing.",
        ),
    ]


def pipeline_alerts(t: Thresholds, timings: AlertTimings) -> list[Alert]:
    return [
        Alert(
            "FloorwatchConsumerLagHigh",
            f"sum by (instance, topic) (floorwatch_consumer_lag_messages) > {t.consumer_lag_messages}",
            timings.consumer_lag,
            "warning",
            "pipeline",
            "Worker {{ $labels.instance }} is behind on {{ $labels.topic }}",
            "{{ $value }} messages not yet processed: the floor figures are late.",
            "Check the worker's CPU and log; add a worker (up to the partition count) if load grew.",
        ),
        Alert(
            "FloorwatchEventsDeadLettered",
            "sum by (reason) (increase(floorwatch_events_dead_lettered_total[15m])) > 0",
            timings.dead_letters,
            "warning",
            "pipeline",
            "Events were dead-lettered ({{ $labels.reason }})",
            '{{ $value | printf "%.0f" }} input events in 15 minutes could not be applied; figures miss them.',
            "Read the dead-letter topic (each record names the reason and offset); fix the adapter or "
            "the state mapping that produced them.",
        ),
        Alert(
            "FloorwatchSiteSilent",
            f"time() - max by (site) (floorwatch_site_last_event_timestamp_seconds) > {t.site_silent_seconds}",
            timings.site_silent,
            "critical",
            "pipeline",
            "Site {{ $labels.site }} stopped sending events",
            "No event from the site for {{ $value | humanizeDuration }}: its figures are frozen.",
            "Check the site's contact-center platform connector and network; the floor manager should "
            "not trust the site's dashboards until events flow again.",
        ),
        Alert(
            "FloorwatchWorkerDown",
            f"up{{{WORKER_JOB_SELECTOR}}} == 0",
            timings.worker_down,
            "critical",
            "pipeline",
            "Stream worker {{ $labels.instance }} is down",
            "Prometheus cannot scrape the worker; its partitions move to the others after the session timeout.",
            "Restart the worker; check its log for the reason it stopped.",
        ),
    ]


def all_alerts(t: Thresholds, timings: AlertTimings) -> list[Alert]:
    return floor_alerts(t, timings) + pipeline_alerts(t, timings)
