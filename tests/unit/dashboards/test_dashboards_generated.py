"""The generated dashboards: committed as the code makes them, and every panel usable by a floor
manager (description, unit, thresholds), on the provisioned datasource, with stable ids."""

from __future__ import annotations

import json

import pytest

from floorwatch.dashboards import agent_drilldown, floor_overview, pipeline_health, wellbeing
from floorwatch.dashboards.common import DATASOURCE_UID
from floorwatch.dashboards.generate import GENERATED_DIR, dashboards, drift, generated_files, stale, write
from floorwatch.dashboards.inspect import panel_queries, panels, variables

MODELS = dashboards()
BUILTINS = {"__rate_interval", "__interval", "__range"}


def test_the_committed_dashboards_and_rules_are_what_the_code_generates():
    files = generated_files()
    assert drift(files) == [], "run `floorwatch dashboards generate` and commit the result"
    assert stale(files) == []


def test_drift_names_a_hand_edited_file_and_generate_repairs_it(tmp_path):
    files = {tmp_path / path.name: text for path, text in generated_files().items()}
    assert sorted(write(files)) == sorted(files)
    edited = tmp_path / "wellbeing.json"
    edited.write_text(edited.read_text().replace("Wellbeing", "Wellbeing (edited in the UI)"))

    assert drift(files) == [edited]
    assert write(files) == [edited]
    assert drift(files) == []


def test_uids_are_the_stable_ones_links_and_provisioning_rely_on():
    assert {m["uid"] for m in MODELS.values()} == {
        floor_overview.UID,
        wellbeing.UID,
        agent_drilldown.UID,
        pipeline_health.UID,
    }
    assert all(len(m["uid"]) <= 40 for m in MODELS.values())  # Grafana's limit


def test_the_generated_json_is_sorted_so_diffs_stay_small():
    for name in MODELS:
        text = (GENERATED_DIR / name).read_text()
        assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_panel_has_a_description_a_unit_thresholds_and_queries(name):
    for panel in panels(MODELS[name]):
        defaults = panel["fieldConfig"]["defaults"]
        assert len(panel.get("description", "")) > 30, panel["title"]
        assert defaults.get("unit"), panel["title"]
        assert defaults["thresholds"]["steps"], panel["title"]
        assert panel["targets"], panel["title"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_query_reads_the_provisioned_prometheus(name):
    for panel in panels(MODELS[name]):
        assert panel["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID}
    for variable in MODELS[name]["templating"]["list"]:
        assert variable["datasource"]["uid"] == DATASOURCE_UID


@pytest.mark.parametrize("name", sorted(MODELS))
def test_panel_ids_are_unique_within_a_dashboard(name):
    ids = [panel["id"] for panel in MODELS[name]["panels"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_queries_use_only_variables_the_dashboard_defines(name):
    defined = {v.name for v in variables(MODELS[name])} | BUILTINS
    for query in panel_queries(MODELS[name]):
        used = {token.lstrip("$") for token in query.expr.split('"') if token.startswith("$")}
        assert used <= defined, (query.panel, used - defined)


def test_the_wellbeing_and_overview_ratios_are_time_weighted_never_averaged():
    exprs = [q.expr for m in MODELS.values() for q in panel_queries(m)]
    assert [e for e in exprs if "avg" in e] == []


def test_only_the_agent_dashboard_and_two_wellbeing_tables_read_per_agent_series():
    per_agent = {
        (q.dashboard, q.panel) for m in MODELS.values() for q in panel_queries(m) if "floorwatch_agent_" in q.expr
    }
    assert {d for d, _ in per_agent} == {agent_drilldown.UID, wellbeing.UID}
    assert {p for d, p in per_agent if d == wellbeing.UID} == {"Highest stress loads now", "Next breaks due"}
