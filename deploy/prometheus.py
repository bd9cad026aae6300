"""Run the real Prometheus (Debian's `prometheus` package) on a free loopback port.

    with LocalPrometheus.scraping(["127.0.0.1:9108"], run_dir) as prometheus:
        prometheus.query('floorwatch_team_occupancy_ratio')   # instant query: list of samples

Used by integration tests (scrape the stream workers, evaluate the alert rules) and by
`floorwatch up`. `tool_path("promtool")` finds promtool for rule checks and rule tests.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml

from floorwatch.deploy.kafka_config import LOOPBACK
from floorwatch.deploy.processes import free_ports, kill_children, spawn, stop_children

INSTALL_HINT = (
    "install Debian's package: `sudo apt-get update && sudo apt-get install -y prometheus` "
    "(it ships promtool too), or run `make setup` as root"
)
_POLL_SECONDS = 0.1


class PrometheusError(RuntimeError):
    """Prometheus is missing, did not start, or answered an API call with an error."""


def tool_path(name: str) -> Path:
    """The path of `prometheus` or `promtool`, or PrometheusError saying how to install it."""
    found = shutil.which(name)
    if found is not None:
        return Path(found)
    # Debian installs into /usr/bin; a trimmed PATH (some CI runners) may miss it.
    if (Path("/usr/bin") / name).is_file():
        return Path("/usr/bin") / name
    raise PrometheusError(f"`{name}` is not installed; {INSTALL_HINT}")


@dataclass(frozen=True)
class ScrapeSecurity:
    """How Prometheus reaches workers that have a web configuration file (FLOORWATCH_WEB_CONFIG_FILE):
    https with the CA that signed their certificate, a client certificate when they require one,
    and a basic-auth user whose password Prometheus reads from a file."""

    scheme: str = "http"
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    username: str = ""
    password_file: Path | None = None

    def job_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"scheme": self.scheme}
        tls = {"ca_file": self.ca_file, "cert_file": self.cert_file, "key_file": self.key_file}
        if any(tls.values()):
            options["tls_config"] = {name: str(path) for name, path in tls.items() if path is not None}
        if self.username:
            options["basic_auth"] = {"username": self.username, "password_file": str(self.password_file)}
        return options


def scrape_config(
    targets: Sequence[str],
    *,
    scrape_interval_seconds: float = 1,
    rule_files: Sequence[Path] = (),
    job: str = "floorwatch",
    security: ScrapeSecurity = ScrapeSecurity(),
) -> str:
    """A minimal prometheus.yml scraping `targets` (host:port) often enough for tests to wait briefly."""
    config: dict[str, Any] = {
        "global": {
            "scrape_interval": f"{scrape_interval_seconds}s",
            "evaluation_interval": f"{scrape_interval_seconds}s",
        },
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [{"job_name": job, **security.job_options(), "static_configs": [{"targets": list(targets)}]}],
    }
    return yaml.safe_dump(config, sort_keys=False)


class LocalPrometheus:
    def __init__(
        self, config_file: Path, *, run_dir: Path | None = None, port: int | None = None, binary: Path | None = None
    ) -> None:
        """`config_file` stays where it is (relative rule paths resolve next to it); data goes to `run_dir`."""
        self.config_file = Path(config_file)
        self._owns_run_dir = run_dir is None
        self.run_dir = Path(run_dir) if run_dir is not None else Path(tempfile.mkdtemp(prefix="floorwatch-prometheus-"))
        self.port = port if port is not None else free_ports(1)[0]
        self.binary = binary or tool_path("prometheus")
        self.startup_seconds: float | None = None
        # A list (not an attribute swap) so the exit-time safety net sees the live process.
        self._processes: list[subprocess.Popen[bytes]] = []
        weakref.finalize(self, kill_children, self._processes)

    @classmethod
    def scraping(
        cls,
        targets: Sequence[str],
        run_dir: Path,
        *,
        scrape_interval_seconds: float = 1,
        rule_files: Sequence[Path] = (),
        port: int | None = None,
        security: ScrapeSecurity = ScrapeSecurity(),
    ) -> LocalPrometheus:
        run_dir.mkdir(parents=True, exist_ok=True)
        config_file = run_dir / "prometheus.yml"
        config_file.write_text(
            scrape_config(
                targets, scrape_interval_seconds=scrape_interval_seconds, rule_files=rule_files, security=security
            )
        )
        return cls(config_file, run_dir=run_dir, port=port)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.run_dir / "prometheus.log"

    def start(self, timeout_seconds: float = 30) -> float:
        """Start Prometheus and wait for /-/ready; returns the seconds it took."""
        began = time.monotonic()
        command = [
            str(self.binary),
            f"--config.file={self.config_file}",
            f"--storage.tsdb.path={self.run_dir / 'data'}",
            f"--web.listen-address={LOOPBACK}:{self.port}",
            # No --web.enable-lifecycle: it lets anyone who reaches the port stop or reload Prometheus.
            "--log.level=warn",
        ]
        process = spawn(command, self.log_path)
        self._processes.append(process)
        deadline = time.monotonic() + timeout_seconds
        while not self._ready():
            if process.poll() is not None:
                raise PrometheusError(
                    f"prometheus exited with code {process.returncode} while starting\n{self.log_tail()}"
                )
            if time.monotonic() >= deadline:
                self.stop()
                raise PrometheusError(f"prometheus was not ready within {timeout_seconds:.0f} s\n{self.log_tail()}")
            time.sleep(_POLL_SECONDS)
        self.startup_seconds = time.monotonic() - began
        return self.startup_seconds

    def stop(self, grace_seconds: float = 10) -> None:
        stop_children(self._processes, grace_seconds)
        self._processes.clear()
        if self._owns_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> LocalPrometheus:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query; each sample is `{"metric": {labels}, "value": [time, "text"]}`."""
        return self._api("query", {"query": expr})["result"]

    def targets(self) -> list[dict[str, Any]]:
        """Active scrape targets with their `health` ("up", "down", "unknown") and `lastError`."""
        return self._api("targets", {"state": "active"})["activeTargets"]

    def alerts(self) -> list[dict[str, Any]]:
        return self._api("alerts", {})["alerts"]

    def reload(self) -> None:
        """Re-read the configuration and rule files (after editing them in place): SIGHUP, as the
        HTTP lifecycle endpoints are off."""
        for process in self._processes:
            if process.poll() is None:
                process.send_signal(signal.SIGHUP)

    def log_tail(self, lines: int = 30) -> str:
        text = (
            self.log_path.read_text(errors="replace").splitlines()[-lines:]
            if self.log_path.exists()
            else ["(no log written)"]
        )
        return f"--- last lines of {self.log_path} ---\n" + "\n".join(text)

    def _ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/-/ready", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def _api(self, endpoint: str, params: dict[str, str]) -> Any:
        response = requests.get(f"{self.url}/api/v1/{endpoint}", params=params, timeout=10)
        body = response.json()
        if body.get("status") != "success":
            raise PrometheusError(f"{endpoint} failed: {body.get('errorType')}: {body.get('error')}")
        return body["data"]
