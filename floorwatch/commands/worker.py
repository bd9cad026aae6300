"""`floorwatch worker`: run one stream worker; start more on other machines to scale out."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

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


def run_worker(settings: WorkerSettings) -> int:
    from floorwatch.streams.app import create_app
    from floorwatch.streams.kafka_admin import TopicLayoutError, ensure_topics
    from floorwatch.streams.watchdog import RESTART_EXIT_CODE

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    worker = create_app(settings)
    try:
        ensure_topics(settings, worker.topics, (worker.internal.queue_events, worker.internal.team_members))
    except TopicLayoutError as problem:
        print(f"floorwatch worker: {problem}", file=sys.stderr)
        return 1
    except Exception as problem:
        print(
            f"floorwatch worker: cannot reach Kafka at {settings.bootstrap_servers} ({problem}). "
            "Start it (`make kafka-up`) or set FLOORWATCH_BOOTSTRAP_SERVERS. Exiting with code "
            f"{RESTART_EXIT_CODE} (try again later).",
            file=sys.stderr,
        )
        return RESTART_EXIT_CODE
    for watchdog in worker.watchdogs:
        watchdog.start()
    BoundedWorker = _bounded_worker_class()
    BoundedWorker(
        worker.app, settings.shutdown_timeout_seconds, loglevel=settings.log_level, quiet=True
    ).execute_from_commandline()
    return 0


def _bounded_worker_class() -> type:
    import faust

    class BoundedWorker(faust.Worker):
        """A Faust worker whose graceful stop after SIGTERM or SIGINT has a deadline.

        A worker stuck in a Kafka metadata loop or a hung recovery does not finish its stop;
        past the deadline the process exits anyway. Nothing is lost: state and positions
        are stored before input is acknowledged, and a restart resumes from them."""

        def __init__(self, app: Any, shutdown_timeout_seconds: float, **options: Any):
            super().__init__(app, **options)
            self.shutdown_timeout_seconds = shutdown_timeout_seconds
            self.spinner = None  # its handler would set the root logger to DEBUG (docs/performance.md)

        def install_signal_handlers(self) -> None:
            """Plain signal handlers, not the event loop's: they run even when the loop is stuck
            (the case the deadline exists for), start the deadline, then ask the loop to stop."""
            for number, stop in ((signal.SIGTERM, super()._on_sigterm), (signal.SIGINT, super()._on_sigint)):
                signal.signal(number, self._handler(number, stop))

        def _handler(self, number: int, stop: Any) -> Any:
            def handle(signum: int, frame: Any) -> None:
                self._exit_by_deadline(signal.Signals(number).name)
                self.loop.call_soon_threadsafe(stop)

            return handle

        def _exit_by_deadline(self, signal_name: str) -> None:
            deadline = self.shutdown_timeout_seconds

            def exit_late() -> None:
                time.sleep(deadline)
                logging.getLogger("floorwatch.streams").warning(
                    "stop after %s took over %.0f s (FLOORWATCH_SHUTDOWN_TIMEOUT_SECONDS); exiting now",
                    signal_name,
                    deadline,
                )
                for handler in logging.getLogger().handlers:
                    handler.flush()
                os._exit(0)

            threading.Thread(target=exit_late, name="shutdown-deadline", daemon=True).start()

    return BoundedWorker
