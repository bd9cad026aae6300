"""Reading dashboards back: variables, substitution as Grafana does it, and variable resolution."""

from __future__ import annotations

import pytest

from floorwatch.dashboards.generate import dashboards
from floorwatch.dashboards.inspect import Variable, regex_escape, resolve_variables, substitute, variables

AGENT = dashboards()["agent.json"]


def test_variables_are_read_from_label_values_queries_in_order():
    assert variables(AGENT) == [
        Variable("site", "floorwatch_team_agents_staffed", "site", True),
        Variable("team", 'floorwatch_team_agents_staffed{site=~"$site"}', "team", True),
        Variable("agent", 'floorwatch_agent_info{site=~"$site", team=~"$team"}', "agent", False),
    ]


def test_substitute_replaces_both_spellings_and_refuses_unknown_variables():
    assert (
        substitute('x{a="$a", b="${b}"}[$__rate_interval]', {"a": "1", "b": "2", "__rate_interval": "5m"})
        == 'x{a="1", b="2"}[5m]'
    )
    with pytest.raises(KeyError, match=r"\$team"):
        substitute('x{team=~"$team"}', {})


@pytest.mark.parametrize(
    ("value", "escaped"), [("manila-billing", "manila-billing"), ("127.0.0.1:9", r"127\\.0\\.0\\.1:9")]
)
def test_multi_value_variables_are_regex_escaped_as_grafana_does(value, escaped):
    assert regex_escape(value) == escaped


def test_later_variables_are_resolved_with_the_values_chosen_for_earlier_ones():
    asked = []

    def label_values(selector: str, label: str) -> list[str]:
        asked.append((selector, label))
        return {"site": ["manila", "lisbon"], "team": ["lisbon-b", "lisbon-a"], "agent": ["a9", "a1"]}[label]

    values = resolve_variables(AGENT, label_values, {"__rate_interval": "5m"})

    assert values == {"__rate_interval": "5m", "site": "lisbon", "team": "lisbon-a", "agent": "a1"}
    assert asked[1] == ('floorwatch_team_agents_staffed{site=~"lisbon"}', "team")


def test_a_variable_without_values_is_an_error_not_an_empty_dashboard():
    with pytest.raises(LookupError, match=r"\$site has no values"):
        resolve_variables(AGENT, lambda selector, label: [], {})
