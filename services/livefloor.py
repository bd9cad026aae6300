"""The main job on one machine: local Kafka, stream workers, Prometheus and simulated traffic.

Every process is started here and stopped here, in reverse order, on Ctrl-C or on any
failure, so nothing outlives the command (the brokers and Prometheus also carry
exit-time safety nets of their own).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from floorwatch.deploy.kafka_jars import Report, ensure_kafka_jars
from floorwatch.deploy.local_secrets import KAFKA_USER, SCRAPE_USER, LocalSecrets
from floorwatch.deploy.localkafka import LocalKafka
from floorwatch.deploy.processes import free_ports
from floorwatch.deploy.prometheus import LocalPrometheus, ScrapeSecurity
from floorwatch.deploy.settings import DeploySettings
from floorwatch.streams.watchdog import RESTART_EXIT_CODE

WEB_SETTING = "FLOORWATCH_WEB_CONFIG_FILE"
RULES_DIR = Path(__file__).resolve().parents[1] / "deploy" / "prometheus" / "rules"


@dataclass(frozen=True)
class FloorPlan:
    """What `floorwatch up` runs; every field is a command-line option."""

    run_dir: Path
    agents: int = 300
    speed: float = 60.0
    workers: int = 2
    partitions: int = 4
    seed: int = 1
    understaffed_teams: int = 1
    prometheus_port: int = 9090
    kafka_port: int = 19092
    # Kafka over SASL_SSL (SCRAM) for every client, workers' /metrics over TLS with client
    # certificates and basic auth, Prometheus scraping with them; secrets in <run dir>/secrets.
    secure: bool = False


@dataclass
class LiveFloor:
    plan: FloorPlan
    say: Report = print
    kafka: LocalKafka | None = None
    prometheus: LocalPrometheus | None = None
    children: list[subprocess.Popen] = field(default_factory=list)
    specs: list[tuple[list[str], dict[str, str], str]] = field(default_factory=list)  # how each child was started
    worker_ports: list[int] = field(default_factory=list)
    key_file: Path | None = None  # where this run's pseudonym key is kept (None: taken from the environment)
    secrets: LocalSecrets | None = None  # with plan.secure

    def start(self) -> None:
        plan = self.plan
        plan.run_dir.mkdir(parents=True, exist_ok=True)
        if os.environ.get(WEB_SETTING) and not plan.secure:
            raise RuntimeError(
                f"{WEB_SETTING} is set, but Prometheus here would not know how to scrape through it: "
                "unset it, or use `floorwatch up --secure`, which makes its own"
            )
        jars = ensure_kafka_jars(DeploySettings().cache_root, report=self.say)
        self.secrets = LocalSecrets.in_folder(plan.run_dir / "secrets") if plan.secure else None
        self.say(f"==> starting Kafka (KRaft, one broker) on 127.0.0.1:{plan.kafka_port}")
        self.kafka = LocalKafka(
            # a secured broker stores its SCRAM users when formatted: its data is kept apart
            plan.run_dir / ("kafka-secure" if plan.secure else "kafka"),
            jars=jars,
            broker_ports=[plan.kafka_port],
            security=self.secrets.broker_security() if self.secrets is not None else None,
        )
        seconds = self.kafka.start()
        self.say(f"    ready in {seconds:.1f} s")
        if self.secrets is not None:
            self.say(f"    clients use SASL_SSL on {self._client_bootstrap()} (secrets in {self.secrets.folder})")
        bootstrap = self.kafka.bootstrap_servers
        key = self._pseudonym_key()
        staffing = self._staffing_file()
        self.worker_ports = free_ports(plan.workers)
        for index, port in enumerate(self.worker_ports):
            self.say(f"==> starting stream worker {index + 1} of {plan.workers} (/metrics on 127.0.0.1:{port})")
            env = {**self._worker_env(bootstrap, port, index, key), "FLOORWATCH_STAFFING_FILE": str(staffing)}
            self._spawn(["worker"], env, f"worker-{index + 1}.log")
        self.say(f"==> starting Prometheus on 127.0.0.1:{plan.prometheus_port}")
        rules = sorted(RULES_DIR.glob("*.yml")) if RULES_DIR.exists() else []
        self.prometheus = LocalPrometheus.scraping(
            [f"127.0.0.1:{p}" for p in self.worker_ports],
            plan.run_dir / "prometheus",
            rule_files=[r for r in rules if not r.name.endswith("_test.yml")],
            scrape_interval_seconds=5,
            port=plan.prometheus_port,
            security=self.secrets.scrape_security() if self.secrets is not None else ScrapeSecurity(),
        )
        self.prometheus.start()
        self.say(f"==> simulating {plan.agents} agents at {plan.speed:g}x real time")
        self._spawn(
            [
                "simulate",
                "--to",
                "kafka",
                "--bootstrap-servers",
                self._client_bootstrap(),
                "--agents",
                str(plan.agents),
                "--speed",
                str(plan.speed),
                "--seed",
                str(plan.seed),
                "--start",
                "now",
                "--quiet",
                "--understaffed-teams",
                str(plan.understaffed_teams),
            ],
            {**os.environ, **self._secure_env()},
            "simulator.log",
        )

    def _client_bootstrap(self) -> str:
        assert self.kafka is not None
        return self.kafka.sasl_ssl_bootstrap_servers if self.secrets is not None else self.kafka.bootstrap_servers

    def _secure_env(self) -> dict[str, str]:
        """FLOORWATCH_KAFKA_* (SASL_SSL) for every client, and the workers' web configuration file."""
        if self.secrets is None:
            return {}
        return {
            **self.secrets.kafka_env(self._client_bootstrap()),
            WEB_SETTING: str(self.secrets.web_config_file),
        }

    def _staffing_file(self) -> Path:
        """FLOORWATCH_STAFFING_FILE when given; otherwise one for the simulated floor, where the teams of
        one skill at different sites can lend to each other (docs/staffing.md)."""
        given = os.environ.get("FLOORWATCH_STAFFING_FILE", "")
        if given:
            return Path(given)
        from floorwatch.services.simulator.roster import queue_skills
        from floorwatch.services.simulator.settings import SimulatorSettings

        floor = SimulatorSettings(
            seed=self.plan.seed, total_agents=self.plan.agents, understaffed_teams=self.plan.understaffed_teams
        )
        path = self.plan.run_dir / "staffing.yaml"
        queues = {queue: {"skill": skill} for queue, skill in sorted(queue_skills(floor).items())}
        header = "# The simulated floor's queues by skill (docs/staffing.md)\n"
        path.write_text(header + yaml.safe_dump({"queues": queues}))
        return path

    def _pseudonym_key(self) -> str:
        """FLOORWATCH_PSEUDONYM_KEY when given; otherwise a random key for this run only, kept in a file
        only this user can read (pseudonyms then differ from run to run)."""
        given = os.environ.get("FLOORWATCH_PSEUDONYM_KEY", "")
        if given:
            return given
        self.key_file = self.plan.run_dir / "pseudonym.key"
        key = secrets.token_hex(32)
        self.key_file.unlink(missing_ok=True)
        descriptor = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key + "\n")
        return key

    def _worker_env(self, bootstrap: str, port: int, index: int, key: str) -> dict[str, str]:
        return {
            **os.environ,
            "FLOORWATCH_BOOTSTRAP_SERVERS": bootstrap,
            **self._secure_env(),
            "FLOORWATCH_WEB_PORT": str(port),
            "FLOORWATCH_PARTITIONS": str(self.plan.partitions),
            "FLOORWATCH_DATA_DIR": str(self.plan.run_dir / f"worker-{index + 1}"),
            # Sped-up traffic runs ahead of the wall clock: view each agent as of its own events.
            "FLOORWATCH_CLOCK": "event" if self.plan.speed != 1 else "wall",
            "FLOORWATCH_PRIVACY": os.environ.get("FLOORWATCH_PRIVACY", "pseudonymous"),
            "FLOORWATCH_PSEUDONYM_KEY": key,
        }

    def _spawn(self, args: list[str], env: dict[str, str], log_name: str) -> None:
        # Marks every child as this floor's, so an operator (or a test) can find them all.
        env = {**env, "FLOORWATCH_FLOOR_RUN_DIR": str(self.plan.run_dir)}
        self.specs.append((args, env, log_name))
        self.children.append(self._popen(args, env, log_name))

    def _popen(self, args: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen:
        log = (self.plan.run_dir / log_name).open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "floorwatch.cli", *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def describe(self) -> str:
        if self.kafka is None or self.prometheus is None:
            raise RuntimeError("describe() is for a started floor")
        scheme = "https" if self.secrets is not None else "http"
        metrics = ", ".join(f"{scheme}://127.0.0.1:{p}/metrics" for p in self.worker_ports)
        return "\n".join(
            [
                "",
                "floorwatch is running a live floor:",
                f"  worker metrics   {metrics}",
                *self._secure_lines(),
                f"  Prometheus       {self.prometheus.url}  (try: floorwatch_team_occupancy_ratio)",
                f"  Kafka            {self._client_bootstrap()}  (topics floorwatch.*)",
                f"  terminal view    floorwatch top --prometheus {self.prometheus.url}",
                f"  logs             {self.plan.run_dir}",
                f"  pseudonym key    {self.key_file} (random, this run only)"
                if self.key_file is not None
                else "  pseudonym key    from FLOORWATCH_PSEUDONYM_KEY",
                "  Grafana          docker compose up grafana  (on a machine with Docker; see README)",
                "Press Ctrl-C to stop everything.",
            ]
        )

    def _secure_lines(self) -> list[str]:
        if self.secrets is None:
            return []
        folder, port = self.secrets.folder, self.worker_ports[0]
        return [
            f"                   TLS, client certificate and basic auth: curl --cacert {folder}/pki/ca.pem "
            f"--cert {folder}/pki/client.pem --key {folder}/pki/client-key.pem "
            f'-u "{SCRAPE_USER}:$(cat {folder}/scrape-password)" https://127.0.0.1:{port}/metrics',
            f"  Kafka clients    source the FLOORWATCH_KAFKA_* settings the workers use: SASL_SSL user {KAFKA_USER}, "
            f"password file {self.secrets.kafka_password_file}",
        ]

    def failed_child(self) -> subprocess.Popen | None:
        """A child that stopped for good; a worker asking to be restarted (exit 75) is restarted."""
        for index, child in enumerate(self.children):
            code = child.poll()
            if code == RESTART_EXIT_CODE:
                self.say(f"==> restarting {self.specs[index][2].removesuffix('.log')} (its recovery watchdog fired)")
                self.children[index] = self._popen(*self.specs[index])
            elif code is not None:
                return child
        return None

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in self.children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if self.prometheus is not None:
            self.prometheus.stop()
        if self.kafka is not None:
            self.kafka.stop()
