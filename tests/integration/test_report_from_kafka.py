"""`floorwatch report --from-kafka`: a window of the live input topics gives the report the file gives."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

FLOOR = ["--sites", "1", "--teams-per-site", "2", "--agents-per-team", "5", "--seed", "5", "--duration", "3h"]
START = "2026-11-24T08:00:00Z"
ENV = {**os.environ, "FLOORWATCH_PSEUDONYM_KEY": "integration-test-key"}


def floorwatch(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", *args], capture_output=True, text=True, timeout=180, env=ENV
    )
    assert done.returncode == 0, done.stderr
    return done


def embedded(page: Path) -> dict:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page.read_text(), re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_a_day_read_from_the_topics_gives_the_report_of_the_same_log_from_a_file(
    kafka_bootstrap, input_topics, tmp_path
):
    prefix = input_topics.agent_events.removesuffix(".agent-events")
    log = tmp_path / "events.jsonl"
    floorwatch("simulate", "--output", str(log), "--start", START, "--quiet", *FLOOR)
    live = ("--bootstrap-servers", kafka_bootstrap, "--topic-prefix", prefix)
    floorwatch("simulate", *live, "--speed", "max", "--start", START, "--quiet", *FLOOR)

    from_file, from_kafka = tmp_path / "file.html", tmp_path / "kafka.html"
    common = ("--by", "shift", "--privacy", "named", "--event-clock")
    floorwatch("report", str(log), *common, "--output", str(from_file))
    window = ("--since", "2026-11-24T00:00:00Z", "--until", "2026-11-25T00:00:00Z")
    read = floorwatch("report", "--from-kafka", *window, *live, *common, "--output", str(from_kafka))

    assert f"read {len(log.read_bytes().splitlines()) - _schedules(log)} events" in read.stderr
    file_data, kafka_data = embedded(from_file), embedded(from_kafka)
    assert kafka_data["team_rows"] and kafka_data["agent_rows"]
    for key in ("team_rows", "agent_rows", "violations_by_rule", "timeline"):
        assert kafka_data[key] == file_data[key], key


def test_a_window_before_the_log_has_no_team_to_report(kafka_bootstrap, input_topics, tmp_path):
    prefix = input_topics.agent_events.removesuffix(".agent-events")
    live = ("--bootstrap-servers", kafka_bootstrap, "--topic-prefix", prefix)
    floorwatch("simulate", *live, "--speed", "max", "--start", START, "--quiet", *FLOOR)
    done = subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", "report", "--from-kafka", *live, "--team", "anything"]
        + ["--since", "2026-11-23T00:00:00Z", "--until", "2026-11-24T00:00:00Z", "--output", str(tmp_path / "r.html")],
        capture_output=True,
        text=True,
        timeout=180,
        env=ENV,
    )
    assert done.returncode == 2 and "read 0 events" in done.stderr and "no team 'anything'" in done.stderr


def _schedules(log: Path) -> int:
    return sum(1 for line in log.read_bytes().splitlines() if b'"schedule.published"' in line)
