"""`floorwatch schemas write|check`: keep the published contracts in step with the code."""

from __future__ import annotations

import argparse
import sys

from floorwatch import contracts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["write", "check"],
        help="write: regenerate floorwatch/schemas/; check: fail if the committed files drifted",
    )


def run(args: argparse.Namespace) -> int:
    if args.action == "write":
        written = contracts.write()
        print(f"{len(written)} file(s) updated in {contracts.SCHEMA_DIR}")
        return 0
    stale = contracts.drift()
    if stale:
        print("These contract files differ from what the code generates:", file=sys.stderr)
        for path in stale:
            print(f"  {path}", file=sys.stderr)
        print("Run `floorwatch schemas write` and commit the result.", file=sys.stderr)
        return 1
    print("contracts are in sync with the code")
    return 0
