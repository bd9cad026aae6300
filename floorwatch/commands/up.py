"""`floorwatch up`: a live floor on this machine, until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agents", type=int, default=300, help="simulated agents (default 300)")
    parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per wall second (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="stream workers (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="simulation seed (default 1)")
    parser.add_argument("--prometheus-port", type=int, default=9090, help="Prometheus UI and API port (default 9090)")
    parser.add_argument("--kafka-port", type=int, default=19092, help="Kafka broker port (default 19092)")
    parser.add_argument("--run-dir", type=Path, default=Path(".run/floor"), help="logs and data (default .run/floor)")
    parser.add_argument(
        "--secure",
        action="store_true",
        help="Kafka over SASL_SSL (SCRAM-SHA-512) for every client, the workers' /metrics over TLS with client "
        "certificates and basic auth, Prometheus scraping with them (secrets made in <run dir>/secrets)",
    )
    parser.add_argument("--for-seconds", type=float, default=None, help="stop by itself after this long (for scripts)")


def run(args: argparse.Namespace) -> int:
    from floorwatch.services.livefloor import FloorPlan, LiveFloor

    plan = FloorPlan(
        run_dir=args.run_dir.resolve(),
        agents=args.agents,
        speed=args.speed,
        workers=args.workers,
        seed=args.seed,
        prometheus_port=args.prometheus_port,
        kafka_port=args.kafka_port,
        secure=args.secure,
    )
    floor = LiveFloor(plan, say=lambda line: print(line, flush=True))
    # Ctrl-C stops everything even when a launcher started us with SIGINT ignored (a shell's
    # background job, or a script run under nohup in the background); Python keeps an inherited
    # "ignore" otherwise, and the floor could then only be killed. SIGTERM (e.g. from a test or a
    # service manager) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        floor.start()
        print(floor.describe(), flush=True)
        deadline = time.monotonic() + args.for_seconds if args.for_seconds else None
        while deadline is None or time.monotonic() < deadline:
            failed = floor.failed_child()
            if failed is not None:
                print(
                    f"floorwatch up: a process stopped unexpectedly (exit {failed.returncode}); "
                    f"see the logs in {plan.run_dir}",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        print("\n==> stopping", flush=True)
        return 0
    except Exception as problem:
        print(f"floorwatch up: {problem}", file=sys.stderr)
        return 1
    finally:
        floor.stop()
        print("==> everything stopped", flush=True)
