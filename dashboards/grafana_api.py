"""A small, idempotent client of Grafana's HTTP API (folders, data sources, dashboards).

Each `ensure_*` reads the current object first and writes only when it differs, so pushing
twice changes nothing the second time (no new dashboard version). Dashboard updates carry
the version read, so a save by someone else in between is refused by Grafana (412
version-mismatch) and reported as a conflict instead of silently overwritten - unless
`force` sends `overwrite: true`. Objects provisioned from files are left alone: Grafana
refuses API writes to them, and the files are their source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from floorwatch.redact import split_credentials

_IGNORED_IN_COMPARISON = ("id", "version")


class GrafanaError(RuntimeError):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # unreachable | unauthorised | forbidden | conflict | rejected


@dataclass(frozen=True)
class Auth:
    token: str = ""
    user: str = ""
    password: str = ""

    def apply(self, session: requests.Session) -> None:
        if self.token:
            session.headers["Authorization"] = f"Bearer {self.token}"
        elif self.user:
            session.auth = (self.user, self.password)
        else:
            raise GrafanaError(
                "unauthorised",
                "no Grafana credentials: set FLOORWATCH_GRAFANA_TOKEN (a service "
                "account token) or FLOORWATCH_GRAFANA_USER and FLOORWATCH_GRAFANA_PASSWORD",
            )


@dataclass(frozen=True)
class Outcome:
    kind: str  # folder | datasource | dashboard
    uid: str
    action: str  # created | updated | unchanged | provisioned (left alone)


class GrafanaClient:
    def __init__(self, url: str, auth: Auth, *, timeout_seconds: float = 10.0):
        # user:password@ in the URL is taken as basic auth and never kept in the URL, which
        # every message quotes.
        clean, user, password = split_credentials(url)
        self.url = clean.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "Content-Type": "application/json"})
        if user and not (auth.token or auth.user):
            auth = Auth(user=user, password=password)
        auth.apply(self.session)

    def ensure_folder(self, uid: str, title: str) -> Outcome:
        status, current = self._call("GET", f"/api/folders/{uid}", allow=(404,))
        if status == 404:
            self._call("POST", "/api/folders", {"uid": uid, "title": title})
            return Outcome("folder", uid, "created")
        if current.get("title") == title:
            return Outcome("folder", uid, "unchanged")
        self._call("PUT", f"/api/folders/{uid}", {"title": title, "version": current.get("version")})
        return Outcome("folder", uid, "updated")

    def ensure_datasource(self, spec: dict[str, Any]) -> Outcome:
        uid = spec["uid"]
        status, current = self._call("GET", f"/api/datasources/uid/{uid}", allow=(404,))
        if status == 404:
            self._call("POST", "/api/datasources", spec)
            return Outcome("datasource", uid, "created")
        if current.get("readOnly"):
            return Outcome("datasource", uid, "provisioned")
        if _covers(current, spec):
            return Outcome("datasource", uid, "unchanged")
        self._call("PUT", f"/api/datasources/uid/{uid}", {**spec, "version": current.get("version")})
        return Outcome("datasource", uid, "updated")

    def ensure_dashboard(self, model: dict[str, Any], folder_uid: str, *, force: bool = False) -> Outcome:
        uid = model["uid"]
        status, current = self._call("GET", f"/api/dashboards/uid/{uid}", allow=(404,))
        body: dict[str, Any] = {
            "folderUid": folder_uid,
            "overwrite": force,
            "message": "floorwatch dashboards push (generated from code)",
        }
        if status == 404:
            self._call("POST", "/api/dashboards/db", {**body, "dashboard": {**model, "id": None}})
            return Outcome("dashboard", uid, "created")
        meta, existing = current.get("meta", {}), current.get("dashboard", {})
        if meta.get("provisioned"):
            return Outcome("dashboard", uid, "provisioned")
        if _same(existing, model) and meta.get("folderUid") == folder_uid:
            return Outcome("dashboard", uid, "unchanged")
        update = {**model, "id": existing.get("id"), "version": existing.get("version")}
        self._call("POST", "/api/dashboards/db", {**body, "dashboard": update})
        return Outcome("dashboard", uid, "updated")

    def _call(
        self, method: str, path: str, payload: dict | None = None, *, allow: tuple[int, ...] = ()
    ) -> tuple[int, Any]:
        try:
            response = self.session.request(method, self.url + path, json=payload, timeout=self.timeout_seconds)
        except requests.RequestException as problem:
            raise GrafanaError(
                "unreachable",
                f"cannot reach Grafana at {self.url} ({type(problem).__name__}); "
                "is it running, and is FLOORWATCH_GRAFANA_URL right?",
            ) from None
        if response.status_code in allow:
            return response.status_code, None
        body = _json(response)
        if response.ok:
            return response.status_code, body
        raise _error(method, path, response.status_code, body)


def _covers(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Every wanted field as wanted; Grafana may add defaults of its own (e.g. to jsonData)."""
    for key, value in wanted.items():
        held = current.get(key)
        if isinstance(value, dict) and isinstance(held, dict):
            if not _covers(held, value):
                return False
        elif held != value:
            return False
    return True


def _same(existing: dict[str, Any], model: dict[str, Any]) -> bool:
    return _compared(existing) == _compared(model)


def _compared(model: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in model.items() if k not in _IGNORED_IN_COMPARISON}


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"message": response.text[:200]}


def _error(method: str, path: str, status: int, body: Any) -> GrafanaError:
    message = body.get("message", "") if isinstance(body, dict) else str(body)
    where = f"{method} {path}"
    if status == 401:
        return GrafanaError(
            "unauthorised",
            f"Grafana refused the credentials (401 on {where}): check "
            "FLOORWATCH_GRAFANA_TOKEN, or FLOORWATCH_GRAFANA_USER and FLOORWATCH_GRAFANA_PASSWORD",
        )
    if status == 403:
        return GrafanaError(
            "forbidden",
            f"the Grafana account may not do {where} (403: {message}); dashboards need "
            "the Editor role, data sources Admin",
        )
    if status == 409:
        return GrafanaError(
            "conflict",
            f"Grafana refused {where}: it already exists (409: {message}); another "
            "folder or data source has the same name under a different uid: rename or remove it",
        )
    if status == 412:
        reason = body.get("status", "") if isinstance(body, dict) else ""
        return GrafanaError(
            "conflict",
            f"Grafana refused {where} with a conflict ({status} {reason}: {message}); "
            "someone changed it meanwhile: push again to apply the code over the new version, or "
            "pass --force to overwrite",
        )
    return GrafanaError("rejected", f"Grafana rejected {where} ({status}): {message}")
