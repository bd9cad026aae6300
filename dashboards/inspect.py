"""Reading generated dashboards back: their panels, queries and template variables.

Tests use it to evaluate every panel query against a real Prometheus with the variables
substituted the way Grafana does (`$site` -> a value, `$__rate_interval` -> a window).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

_LABEL_VALUES = re.compile(r"^label_values\((?:(?P<selector>.+),\s*)?(?P<label>\w+)\)$")
_VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")
_REGEX_SPECIAL = set("\\^$.|?*+()[]{}")


@dataclass(frozen=True)
class PanelQuery:
    dashboard: str
    panel: str
    ref_id: str
    expr: str


@dataclass(frozen=True)
class Variable:
    name: str
    selector: str  # the series selector of label_values(selector, label); "" for every series
    label: str
    multi: bool


def panels(dashboard: Mapping) -> Iterator[Mapping]:
    """Every non-row panel, including panels nested in collapsed rows."""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def panel_queries(dashboard: Mapping) -> list[PanelQuery]:
    return [
        PanelQuery(dashboard["uid"], panel["title"], target["refId"], target["expr"])
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
    ]


def variables(dashboard: Mapping) -> list[Variable]:
    found = []
    for each in dashboard.get("templating", {}).get("list", []):
        match = _LABEL_VALUES.match(each["query"].strip())
        if match is None:
            raise ValueError(
                f"{dashboard['uid']}: variable {each['name']} is not a label_values() query: {each['query']}"
            )
        found.append(Variable(each["name"], match["selector"] or "", match["label"], bool(each.get("multi"))))
    return found


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """Replace `$name` and `${name}` with values; an unknown variable is an error, never left in."""

    def replace(match: re.Match) -> str:
        name = match[1] or match[2]
        if name not in values:
            raise KeyError(f"no value for ${name} in {expr}")
        return values[name]

    return _VARIABLE.sub(replace, expr)


def resolve_variables(
    dashboard: Mapping, label_values: Callable[[str, str], list[str]], builtins: Mapping[str, str]
) -> dict[str, str]:
    """Pick the first value of each variable not already in `builtins`, in order (later ones may
    filter on earlier ones).

    `label_values(selector, label)` asks the data source; a variable with no values fails,
    since every panel depending on it would be empty."""
    values = dict(builtins)
    for each in variables(dashboard):
        if each.name in values:
            continue  # chosen by the caller (e.g. All)
        options = sorted(label_values(substitute(each.selector, values), each.label))
        if not options:
            raise LookupError(
                f"{dashboard['uid']}: variable ${each.name} has no values ({each.selector}, {each.label})"
            )
        values[each.name] = regex_escape(options[0]) if each.multi else options[0]
    return values


def regex_escape(value: str) -> str:
    """As Grafana escapes a multi-value variable inside `=~"..."`: regex metacharacters get `\\\\`."""
    return "".join("\\\\" + c if c in _REGEX_SPECIAL else c for c in value)
