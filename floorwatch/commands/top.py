"""`floorwatch top`: a live terminal view of the floor; Ctrl-C to leave."""

from __future__ import annotations

import argparse
import sys
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prometheus", metavar="URL", help="read from Prometheus, e.g. http://127.0.0.1:9090")
    parser.add_argument(
        "--metrics",
        metavar="URL",
        action="append",
        default=[],
        help="read a worker's /metrics directly (repeat for several workers)",
    )
    parser.add_argument("--refresh", type=float, default=2.0, help="seconds between refreshes (default 2)")
    parser.add_argument("--once", action="store_true", help="print one screen and exit (for scripts)")


def run(args: argparse.Namespace) -> int:
    import requests
    from rich.console import Console
    from rich.live import Live

    from floorwatch.services.top import Sources, render

    if not args.prometheus and not args.metrics:
        print(
            "floorwatch top: say where to read: --prometheus URL or --metrics URL (a worker's /metrics)",
            file=sys.stderr,
        )
        return 2
    sources = Sources(args.prometheus, tuple(args.metrics))
    title = f"floorwatch top - {args.prometheus or ', '.join(args.metrics)}"
    console = Console()
    try:
        view = sources.read()
    except requests.RequestException as problem:
        print(f"floorwatch top: cannot read {args.prometheus or args.metrics}: {problem}", file=sys.stderr)
        return 1
    if args.once:
        console.print(render(view, None, title))
        return 0
    previous = None
    with Live(render(view, None, title), console=console, screen=True, auto_refresh=False) as live:
        try:
            while True:
                time.sleep(args.refresh)
                try:
                    previous, view = view, sources.read()
                    live.update(render(view, previous, f"{title}  ({time.strftime('%H:%M:%S')})"), refresh=True)
                except requests.RequestException as problem:
                    live.update(render(view, previous, f"{title}  (cannot read: {problem})"), refresh=True)
        except KeyboardInterrupt:
            return 0
