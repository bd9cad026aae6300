"""Panel defaults shared by every floorwatch dashboard (grafana-foundation-sdk builders).

Every panel gets a description, a unit and thresholds; every query reads the provisioned
Prometheus datasource by its fixed uid. Panel ids and grid positions come from `Board`, in
the order panels are added, so generated JSON is stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grafana_foundation_sdk.builders import common as viz
from grafana_foundation_sdk.builders import stat, table, timeseries
from grafana_foundation_sdk.builders.dashboard import AnnotationQuery, Dashboard, QueryVariable, Row, ThresholdsConfig
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.models.common import (
    BigValueColorMode,
    BigValueGraphMode,
    BigValueTextMode,
    GraphThresholdsStyleMode,
    LegendDisplayMode,
    LegendPlacement,
    StackingMode,
    TableColoredBackgroundCellOptions,
)
from grafana_foundation_sdk.models.dashboard import (
    DataSourceRef,
    Threshold,
    ThresholdsMode,
    VariableRefresh,
    VariableSort,
)
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from floorwatch.dashboards.thresholds import Thresholds

DATASOURCE_UID = "floorwatch-prometheus"  # deploy/grafana/provisioning/datasources/prometheus.yaml
DATASOURCE = DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)
TAGS = ["floorwatch", "generated"]
SITE_TEAM = 'site=~"$site", team=~"$team"'  # the filter every team-level query carries


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""
    instant: bool = False  # tables and stats show the value now


def steps(*pairs: tuple[float | None, str]) -> ThresholdsConfig:
    """Threshold steps: `steps((None, "green"), (0.85, "orange"))`; the first has no lower bound."""
    return ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps([Threshold(value, color) for value, color in pairs])


def occupancy_steps(t: Thresholds) -> ThresholdsConfig:
    return steps(
        (None, "blue"),
        (t.overstaffed_below_ratio, "light-green"),
        (t.target_from_ratio, "green"),
        (t.pressure_above_ratio, "orange"),
        (t.burnout_above_ratio, "red"),
    )


def stress_steps(t: Thresholds) -> ThresholdsConfig:
    return steps((None, "green"), (t.stress_elevated_from, "orange"), (t.stress_high_from, "red"))


def neutral_steps() -> ThresholdsConfig:
    """Counts with no good or bad level (agents by state): one colour, stated explicitly."""
    return steps((None, "text"))


def _targets(panel, queries: Sequence[Query]):
    for ref, query in zip("ABCDEFGH", queries):
        target = Dataquery().expr(query.expr).legend_format(query.legend or "__auto").ref_id(ref)
        if query.instant:
            target = target.instant().format(PromQueryFormat.TABLE)
        panel = panel.with_target(target)
    return panel


def trend(
    title: str,
    description: str,
    unit: str,
    thresholds: ThresholdsConfig,
    queries: Sequence[Query],
    *,
    bands: bool = False,
    stacked: bool = False,
    min_value: float | None = None,
    max_value: float | None = None,
) -> timeseries.Panel:
    """A time series; `bands` shades the threshold bands behind the lines (occupancy's healthy band)."""
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .thresholds(thresholds)
        .fill_opacity(10 if not stacked else 60)
        .line_width(2)
        .legend(
            viz.VizLegendOptions()
            .display_mode(LegendDisplayMode.TABLE)
            .placement(LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["lastNotNull", "max"])
        )
    )
    mode = GraphThresholdsStyleMode.LINE_AND_AREA if bands else GraphThresholdsStyleMode.OFF
    panel = panel.thresholds_style(viz.GraphThresholdsStyleConfig().mode(mode))
    if stacked:
        panel = panel.stacking(viz.StackingConfig().mode(StackingMode.NORMAL))
    if min_value is not None:
        panel = panel.min(min_value)
    if max_value is not None:
        panel = panel.max(max_value)
    return _targets(panel, queries)


def single(
    title: str,
    description: str,
    unit: str,
    thresholds: ThresholdsConfig,
    queries: Sequence[Query],
    *,
    text_mode: BigValueTextMode = BigValueTextMode.VALUE_AND_NAME,
) -> stat.Panel:
    panel = (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .thresholds(thresholds)
        .color_mode(BigValueColorMode.BACKGROUND)
        .graph_mode(BigValueGraphMode.NONE)
        .text_mode(text_mode)
        .reduce_options(viz.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )
    return _targets(panel, queries)


def listing(
    title: str, description: str, unit: str, thresholds: ThresholdsConfig, queries: Sequence[Query]
) -> table.Panel:
    """A table of the current values, one row per series; colour from the thresholds."""
    panel = (
        table.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .thresholds(thresholds)
        .cell_options(TableColoredBackgroundCellOptions())
    )
    return _targets(panel, [Query(q.expr, q.legend, instant=True) for q in queries])


def variable(name: str, label: str, query: str, *, multi: bool = True) -> QueryVariable:
    """A label_values variable; multi-value ones offer All, which matches every value (`.*`)."""
    built = (
        QueryVariable(name)
        .label(label)
        .datasource(DATASOURCE)
        .query(query)
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(VariableSort.NATURAL_ASC)
        .multi(multi)
    )
    return built.include_all(True).all_value(".*") if multi else built


def site_team_variables() -> list[QueryVariable]:
    return [
        variable("site", "Site", "label_values(floorwatch_team_agents_staffed, site)"),
        variable("team", "Team", 'label_values(floorwatch_team_agents_staffed{site=~"$site"}, team)'),
    ]


def _builtin_annotations() -> AnnotationQuery:
    """Grafana's own annotations (and alert state changes), as every dashboard saved by Grafana has."""
    return (
        AnnotationQuery()
        .name("Annotations & Alerts")
        .datasource(DataSourceRef(type_val="grafana", uid="-- Grafana --"))
        .enable(True)
        .hide(True)
        .icon_color("rgba(0, 211, 255, 1)")
        .type("dashboard")
        .built_in(1)
    )


class Board:
    """Adds rows and panels to a dashboard in reading order, numbering them (stable ids)."""

    def __init__(self, uid: str, title: str, description: str, variables: Sequence[QueryVariable]):
        self.dashboard = (
            Dashboard(title)
            .uid(uid)
            .description(description)
            .tags(TAGS)
            .refresh("30s")
            .time("now-6h", "now")
            .timezone("browser")
            .editable()
            .annotation(_builtin_annotations())
        )
        for each in variables:
            self.dashboard = self.dashboard.with_variable(each)
        self.next_id = 1

    def row(self, title: str) -> Board:
        self.dashboard = self.dashboard.with_row(Row(title).id(self._id()))
        return self

    def add(self, panel, *, width: int = 12, height: int = 8) -> Board:
        self.dashboard = self.dashboard.with_panel(panel.id(self._id()).span(width).height(height))
        return self

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1
