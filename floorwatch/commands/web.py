"""`floorwatch web hash-password|check`: write and check the worker's web configuration file."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from floorwatch.web_config import WebConfigError, hash_password, load_web_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "The file's format and settings: docs/security.md, 'Endpoints'."
    parser.add_argument(
        "action",
        choices=["hash-password", "check"],
        help="hash-password: print a bcrypt hash for basic_auth_users (password from the terminal or stdin); "
        "check: load FILE as a worker would and say what is wrong",
    )
    parser.add_argument("file", nargs="?", type=Path, help="check: the web configuration file")


def run(args: argparse.Namespace) -> int:
    if args.action == "hash-password":
        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
        if not password:
            print("floorwatch web: an empty password cannot protect anything", file=sys.stderr)
            return 2
        print(hash_password(password))
        return 0
    if args.file is None:
        print("floorwatch web check: name the file to check", file=sys.stderr)
        return 2
    try:
        config = load_web_config(args.file)
    except WebConfigError as problem:
        print(f"floorwatch web check: {problem}", file=sys.stderr)
        return 1
    for warning in config.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    client = config.tls.client_auth_type if config.tls is not None else "no TLS"
    users = len(config.basic_auth_users)
    print(f"{args.file}: {config.scheme}, client certificates: {client}, basic-auth users: {users}")
    return 0
