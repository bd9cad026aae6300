"""The report's plots as inline SVG (matplotlib, no pyplot state): drawn from `report_data` only."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import partial
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.dates import HOURLY, MINUTELY, AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

Json = dict[str, Any]
BAND_COLOURS = {"normal": "#4c9f70", "elevated": "#e0a030", "high": "#c8463d"}
_SVG_SETTINGS: Any = {  # (matplotlib types rc keys as literals)
    "svg.fonttype": "none",  # text stays text: the browser's own fonts, nothing embedded or fetched
    "svg.hashsalt": "floorwatch",  # stable element ids: the same log gives the same file
    "font.size": 9,
}
WIDTH_INCHES, ROW_INCHES = 9.0, 3.0
Draw = Callable[[Axes, str], None]
Times = Any  # matplotlib date numbers (days since its epoch), as date2num gives them


def plots(data: Json, zone: tzinfo) -> list[tuple[str, str, str]]:
    """(id, title, SVG) per plot, in the page's order. Queue plots have one panel per queue."""
    times = date2num([datetime.fromisoformat(t.replace("Z", "+00:00")) for t in data["timeline"]["at"]])
    teams, queues = data["timeline"]["teams"], data["timeline"]["queues"]
    limit = data["thresholds"]["overload_above_ratio"]
    one, per_queue = [""], list(queues) or [""]
    span = (float(times[0]), float(times[-1])) if len(times) > 1 else None
    timed = partial(_svg, zone=zone, span=span)  # every time plot on the same axis: the page's period
    return [
        (
            "occupancy",
            f"Occupancy per team (15-minute window) against the overload threshold ({limit:.0%})",
            timed(one, lambda ax, _: _occupancy(ax, times, teams, limit)),
        ),
        ("stress", "Staffed agents by stress band", timed(one, lambda ax, _: _stress(ax, times, teams))),
        (
            "breaks",
            "Break compliance per team (on shift with no statutory break overdue)",
            timed(one, lambda ax, _: _compliance(ax, times, teams)),
        ),
        (
            "violations",
            "Break violations by rule",
            _svg(one, lambda ax, _: _violations(ax, data["violations_by_rule"]), zone=zone, dated=False),
        ),
        (
            "service",
            "Service level and abandon rate per queue (30-minute window)",
            timed(per_queue, lambda ax, q: _service(ax, times, queues.get(q)), row_inches=1.8),
        ),
        (
            "staffing",
            "Agents needed for the target (Erlang advice) against agents serving, per queue",
            timed(per_queue, lambda ax, q: _staffing(ax, times, queues.get(q)), row_inches=1.8),
        ),
    ]


def _svg(
    panels: list[str],
    draw: Draw,
    zone: tzinfo,
    *,
    dated: bool = True,
    row_inches: float = ROW_INCHES,
    span: tuple[float, float] | None = None,
) -> str:
    with matplotlib.rc_context(_SVG_SETTINGS):
        figure = Figure(figsize=(WIDTH_INCHES, max(ROW_INCHES, row_inches * len(panels))), layout="constrained")
        axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
        for ax, panel in zip(axes, panels):
            draw(ax, panel)
            if panel:
                ax.set_title(panel, loc="left", fontsize=9)
            if dated:
                if span is not None:
                    ax.set_xlim(*span)
                ax.xaxis.set_major_locator(_clock_ticks(zone))
                ax.xaxis.set_major_formatter(DateFormatter("%H:%M", tz=zone))
            ax.grid(alpha=0.3)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": "floorwatch report"})
    text = out.getvalue()
    return text[text.index("<svg") :]  # inline: no XML prolog or doctype


def _clock_ticks(zone: tzinfo) -> AutoDateLocator:
    """Ticks on the hour or quarter hour a person reads a day by (not 08:24, 09:36, ...)."""
    locator = AutoDateLocator(tz=zone, minticks=4, maxticks=12)
    locator.intervald[HOURLY] = [1, 2, 3, 4, 6, 12]
    locator.intervald[MINUTELY] = [15, 30]
    return locator


def _occupancy(ax: Axes, times: Times, teams: Json, limit: float) -> None:
    for team, series in teams.items():
        ax.plot(times, _nan(series["occupancy_15m_ratio"]), label=team, linewidth=1.4)
    ax.axhline(limit, color="#c8463d", linestyle="--", linewidth=1, label="overload threshold")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("occupancy")
    _legend(ax, loc="lower left", fontsize=7, ncols=5)


def _stress(ax: Axes, times: Times, teams: Json) -> None:
    bands = {band: [0] * len(times) for band in BAND_COLOURS}
    for series in teams.values():
        for band, counts in series["agents_by_stress_band"].items():
            bands[band] = [a + b for a, b in zip(bands[band], counts)]
    ax.stackplot(times, *bands.values(), labels=list(bands), colors=list(BAND_COLOURS.values()), step="post")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("agents")
    _legend(ax, loc="lower left", fontsize=7, ncols=3)


def _compliance(ax: Axes, times: Times, teams: Json) -> None:
    for team, series in teams.items():
        ax.plot(times, _nan(series["break_compliance_ratio"]), label=team, linewidth=1.4)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("compliance")
    _legend(ax, loc="lower left", fontsize=7, ncols=5)


def _violations(ax: Axes, rows: list[Json]) -> None:
    labels = [f"{r['rule']} ({r['basis']})" for r in rows] or ["no violations"]
    counts = [r["violations"] for r in rows] or [0]
    ax.barh(labels, counts, color="#5b7db1")
    for y, n in enumerate(counts):
        ax.annotate(str(n), (n, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel("violations")
    ax.invert_yaxis()


def _service(ax: Axes, times: Times, series: Json | None) -> None:
    if series is not None:
        ax.plot(times, _nan(series["service_level_ratio"]), color="#3b6ea5", label="service level")
        ax.plot(times, _nan(series["abandon_rate_ratio"]), color="#c8463d", linestyle=":", label="abandoned")
        target = series["target_service_level_ratio"]
        ax.axhline(target, color="#777777", linestyle="--", linewidth=1, label=f"target {target:.0%}")
    ax.set_ylim(0, 1.02)
    _legend(ax, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7)  # beside the panel: never over a line


def _staffing(ax: Axes, times: Times, series: Json | None) -> None:
    if series is not None:
        ax.step(times, _nan(series["agents_needed"]), where="post", color="#3b6ea5", label="needed")
        ax.step(times, _nan(series["agents_serving"]), where="post", color="#4c9f70", linestyle="--", label="serving")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # people come whole
    ax.set_ylabel("agents")
    _legend(ax, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7)


def _legend(ax: Axes, **options: Any) -> None:
    if ax.get_legend_handles_labels()[0]:  # an empty scope has nothing to name
        ax.legend(**options)


def _nan(values: list[float | int | None]) -> list[float]:
    """Gaps where a figure is undefined (nobody staffed, no contacts): matplotlib skips NaN."""
    return [float("nan") if v is None else float(v) for v in values]
