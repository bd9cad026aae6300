"""The stream worker's one frozen settings object, read from FLOORWATCH_* variables in main()."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from floorwatch.kafka_security import KafkaSecuritySettings


class PrivacyMode(StrEnum):
    """How per-agent figures are labelled (docs/privacy.md)."""

    NAMED = "named"  # the platform's agent id
    PSEUDONYMOUS = "pseudonymous"  # a keyed hash of the agent id, stable per key (the default)
    OFF = "off"  # aggregates only, none for groups below the minimum size


class ClockMode(StrEnum):
    """What 'now' is for figures that grow while an agent sits in one state (docs/time.md)."""

    WALL = "wall"  # production: the machine's UTC clock
    EVENT = "event"  # replays and tests: the newest event time this worker has seen


class WorkerSettings(KafkaSecuritySettings):
    model_config = SettingsConfigDict(env_prefix="FLOORWATCH_", frozen=True, extra="ignore")

    bootstrap_servers: str = Field("127.0.0.1:19092", description="Kafka bootstrap servers, comma separated.")
    topic_prefix: str = Field("floorwatch", description="Prefix of every floorwatch topic.")
    app_id: str = Field(
        "floorwatch-streams", description="Consumer group and internal topic prefix; one per deployment."
    )
    partitions: int = Field(6, ge=1, description="Partitions of the input and internal topics; the ceiling on workers.")
    replication_factor: int = Field(
        1, ge=1, description="Replication of the topics floorwatch creates (3 in production)."
    )
    web_host: str = Field(
        "127.0.0.1", description="The one address the worker's HTTP server (/metrics, /health) listens on."
    )
    web_port: int = Field(6066, ge=1, le=65535, description="Port of the worker's HTTP server.")
    web_config_file: Path | None = Field(
        None,
        description="TLS and basic auth for /metrics and /health, in the format of Prometheus's exporter web "
        "configuration file (docs/security.md); none when unset.",
    )
    data_dir: Path = Field(Path(".run/worker"), description="Faust's local data directory for this worker.")
    clock: ClockMode = Field(ClockMode.WALL, description="wall in production; event for replays and tests.")
    tick_seconds: float = Field(
        0.25,
        gt=0,
        description="How often /metrics is refreshed with what changed: agents with new input, their teams, "
        "queues, due breaks (the bound on how old a change on /metrics is).",
    )
    drift_refresh_seconds: float = Field(
        30.0,
        gt=0,
        description="With the wall clock, how often an agent with no new input is viewed again (its windows "
        "slide, stress decays and breaks fall due with time alone).",
    )
    gc_full_every_seconds: float = Field(
        3600.0,
        gt=0,
        description="How often a full garbage collection runs (2-3 s at 10,000 agents); between them what is "
        "alive after each tick is left out of collections.",
    )
    publish_seconds: float = Field(
        10.0,
        gt=0,
        description="How often each team and queue is looked at for a team-load / queue-load record (each in a "
        "slot of its own within the period); a record is sent when its figures changed. /metrics is the live view.",
    )
    privacy: PrivacyMode = Field(PrivacyMode.PSEUDONYMOUS, description="Per-agent labels: named, pseudonymous or off.")
    pseudonym_key: SecretStr = Field(
        SecretStr(""),
        description="Secret keying every published id derived from a person (pseudonyms, violation and alert ids); "
        "required in named and pseudonymous modes.",
    )
    min_group_size: int = Field(5, ge=1, description="With privacy off, groups smaller than this are not published.")
    policy_file: Path | None = Field(None, description="Break policy YAML; the built-in default when unset.")
    staffing_file: Path | None = Field(
        None,
        description="Service-level targets and skills per queue for the staffing advice (docs/staffing.md); "
        "80% in 20 s for every queue, each its own skill, when unset.",
    )
    allowed_lateness_seconds: float = Field(120.0, ge=0, description="Per-agent lateness that is still applied.")
    batch_max_events: int = Field(1000, ge=1, description="Most events processed in one batch.")
    batch_within_seconds: float = Field(0.05, gt=0, description="Longest wait to fill a batch.")
    positions_every_seconds: float = Field(
        1.0,
        gt=0,
        description="How often the worker saves (not after every batch): the packed repartition records, "
        "then the table values set since, then the applied input positions; input applied since is read "
        "again after a crash and recognised as already applied.",
    )
    state_checkpoint_min_bytes: int = Field(
        1024 * 1024,
        ge=1,
        description="A partition's packed state log gets a checkpoint (and loses the records before the one "
        "before) once the deltas since the last checkpoint exceed the partition's state, and this many bytes.",
    )
    recovery_timeout_seconds: float = Field(
        120.0,
        gt=0,
        description="Longest a rebalance or table recovery may stall before the worker exits (code 75) "
        "for its supervisor to restart it; Faust recovery can hang (docs/architecture.md). Keep it above "
        "the group session timeout (60 s): a crashed member holds a rebalance that long.",
    )
    stall_timeout_seconds: float = Field(
        180.0,
        gt=0,
        description="Longest the worker may apply nothing while input waits, or go without a tick, before it "
        "exits (code 75) for its supervisor to restart it.",
    )
    shutdown_timeout_seconds: float = Field(
        6.0, gt=0, le=60, description="After SIGTERM, the longest a graceful stop may take before the process exits."
    )
    dead_letter_retention_hours: float = Field(
        168.0,
        gt=0,
        description="How long the dead-letter topic keeps rejected input (original bytes with ids); set on the "
        "topic at every start.",
    )
    log_level: str = Field("info", description="Worker log level.")

    @model_validator(mode="after")
    def _per_agent_output_needs_a_key(self) -> WorkerSettings:
        if self.privacy is not PrivacyMode.OFF and not self.pseudonym_key.get_secret_value():
            raise ValueError(
                f"FLOORWATCH_PRIVACY={self.privacy.value} needs FLOORWATCH_PSEUDONYM_KEY (a long random secret, "
                "e.g. `openssl rand -hex 32`): it keys pseudonyms and every violation and alert id; "
                "or set FLOORWATCH_PRIVACY to off"
            )
        return self
