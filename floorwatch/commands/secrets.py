"""`floorwatch secrets make DIR`: certificates, passwords and a web configuration file for a
secured floor (docker-compose.secure.yml, or your own brokers and Prometheus while trying it out)."""

from __future__ import annotations

import argparse
from pathlib import Path

COMPOSE_HOSTS = ("kafka", "worker", "localhost", "127.0.0.1")
COMPOSE_GROUP = 10001  # the floorwatch image's group; the overlay adds Kafka's and Prometheus's users to it


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "What each file is for: docs/security.md, 'A secured floor'."
    parser.add_argument("action", choices=["make"])
    parser.add_argument("folder", type=Path, help="where to make them (kept if already made)")
    parser.add_argument(
        "--for-compose",
        action="store_true",
        help=f"server certificate for {', '.join(COMPOSE_HOSTS)}; files readable by group {COMPOSE_GROUP} "
        "(run as root, or `sudo chgrp -R 10001 FOLDER` after)",
    )


def run(args: argparse.Namespace) -> int:
    from floorwatch.deploy.local_secrets import KAFKA_USER, SCRAPE_USER, LocalSecrets
    from floorwatch.deploy.pki import LOCAL_HOSTS

    hosts = COMPOSE_HOSTS if args.for_compose else LOCAL_HOSTS
    try:
        made = LocalSecrets.in_folder(args.folder, hosts, COMPOSE_GROUP if args.for_compose else None)
    except PermissionError as problem:
        print(f"floorwatch secrets: {problem}; run as root or `sudo chgrp -R {COMPOSE_GROUP} {args.folder}`")
        return 1
    print(f"secrets in {made.folder} (server certificate for {', '.join(hosts)}):")
    print("  pki/ca.pem                 the CA every client trusts; pki/client*.pem a client certificate")
    print(f"  kafka-password             Kafka user {KAFKA_USER} (SCRAM-SHA-512)")
    print(f"  scrape-password            basic-auth user {SCRAPE_USER} of the workers' /metrics and /health")
    print("  web-config.yml             FLOORWATCH_WEB_CONFIG_FILE: TLS, client certificates, basic auth")
    return 0
