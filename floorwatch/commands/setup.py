"""`floorwatch setup`: make everything floorwatch runs on available, then say what is where.

Idempotent and quick once done: the jars come from the cache, installed programs are found.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from floorwatch.deploy.core_build import ensure_built
from floorwatch.deploy.helm_tool import HELM_VERSION, HelmInstallError, install_helm, installed_helm
from floorwatch.deploy.jvm_archive import archive_path
from floorwatch.deploy.kafka_jars import (
    JarFetchError,
    cached_jars,
    ensure_kafka_jars,
    folder_size_bytes,
    pom_kafka_version,
)
from floorwatch.deploy.localkafka import KafkaStartError, LocalKafka
from floorwatch.deploy.settings import DeploySettings
from floorwatch.deploy.toolchain import (
    ToolchainError,
    apt_install,
    can_install_with_apt,
    find_java,
    find_program,
    missing_debian_packages,
    program_version,
)

HELP = "Install what floorwatch runs on: Kafka jars from Maven Central, Prometheus from Debian, Helm from Go"
REQUIRED_PROGRAMS = ("prometheus", "promtool")
# Only for checks: docker-compose validates docker-compose.yml, amtool the Alertmanager routes;
# their tests skip, saying why, without them.
OPTIONAL_PROGRAMS = ("docker-compose", "amtool", "chromium", "chromedriver")
OPTIONAL_PURPOSE = {
    "docker-compose": "validates docker-compose.yml",
    "amtool": "checks Alertmanager routing",
    "chromium": "opens the shift report in the browser test",
    "chromedriver": "drives chromium in the browser test",
}
VERSIONED = ("prometheus", "chromium", "chromedriver")  # the summary names their Debian version


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-install", action="store_true", help="only check; never run apt-get")


def run(args: argparse.Namespace) -> int:
    summary: list[tuple[str, str]] = []
    problems: list[str] = []
    java_ok = _check_java(summary, problems)
    jars = _fetch_kafka(DeploySettings().cache_root, summary, problems)
    if java_ok and jars is not None:
        _first_broker_start(jars, summary, problems)
    _ensure_debian_programs(not args.no_install, summary, problems)
    _ensure_helm(not args.no_install, summary)
    _build_core(summary)
    _print_summary(summary, problems)
    return 1 if problems else 0


def _check_java(summary: list[tuple[str, str]], problems: list[str]) -> bool:
    try:
        java = find_java()
    except ToolchainError as error:
        summary.append(("java", "MISSING"))
        problems.append(str(error))
        return False
    summary.append(("java", f"{java.version} ({java.path})"))
    return True


def _fetch_kafka(cache_root: Path, summary: list[tuple[str, str]], problems: list[str]) -> Path | None:
    version = pom_kafka_version()
    fetched_now = cached_jars(cache_root, version) is None
    try:
        jars = ensure_kafka_jars(cache_root, version=version, report=lambda line: print(line, flush=True))
    except JarFetchError as error:
        summary.append(("kafka jars", "MISSING"))
        problems.append(str(error))
        return None
    count = len(list(jars.glob("*.jar")))
    state = "fetched now" if fetched_now else "cached"
    summary.append(
        (
            "kafka jars",
            f"Apache Kafka {version}, {count} jars, {folder_size_bytes(jars) / 1e6:.0f} MB in {jars} ({state})",
        )
    )
    return jars


def _first_broker_start(jars: Path, summary: list[tuple[str, str]], problems: list[str]) -> None:
    """Once per machine: start and stop a broker, proving the install and recording the class archive."""
    archive = archive_path(jars, "java")
    if archive.is_file():
        summary.append(("jvm archive", f"{archive.stat().st_size / 1e6:.0f} MB in {archive} (faster broker starts)"))
        return
    print(
        "starting a broker once to check the install and record a JVM class archive (faster starts later) ...",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="floorwatch-setup-kafka-") as run_dir:
        kafka = LocalKafka(Path(run_dir), jars=jars)
        try:
            seconds = kafka.start()
        except KafkaStartError as error:
            summary.append(("kafka broker", "DOES NOT START"))
            problems.append(str(error))
            return
        finally:
            kafka.stop()
    recorded = (
        f"{archive.stat().st_size / 1e6:.0f} MB in {archive}"
        if archive.is_file()
        else "not recorded (brokers start without it)"
    )
    summary.append(("kafka broker", f"started and stopped in a scratch folder ({seconds:.1f} s to serve requests)"))
    summary.append(("jvm archive", recorded))


def _ensure_debian_programs(may_install: bool, summary: list[tuple[str, str]], problems: list[str]) -> None:
    packages = missing_debian_packages(REQUIRED_PROGRAMS + OPTIONAL_PROGRAMS)
    if packages and may_install and can_install_with_apt():
        print(f"installing from Debian: {' '.join(packages)}", flush=True)
        try:
            apt_install(packages, report=lambda line: print(line, flush=True))
        except ToolchainError as error:
            problems.append(str(error))
    for program in REQUIRED_PROGRAMS + OPTIONAL_PROGRAMS:
        path = find_program(program)
        if path is not None:
            summary.append((program, f"{program_version(path)} ({path})" if program in VERSIONED else str(path)))
            continue
        package = missing_debian_packages([program])[0]
        hint = f"`sudo apt-get update && sudo apt-get install -y {package}` (or run `make setup` as root)"
        if program in REQUIRED_PROGRAMS:
            summary.append((program, "MISSING"))
            problems.append(f"`{program}` is not installed; the integration tests and `make run` need it: {hint}")
        else:
            summary.append((program, f"not installed (optional: {OPTIONAL_PURPOSE[program]}): {hint}"))


def _ensure_helm(may_install: bool, summary: list[tuple[str, str]]) -> None:
    """Helm lints and renders the Kubernetes chart in the tests (deploy/helm/floorwatch).

    Optional like docker-compose: without Go the rest still runs, and the chart tests skip
    (they fail under CI, where setup must have built it)."""
    try:
        if not may_install and installed_helm() is None:
            raise HelmInstallError(f"Helm {HELM_VERSION} is not built (run without --no-install)")
        binary = install_helm(report=lambda line: print(line, flush=True))
    except HelmInstallError as error:
        summary.append(("helm", f"not installed (optional: lints and renders the Kubernetes chart): {error}"))
        return
    summary.append(("helm", f"{HELM_VERSION} ({binary})"))


def _build_core(summary: list[tuple[str, str]]) -> None:
    """The metric core compiled with mypyc (floorwatch.core.native). Optional: without a C
    compiler, or if the build fails, the pure-Python core runs with the same figures, slower."""
    print("compiling the metric core with mypyc (once per version of its sources) ...", flush=True)
    try:
        outcome, folder = ensure_built()
    except RuntimeError as error:
        summary.append(("compiled core", f"not built (the core runs as pure Python, same figures): {error}"))
        return
    summary.append(("compiled core", f"{outcome} ({folder})" if folder else outcome))


def _print_summary(summary: list[tuple[str, str]], problems: list[str]) -> None:
    width = max(len(name) for name, _ in summary)
    print("\nfloorwatch setup")
    for name, detail in summary:
        print(f"  {name.ljust(width)}  {detail}")
    if problems:
        print("\nnot ready:")
        for problem in problems:
            print(f"  - {problem}")
        return
    print(
        "\nready. Next: `make run` (a live floor on this machine), `make test` (every test), "
        "`make kafka-up` (a broker for you on 127.0.0.1:19092)"
    )
