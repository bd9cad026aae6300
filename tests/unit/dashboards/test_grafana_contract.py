"""CONTRACT TESTS of `floorwatch dashboards push` against Grafana's documented HTTP API.

No Grafana server can be installed here, so the other side is `grafana_fake.FakeGrafana`: a
local HTTP server that checks every request against the documented API (paths, methods,
Authorization header, JSON body fields, overwrite and version semantics) and answers with
Grafana's status codes. These tests prove the client keeps that contract; they cannot prove
that a given Grafana release still honours it.
"""

from __future__ import annotations

import argparse

import pytest
import requests

from floorwatch.commands import dashboards as command
from floorwatch.dashboards.common import DATASOURCE_UID
from floorwatch.dashboards.generate import dashboards
from floorwatch.dashboards.grafana_api import Auth, GrafanaClient, GrafanaError
from floorwatch.deploy.processes import free_ports
from tests.unit.dashboards.grafana_fake import FakeGrafana, GrafanaState

MODELS = dashboards()
FOLDER = "floorwatch"


@pytest.fixture
def grafana():
    with FakeGrafana() as fake:
        yield fake


def _push(monkeypatch, url: str, *, force: bool = False, **env: str) -> int:
    for key in ("FLOORWATCH_GRAFANA_TOKEN", "FLOORWATCH_GRAFANA_USER", "FLOORWATCH_GRAFANA_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {"FLOORWATCH_GRAFANA_TOKEN": "secret-token", **env}.items():
        monkeypatch.setenv(key, value)
    args = argparse.Namespace(action="push", grafana_url=url, prometheus_url="http://prometheus:9090", force=force)
    return command.run(args)


def _client(grafana: FakeGrafana, token: str = "secret-token") -> GrafanaClient:
    return GrafanaClient(grafana.url, Auth(token=token))


def test_contract_a_first_push_creates_the_folder_the_datasource_and_every_dashboard(grafana, monkeypatch, capsys):
    assert _push(monkeypatch, grafana.url) == 0

    state = grafana.state
    assert state.folders[FOLDER]["title"] == "floorwatch"
    source = state.datasources[DATASOURCE_UID]
    assert (source["type"], source["url"], source["access"]) == ("prometheus", "http://prometheus:9090", "proxy")
    assert set(state.dashboards) == {m["uid"] for m in MODELS.values()}
    for model in MODELS.values():
        stored = state.dashboards[model["uid"]]
        assert stored["folderUid"] == FOLDER and stored["dashboard"]["version"] == 1
        assert {k: v for k, v in stored["dashboard"].items() if k not in ("id", "version")} == model
    assert capsys.readouterr().out.count(": created") == 2 + len(MODELS)


def test_contract_pushing_again_writes_nothing_and_makes_no_new_versions(grafana, monkeypatch, capsys):
    _push(monkeypatch, grafana.url)
    writes = grafana.state.writes
    capsys.readouterr()

    assert _push(monkeypatch, grafana.url) == 0

    assert grafana.state.writes == writes
    assert all(d["dashboard"]["version"] == 1 for d in grafana.state.dashboards.values())
    assert capsys.readouterr().out.count(": unchanged") == 2 + len(MODELS)


def test_contract_a_changed_dashboard_is_saved_over_the_version_read(grafana):
    client = _client(grafana)
    client.ensure_folder(FOLDER, "floorwatch")
    model = MODELS["wellbeing.json"]
    client.ensure_dashboard(model, FOLDER)
    changed = {**model, "title": "floorwatch / Wellbeing (v2)"}

    outcome = client.ensure_dashboard(changed, FOLDER)

    stored = grafana.state.dashboards[model["uid"]]["dashboard"]
    assert (outcome.action, stored["title"], stored["version"]) == ("updated", "floorwatch / Wellbeing (v2)", 2)


def test_contract_a_save_by_someone_else_meanwhile_is_a_conflict_unless_forced(grafana):
    client = _client(grafana)
    client.ensure_folder(FOLDER, "floorwatch")
    model = MODELS["agent.json"]
    client.ensure_dashboard(model, FOLDER)
    grafana.state.concurrent_edit_after_get.add(model["uid"])
    changed = {**model, "description": "changed in code"}

    with pytest.raises(GrafanaError, match="--force") as conflict:
        client.ensure_dashboard(changed, FOLDER)
    assert conflict.value.kind == "conflict" and "version-mismatch" in str(conflict.value)

    assert client.ensure_dashboard(changed, FOLDER, force=True).action == "updated"
    assert grafana.state.dashboards[model["uid"]]["dashboard"]["description"] == "changed in code"


def test_contract_a_renamed_folder_is_updated_with_its_version(grafana):
    client = _client(grafana)
    client.ensure_folder(FOLDER, "floorwatch")
    assert client.ensure_folder(FOLDER, "Contact floor").action == "updated"
    assert (grafana.state.folders[FOLDER]["title"], grafana.state.folders[FOLDER]["version"]) == ("Contact floor", 2)


def test_contract_basic_auth_works_when_no_token_is_set(grafana, monkeypatch):
    assert (
        _push(
            monkeypatch,
            grafana.url,
            FLOORWATCH_GRAFANA_TOKEN="",
            FLOORWATCH_GRAFANA_USER="admin",
            FLOORWATCH_GRAFANA_PASSWORD="admin-password",
        )
        == 0
    )
    assert len(grafana.state.dashboards) == len(MODELS)


def test_contract_wrong_credentials_are_reported_as_unauthorised(grafana, monkeypatch, capsys):
    assert _push(monkeypatch, grafana.url, FLOORWATCH_GRAFANA_TOKEN="wrong") == 1
    error = capsys.readouterr().err
    assert "refused the credentials (401" in error and "FLOORWATCH_GRAFANA_TOKEN" in error
    assert grafana.state.writes == 0


def test_contract_a_read_only_account_is_reported_as_forbidden(grafana):
    with pytest.raises(GrafanaError, match="403") as refused:
        _client(grafana, token="viewer-token").ensure_folder(FOLDER, "floorwatch")
    assert refused.value.kind == "forbidden" and "Editor" in str(refused.value)


def test_contract_an_unreachable_grafana_is_reported_with_its_url(monkeypatch, capsys):
    url = f"http://127.0.0.1:{free_ports(1)[0]}"  # nothing listens there
    assert _push(monkeypatch, url) == 1
    assert f"cannot reach Grafana at {url}" in capsys.readouterr().err


def test_contract_a_datasource_name_taken_by_another_uid_is_a_conflict(grafana):
    grafana.state.datasources["other"] = {
        "id": 99,
        "uid": "other",
        "name": "Prometheus",
        "type": "prometheus",
        "url": "http://elsewhere:9090",
        "access": "proxy",
        "readOnly": False,
        "version": 1,
    }
    with pytest.raises(GrafanaError, match="409") as clash:
        _client(grafana).ensure_datasource(command.datasource_spec("http://prometheus:9090"))
    assert clash.value.kind == "conflict"


def test_contract_objects_provisioned_from_files_are_left_alone(monkeypatch, capsys):
    uid = MODELS["floor-overview.json"]["uid"]
    provisioned = {"id": 7, "uid": uid, "title": "provisioned copy", "version": 3}
    state = GrafanaState(
        datasources={
            DATASOURCE_UID: {
                "id": 1,
                "uid": DATASOURCE_UID,
                "name": "Prometheus",
                "type": "prometheus",
                "url": "http://prometheus:9090",
                "access": "proxy",
                "readOnly": True,
                "version": 1,
            }
        },
        dashboards={uid: {"dashboard": provisioned, "folderUid": FOLDER, "provisioned": True}},
    )
    with FakeGrafana(state) as grafana:
        assert _push(monkeypatch, grafana.url, FLOORWATCH_GRAFANA_PROMETHEUS_URL="http://other:9090") == 0
        assert grafana.state.dashboards[uid]["dashboard"] == provisioned
        assert grafana.state.datasources[DATASOURCE_UID]["version"] == 1
    out = capsys.readouterr().out
    assert f"dashboard {uid}: provisioned" in out and f"datasource {DATASOURCE_UID}: provisioned" in out


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status"),
    [
        ("GET", "/api/folders/floorwatch", None, {}, 401),  # no Authorization header
        ("POST", "/api/folders", {"uid": "x", "title": "x", "colour": "red"}, None, 400),  # undocumented field
        ("POST", "/api/dashboards/db", {"dashboard": {"uid": "d", "title": "d"}, "folder": "x"}, None, 400),
        ("POST", "/api/dashboards/db", {"dashboard": {"uid": "d", "title": "d"}, "folderUid": "missing"}, None, 400),
        (
            "POST",
            "/api/datasources",
            {"uid": "p", "name": "p", "type": "prometheus", "url": "http://p", "access": "browser"},
            None,
            400,
        ),
        ("DELETE", "/api/dashboards/uid/d", None, None, 404),
    ],
)
def test_contract_the_fake_refuses_what_grafana_documents_as_refused(grafana, method, path, body, headers, status):
    sent = {"Authorization": "Bearer secret-token", "Content-Type": "application/json"} if headers is None else headers
    assert requests.request(method, grafana.url + path, json=body, headers=sent, timeout=5).status_code == status


def test_contract_defaults_grafana_adds_to_a_datasource_do_not_make_every_push_an_update(grafana):
    client = _client(grafana)
    spec = command.datasource_spec("http://prometheus:9090")
    client.ensure_datasource(spec)
    grafana.state.datasources[DATASOURCE_UID]["jsonData"]["httpMethod"] = "POST"  # as Grafana fills in

    assert client.ensure_datasource(spec).action == "unchanged"
    assert client.ensure_datasource(command.datasource_spec("http://other:9090")).action == "updated"
    assert grafana.state.datasources[DATASOURCE_UID]["url"] == "http://other:9090"
