"""`floorwatch top`: the floor in a terminal, for people without Grafana at hand.

It reads what floorwatch publishes, never the traffic: either Prometheus (its
/federate endpoint for the series, /api/v1/alerts for what is firing) or the
workers' own /metrics endpoints. Both speak the Prometheus text format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Group
from rich.panel import Panel
from rich.table import Table

from floorwatch.core import advice
from floorwatch.core.staffing import StaffingConfig

HANDLE_STATES = ("ON_CONTACT", "HOLD", "AFTER_CONTACT_WORK")
REST_STATES = ("BREAK", "LUNCH")
OTHER_AUX = ("TRAINING", "MEETING", "COACHING", "OTHER_AUX")
SERVING_STATES = (*HANDLE_STATES, "AVAILABLE")
SPARE_BELOW_RATIO = StaffingConfig().spare_below_ratio  # the alert rules use the same default
Sample = tuple[str, dict[str, str], float]  # (series name, labels, value) as the text format gives it


@dataclass
class TeamRow:
    team: str
    site: str = ""
    staffed: int = 0
    occupancy_15m: float | None = None
    occupancy_shift: float | None = None
    states: dict[str, int] = field(default_factory=dict)
    bands: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    compliance: float | None = None
    serving_by_queue: dict[str, int] = field(default_factory=dict)  # handling or available, per queue
    movable_by_skill: dict[str, int] = field(default_factory=dict)  # could be lent (docs/staffing.md)


@dataclass
class QueueRow:
    queue: str
    waiting: int = 0
    longest_wait_seconds: float = 0.0
    service_level: float | None = None
    abandon: float | None = None
    short_abandoned: int = 0
    agents_needed: int | None = None  # for the target; None until the queue has enough contacts
    skill: str = ""
    target_label: str = ""


@dataclass
class FloorView:
    teams: dict[str, TeamRow]
    queues: dict[str, QueueRow]
    alerts: list[dict]


def read_samples(url: str, timeout_seconds: float = 5) -> list[Sample]:
    text = requests.get(url, timeout=timeout_seconds).text
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def floor_view(samples: list[Sample], alerts: list[dict]) -> FloorView:
    teams: dict[str, TeamRow] = {}
    queues: dict[str, QueueRow] = {}
    for name, labels, value in samples:
        if name.startswith("floorwatch_team_"):
            row = teams.setdefault(labels["team"], TeamRow(labels["team"]))
            row.site = labels.get("site", row.site)
            _team_sample(row, name.removeprefix("floorwatch_team_"), labels, value)
        elif name.startswith("floorwatch_queue_") and "queue" in labels:
            _queue_sample(
                queues.setdefault(labels["queue"], QueueRow(labels["queue"])),
                name.removeprefix("floorwatch_queue_"),
                labels,
                value,
            )
    return FloorView(dict(sorted(teams.items())), dict(sorted(queues.items())), alerts)


def _team_sample(row: TeamRow, name: str, labels: dict[str, str], value: float) -> None:
    if name == "agents_staffed":
        row.staffed = int(value)
    elif name == "occupancy_ratio" and labels.get("window") == "15m":
        row.occupancy_15m = value
    elif name == "occupancy_ratio" and labels.get("window") == "shift":
        row.occupancy_shift = value
    elif name == "agents":
        row.states[labels["state"]] = int(value)
    elif name == "agents_by_stress_band":
        row.bands[labels["band"]] = int(value)
    elif name == "agents_break_overdue":
        row.overdue = int(value)
    elif name == "break_compliance_ratio":
        row.compliance = value
    elif name == "queue_agents" and labels.get("state") in SERVING_STATES:
        row.serving_by_queue[labels["queue"]] = row.serving_by_queue.get(labels["queue"], 0) + int(value)
    elif name == "skill_agents_movable":
        row.movable_by_skill[labels["skill"]] = int(value)


def _queue_sample(row: QueueRow, name: str, labels: dict[str, str], value: float) -> None:
    if name == "contacts_waiting":
        row.waiting = int(value)
    elif name == "longest_wait_seconds":
        row.longest_wait_seconds = value
    elif name == "service_level_ratio":
        row.service_level = value
    elif name == "abandon_ratio":
        row.abandon = value
    elif name == "short_abandoned_contacts":
        row.short_abandoned = int(value)
    elif name == "agents_needed":
        row.agents_needed, row.skill, row.target_label = int(value), labels["skill"], labels["target"]


def staffing_advice(view: FloorView, spare_below_ratio: float) -> list[advice.QueueAdvice]:
    """The core's advice for every queue with a need, from what the workers publish."""
    offers = [
        advice.TeamOffer(t.team, t.site, t.occupancy_15m, advice.TeamSupply(t.serving_by_queue, t.movable_by_skill))
        for t in view.teams.values()
    ]
    return [advice.advise(q.queue, q, offers, spare_below_ratio) for q in view.queues.values() if q.agents_needed]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _trend(now: float | None, before: float | None) -> str:
    if now is None or before is None or abs(now - before) < 0.005:
        return " "
    return "↑" if now > before else "↓"


def _occupancy_style(value: float | None) -> str:
    if value is None:
        return "dim"
    if value > 0.90:
        return "bold red"
    if value > 0.85:
        return "yellow"
    return "red" if value < 0.70 else "green"  # below 0.70: overstaffed, also worth a look


def render(view: FloorView, previous: FloorView | None, title: str) -> Group:
    teams = Table(title="Teams", expand=True)
    for header in (
        "team",
        "site",
        "staffed",
        "occ 15m",
        "occ shift",
        "handling",
        "available",
        "rest",
        "other aux",
        "stress n/e/h",
        "breaks overdue",
        "compliant",
    ):
        teams.add_column(header, justify="left" if header in ("team", "site") else "right")
    for row in view.teams.values():
        before = previous.teams.get(row.team) if previous else None
        occ = f"[{_occupancy_style(row.occupancy_15m)}]{_percent(row.occupancy_15m)}[/]"
        teams.add_row(
            row.team,
            row.site,
            str(row.staffed),
            occ + _trend(row.occupancy_15m, before.occupancy_15m if before else None),
            _percent(row.occupancy_shift),
            str(sum(row.states.get(s, 0) for s in HANDLE_STATES)),
            str(row.states.get("AVAILABLE", 0)),
            str(sum(row.states.get(s, 0) for s in REST_STATES)),
            str(sum(row.states.get(s, 0) for s in OTHER_AUX)),
            f"{row.bands.get('normal', 0)}/{row.bands.get('elevated', 0)}/[red]{row.bands.get('high', 0)}[/]",
            f"[yellow]{row.overdue}[/]" if row.overdue else "0",
            _percent(row.compliance),
        )
    queues = Table(title="Queues", expand=True)
    headers = ("queue", "waiting", "longest wait", "service level (30 min)", "abandoned", "short abandons", "needed")
    for header in (*headers, "serving"):
        queues.add_column(header, justify="left" if header == "queue" else "right")
    serving = {q: sum(t.serving_by_queue.get(q, 0) for t in view.teams.values()) for q in view.queues}
    for queue_row in view.queues.values():
        needed = queue_row.agents_needed
        short = needed is not None and needed > serving[queue_row.queue]
        queues.add_row(
            queue_row.queue,
            str(queue_row.waiting),
            f"{queue_row.longest_wait_seconds:.0f} s",
            _percent(queue_row.service_level),
            _percent(queue_row.abandon),
            str(queue_row.short_abandoned),
            "-" if needed is None else (f"[bold red]{needed}[/]" if short else str(needed)),
            str(serving[queue_row.queue]),
        )
    advice_lines = "\n".join(a.summary for a in staffing_advice(view, SPARE_BELOW_RATIO)) or "no queue has advice yet"
    firing = [a for a in view.alerts if a.get("state") == "firing"]
    alert_lines = (
        "\n".join(
            f"[red]{a['labels'].get('alertname')}[/] {a['labels'].get('team', '')} "
            f"{a.get('annotations', {}).get('summary', '')}"
            for a in firing
        )
        or "none firing"
    )
    return Group(
        Panel(title, style="bold"),
        teams,
        queues,
        Panel(advice_lines, title="Staffing advice"),
        Panel(alert_lines, title="Alerts"),
    )


@dataclass
class Sources:
    """Where to read: Prometheus, or the workers' /metrics endpoints."""

    prometheus: str | None = None
    metrics: tuple[str, ...] = ()

    def read(self) -> FloorView:
        samples, alerts = [], []
        if self.prometheus:
            base = self.prometheus.rstrip("/")
            samples = read_samples(f"{base}/federate?match[]=%7B__name__%3D~%22floorwatch_(team|queue)_.*%22%7D")
            alerts = requests.get(f"{base}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
        for url in self.metrics:
            samples += read_samples(url)
        return floor_view(_dedupe(samples), alerts)


def _dedupe(samples: list[Sample]) -> list[Sample]:
    """Federation can return a series once per scrape target label set; keep the last of each."""
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], Sample] = {}
    for name, labels, value in samples:
        key = (name, tuple(sorted((k, v) for k, v in labels.items() if k not in ("instance", "job"))))
        seen[key] = (name, dict(key[1]), value)
    return list(seen.values())
