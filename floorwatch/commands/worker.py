"""`floorwatch worker`: run one stream worker; start more on other machines to scale out."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:
    from floorwatch.streams.settings import WorkerSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "Every setting is a FLOORWATCH_* environment variable; see the README's configuration table."
    parser.add_argument("--web-port", type=int, help="override FLOORWATCH_WEB_PORT (/metrics and /health)")


def run(args: argparse.Namespace) -> int:
    from floorwatch.streams.settings import WorkerSettings

    try:
        overrides = {"web_port": args.web_port} if args.web_port else {}
        settings = WorkerSettings(**overrides)
    except ValidationError as problem:
        for error in problem.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"]) or "settings"
            print(f"floorwatch worker: {where}: {error['msg']}", file=sys.stderr)
        return 2
    return run_worker(settings)


CONFIG_EXIT_CODE = 78  # EX_CONFIG: a restart cannot help until a setting is fixed


def run_worker(settings: WorkerSettings) -> int:
    from floorwatch.kafka_preflight import KafkaAccessDenied, check_access
    from floorwatch.kafka_security import KafkaSecurityError
    from floorwatch.redact import redact_logs, redact_text
    from floorwatch.streams.app import create_app, run, secrets_of
    from floorwatch.streams.kafka_admin import TopicLayoutError, ensure_topics
    from floorwatch.streams.watchdog import RESTART_EXIT_CODE
    from floorwatch.web_config import WebConfigError

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        redact_logs(secrets_of(settings))
        worker = create_app(settings)
        check_access(settings.bootstrap_servers, settings)
        ensure_topics(
            settings,
            worker.topics,
            (worker.internal.queue_events, worker.internal.team_members),
            state=worker.state.topic,
        )
    except (KafkaAccessDenied, KafkaSecurityError, WebConfigError) as problem:
        print(f"floorwatch worker: {problem}", file=sys.stderr)
        return CONFIG_EXIT_CODE
    except TopicLayoutError as problem:
        print(f"floorwatch worker: {problem}", file=sys.stderr)
        return 1
    except Exception as problem:
        print(
            f"floorwatch worker: cannot reach Kafka at {settings.bootstrap_servers} "
            f"({redact_text(str(problem), secrets_of(settings))}). "
            "Start it (`make kafka-up`) or set FLOORWATCH_BOOTSTRAP_SERVERS. Exiting with code "
            f"{RESTART_EXIT_CODE} (try again later).",
            file=sys.stderr,
        )
        return RESTART_EXIT_CODE
    for watchdog in worker.watchdogs:
        watchdog.start(loop_source=lambda: worker.app.loop)
    run(worker)
    return 0
