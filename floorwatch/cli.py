"""The `floorwatch` command line: a thin dispatcher over floorwatch.commands.*.

Each subcommand lives in its own module exposing `HELP`, `add_arguments(parser)`
and `run(args) -> int`; modules are imported only when their command runs, so
`floorwatch replay` never pays for importing Faust.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

COMMANDS = {
    "setup": "Install what floorwatch runs on: Kafka jars from Maven Central, Prometheus from Debian, Helm from Go",
    "kafka": "Start, stop or check the local Kafka broker or three-broker cluster",
    "up": "Run the live floor on this machine: Kafka, stream workers, Prometheus, simulated traffic",
    "worker": "Run a floorwatch stream worker (Faust)",
    "secrets": "Make certificates, passwords and a web configuration file for a secured floor",
    "web": "Hash a basic-auth password or check a worker's web configuration file (TLS, basic auth)",
    "replay": "Compute every figure in batch from a canonical event log (JSONL)",
    "report": "Write the shift report: one self-contained HTML page per floor, site or team, from an event log",
    "schemas": "Write or check the published JSON Schemas and AsyncAPI document",
    "simulate": "Generate realistic contact-center traffic (to Kafka or a JSONL file)",
    "top": "A live terminal view of the floor",
    "dashboards": "Generate Grafana dashboards or push them to Grafana's HTTP API",
    "ingest": "Translate a platform's event feed into floorwatch events",
}


def _load(name: str):
    return importlib.import_module(f"floorwatch.commands.{name}")


def _available() -> dict[str, str]:
    found = {}
    for name, summary in COMMANDS.items():
        if importlib.util.find_spec(f"floorwatch.commands.{name}") is not None:
            found[name] = summary
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _main(argv)
    except ImportError as problem:
        # FLOORWATCH_CORE=compiled without a build for these sources: the message says what to do.
        if type(problem).__name__ != "CompiledCoreMissing":
            raise
        print(f"floorwatch: {problem}", file=sys.stderr)
        return 2


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="floorwatch", description="floorwatch: live workload and wellbeing signals for a contact-center floor."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    available = _available()
    chosen = argv[0] if argv and argv[0] in available else None
    for name, summary in available.items():
        command_parser = sub.add_parser(name, help=summary, description=summary)
        if name == chosen:
            _load(name).add_arguments(command_parser)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(_load(args.command).run(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
