"""The shift report page: a jinja2 template with the plots inline and the data it was drawn from.

Everything is in the one file (SVG plots, a few lines of script to sort the tables, the data as
JSON in `<script id="report-data">`), and a Content-Security-Policy forbids loading anything:
the page opens offline and cannot send what it shows anywhere.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from floorwatch.report.plots import plots

Json = dict[str, Any]
TEAM_COLUMNS = (
    ("id", "team"),
    ("period", "day"),
    ("agents", "agents"),
    ("occupancy_ratio", "occupancy"),
    ("utilization_ratio", "utilization"),
    ("handle_seconds", "handle (h)"),
    ("available_seconds", "available (h)"),
    ("aux_seconds", "aux (h)"),
    ("contacts_handled", "contacts"),
    ("breaks_taken", "breaks"),
    ("break_violations", "violations"),
    ("peak_stress_score", "peak stress"),
)
AGENT_COLUMNS = (("id", "agent"), ("team_id", "team"), ("period", "day or shift start"), *TEAM_COLUMNS[3:])
VIOLATION_COLUMNS = (("rule", "rule"), ("basis", "basis"), ("violations", "violations"))


def render(data: Json, zone: tzinfo) -> str:
    env = Environment(loader=PackageLoader("floorwatch.report"), autoescape=select_autoescape(["html"]))
    env.globals["table"] = _table
    at = data["timeline"]["at"]
    return env.get_template("report.html").render(
        data=data,
        plots=plots(data, zone),
        first=_local(at[0], zone) if at else "-",
        last=_local(at[-1], zone) if at else "-",
        team_columns=TEAM_COLUMNS,
        agent_columns=AGENT_COLUMNS,
        violation_columns=VIOLATION_COLUMNS,
        data_json=_script_safe(json.dumps(data, sort_keys=True, allow_nan=False)),
    )


def _script_safe(text: str) -> str:
    """JSON that no id can break out of its <script> block with: <, > and & as \\u escapes (still JSON)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _local(iso: str, zone: tzinfo) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _table(table_id: str, columns: tuple[tuple[str, str], ...], rows: list[Json]) -> Markup:
    """A sortable table; each cell keeps the exact figure in data-value, shown rounded for people."""
    head = "".join(f'<th class="{_kind(key)}" data-key="{key}">{escape(label)}</th>' for key, label in columns)
    body = "".join("<tr>" + "".join(_cell(key, row.get(key)) for key, _ in columns) + "</tr>" for row in rows)
    return Markup(
        f'<div class="table"><table id="table-{table_id}" class="sortable">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _cell(key: str, value: object) -> str:
    raw = "" if value is None else str(value)
    return f'<td class="{_kind(key)}" data-key="{key}" data-value="{escape(raw)}">{escape(_shown(key, value))}</td>'


def _shown(key: str, value: object) -> str:
    if value is None:
        return "-"
    if key.endswith("_ratio") and isinstance(value, float):
        return f"{value:.1%}"
    if key.endswith("_seconds") and isinstance(value, (int, float)):
        return f"{value / 3600:.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _kind(key: str) -> str:
    return "text" if key in ("id", "team_id", "period", "rule", "basis") else "number"
