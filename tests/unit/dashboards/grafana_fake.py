"""A local HTTP server that holds requests to Grafana's documented HTTP API (Grafana 11 docs:
developers/http_api/{folder,data_source,dashboard}.md) and answers as Grafana does.

It is a contract, not a mock: every request is checked (path, method, auth header, JSON body
shape, documented fields only) and refused with Grafana's status codes when wrong; state is
kept like Grafana keeps it (folder and dashboard versions, 409 on a taken name, 412
version-mismatch unless `overwrite`, read-only provisioned objects), so tests assert on what
ends up stored and on the client's errors, never on which calls were made.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FOLDER_FIELDS = {"uid", "title", "parentUid", "description"}
FOLDER_UPDATE_FIELDS = {"title", "version", "overwrite", "description"}
DATASOURCE_FIELDS = {
    "uid",
    "name",
    "type",
    "access",
    "url",
    "isDefault",
    "jsonData",
    "secureJsonData",
    "basicAuth",
    "basicAuthUser",
    "user",
    "database",
    "withCredentials",
    "version",
    "id",
    "orgId",
    "readOnly",
}
DASHBOARD_BODY_FIELDS = {"dashboard", "folderId", "folderUid", "overwrite", "message"}


class Refused(Exception):
    def __init__(self, status: int, message: str, grafana_status: str | None = None):
        super().__init__(message)
        self.status, self.body = status, {"message": message, **({"status": grafana_status} if grafana_status else {})}


@dataclass
class GrafanaState:
    token: str = "secret-token"
    user: str = "admin"
    password: str = "admin-password"
    read_only_token: str = "viewer-token"  # authenticates, but may not write (403)
    folders: dict[str, dict] = field(default_factory=dict)
    datasources: dict[str, dict] = field(default_factory=dict)
    dashboards: dict[str, dict] = field(default_factory=dict)  # uid -> {"dashboard", "folderUid", "provisioned"}
    writes: int = 0
    concurrent_edit_after_get: set[str] = field(
        default_factory=set
    )  # dashboard uids "someone" saves between our GET and POST
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class FakeGrafana:
    def __init__(self, state: GrafanaState | None = None):
        self.state = state or GrafanaState()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeGrafana:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, Any]:
        with self.lock:
            try:
                writer = self._authenticate(headers.get("Authorization", ""))
                body = self._body(method, headers, raw)
                if method in ("POST", "PUT", "DELETE") and not writer:
                    raise Refused(403, "Access denied")
                return 200, _route(self.state, method, path, body)
            except Refused as refused:
                return refused.status, refused.body

    def _authenticate(self, header: str) -> bool:
        """True for a writer, False for the read-only token; 401 for anything else."""
        s = self.state
        if header == f"Bearer {s.token}":
            return True
        if header == f"Bearer {s.read_only_token}":
            return False
        if header == "Basic " + base64.b64encode(f"{s.user}:{s.password}".encode()).decode():
            return True
        raise Refused(401, "Unauthorized")

    @staticmethod
    def _body(method: str, headers: Any, raw: bytes) -> dict | None:
        if method not in ("POST", "PUT"):
            return None
        if not headers.get("Content-Type", "").startswith("application/json"):
            raise Refused(415, "Content-Type must be application/json")
        try:
            body = json.loads(raw)
        except ValueError:
            raise Refused(400, "bad request data") from None
        if not isinstance(body, dict):
            raise Refused(400, "bad request data")
        return body


def _route(s: GrafanaState, method: str, path: str, body: dict | None) -> Any:
    parts = path.split("?")[0].strip("/").split("/")
    routes = {"folders": _folders, "datasources": _datasources, "dashboards": _dashboards}
    if parts[0] != "api" or len(parts) < 2 or parts[1] not in routes:
        raise Refused(404, "Not found")
    return routes[parts[1]](s, method, parts[2:], body)


def _sent(body: dict | None) -> dict:
    """The JSON body of a POST or PUT (`_body` reads one for those methods, None for the others)."""
    if body is None:
        raise Refused(400, "bad request data")
    return body


def _only(body: dict, allowed: set[str], what: str) -> None:
    unknown = set(body) - allowed
    if unknown:
        raise Refused(400, f"{what}: unknown fields {sorted(unknown)}")


def _uid(uid: object) -> str:
    if not isinstance(uid, str) or not uid or len(uid) > 40:
        raise Refused(400, "uid must be a string of at most 40 characters")
    return uid


def _folders(s: GrafanaState, method: str, rest: list[str], body: dict | None) -> Any:
    if method == "GET" and len(rest) == 1:
        if rest[0] not in s.folders:
            raise Refused(404, "folder not found")
        return s.folders[rest[0]]
    if method == "POST" and not rest:
        body = _sent(body)
        _only(body, FOLDER_FIELDS, "folder")
        uid, title = _uid(body.get("uid")), body.get("title")
        if not isinstance(title, str) or not title:
            raise Refused(400, "folder title cannot be empty")
        if uid in s.folders or any(f["title"] == title for f in s.folders.values()):
            raise Refused(409, "a folder with the same name or uid already exists")
        s.writes += 1
        s.folders[uid] = {"id": s.new_id(), "uid": uid, "title": title, "url": f"/dashboards/f/{uid}", "version": 1}
        return s.folders[uid]
    if method == "PUT" and len(rest) == 1:
        body = _sent(body)
        _only(body, FOLDER_UPDATE_FIELDS, "folder update")
        folder = s.folders.get(rest[0])
        if folder is None:
            raise Refused(404, "folder not found")
        if not body.get("overwrite") and body.get("version") != folder["version"]:
            raise Refused(412, "the folder has been changed by someone else", "version-mismatch")
        s.writes += 1
        folder.update(title=body["title"], version=folder["version"] + 1)
        return folder
    raise Refused(404, "Not found")


def _datasources(s: GrafanaState, method: str, rest: list[str], body: dict | None) -> Any:
    if len(rest) == 2 and rest[0] == "uid":
        current = s.datasources.get(rest[1])
        if current is None:
            raise Refused(404, "Data source not found")
        if method == "GET":
            return current
        if method == "PUT":
            body = _sent(body)
            _check_datasource(body)
            if current.get("readOnly"):
                raise Refused(403, "Cannot update read-only data source")
            s.writes += 1
            current.update({**body, "uid": rest[1], "version": current["version"] + 1})
            return {
                "datasource": current,
                "id": current["id"],
                "message": "Datasource updated",
                "name": current["name"],
            }
    if method == "POST" and not rest:
        body = _sent(body)
        _check_datasource(body)
        uid = _uid(body.get("uid"))
        if uid in s.datasources or any(d["name"] == body["name"] for d in s.datasources.values()):
            raise Refused(409, "data source with the same name already exists")
        s.writes += 1
        s.datasources[uid] = {"id": s.new_id(), "orgId": 1, "readOnly": False, "version": 1, **body}
        current = s.datasources[uid]
        return {"datasource": current, "id": current["id"], "message": "Datasource added", "name": current["name"]}
    raise Refused(404, "Not found")


def _check_datasource(body: dict) -> None:
    _only(body, DATASOURCE_FIELDS, "data source")
    for key in ("name", "type", "url"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise Refused(400, f"data source {key} is required")
    if body.get("access") not in ("proxy", "direct"):
        raise Refused(400, "access must be proxy or direct")


def _dashboards(s: GrafanaState, method: str, rest: list[str], body: dict | None) -> Any:
    if method == "GET" and len(rest) == 2 and rest[0] == "uid":
        held = s.dashboards.get(rest[1])
        if held is None:
            raise Refused(404, "Dashboard not found")
        answer = {
            "dashboard": dict(held["dashboard"]),
            "meta": {"folderUid": held["folderUid"], "provisioned": held["provisioned"], "url": f"/d/{rest[1]}"},
        }
        if rest[1] in s.concurrent_edit_after_get:  # someone saves in the UI right after our read
            held["dashboard"]["version"] += 1
        return answer
    if method == "POST" and rest == ["db"]:
        return _save_dashboard(s, _sent(body))
    raise Refused(404, "Not found")


def _save_dashboard(s: GrafanaState, body: dict) -> Any:
    _only(body, DASHBOARD_BODY_FIELDS, "dashboard save")
    model = body.get("dashboard")
    if not isinstance(model, dict) or not model.get("title"):
        raise Refused(400, "Dashboard title cannot be empty")
    uid, folder = _uid(model.get("uid")), body.get("folderUid")
    if folder is not None and folder not in s.folders:
        raise Refused(400, "folder not found")
    held = s.dashboards.get(uid)
    if held is None:
        if model.get("id") is not None:
            raise Refused(404, "Dashboard not found")
        same_name = [
            u for u, d in s.dashboards.items() if d["folderUid"] == folder and d["dashboard"]["title"] == model["title"]
        ]
        if same_name and not body.get("overwrite"):
            raise Refused(412, "A dashboard with the same name in the folder already exists", "name-exists")
        version, dashboard_id = 1, s.new_id()
    else:
        if held["provisioned"]:
            raise Refused(400, "Cannot save provisioned dashboard")
        if not body.get("overwrite") and model.get("version") != held["dashboard"]["version"]:
            raise Refused(412, "The dashboard has been changed by someone else", "version-mismatch")
        version, dashboard_id = held["dashboard"]["version"] + 1, held["dashboard"]["id"]
    s.writes += 1
    s.dashboards[uid] = {
        "dashboard": {**model, "id": dashboard_id, "uid": uid, "version": version},
        "folderUid": folder,
        "provisioned": False,
    }
    return {"id": dashboard_id, "uid": uid, "url": f"/d/{uid}", "status": "success", "version": version, "slug": uid}


def _handler(fake: FakeGrafana) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload = fake.handle(self.command, self.path, self.headers, raw)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    return Handler
