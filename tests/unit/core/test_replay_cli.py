"""`floorwatch replay` as a person runs it: files in, one JSON report out, problems on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from floorwatch.cli import main
from floorwatch.commands import replay as command
from floorwatch.core.codec import encode
from tests.unit.core.builders import schedule

SAMPLE = Path(__file__).parents[2] / "fixtures" / "replay_sample.jsonl"


def test_the_report_goes_to_stdout_and_a_summary_with_bad_lines_to_stderr(capsys):
    assert main(["replay", str(SAMPLE)]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["events"]["accepted"] == 12
    assert "17 lines: 12 accepted, 1 duplicate, 1 late, 2 rejected" in err
    assert "events line 6: not valid JSON" in err
    assert "events line 13: agent.state_changed.data.state" in err


def test_output_writes_the_same_report_to_a_file(tmp_path, capsys):
    target = tmp_path / "report.json"
    assert main(["replay", str(SAMPLE), "--output", str(target)]) == 0
    written = target.read_text()
    assert main(["replay", str(SAMPLE)]) == 0
    assert capsys.readouterr().out == written


def test_the_progress_bar_loses_no_line(tmp_path, capsys, monkeypatch):
    assert main(["replay", str(SAMPLE)]) == 0
    quiet = capsys.readouterr().out
    monkeypatch.setattr(command, "PROGRESS_FROM_BYTES", 1)
    assert main(["replay", str(SAMPLE)]) == 0
    assert capsys.readouterr().out == quiet


def test_schedules_are_read_from_their_own_file_and_their_bad_lines_named(tmp_path, capsys):
    schedules = tmp_path / "schedules.jsonl"
    schedules.write_bytes(encode(schedule("a1", 0, 8 * 3600)) + b"\n{oops\n")
    assert main(["replay", str(SAMPLE), "--schedules", str(schedules)]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["events"]["by_type"]["schedule.published"] == 1
    assert [(r["file"], r["line"]) for r in report["events"]["rejections"]] == [
        ("schedules", 2),
        ("events", 6),
        ("events", 13),
    ]
    assert "schedules line 2: not valid JSON" in err


def test_a_missing_log_is_an_error_message_not_a_traceback(tmp_path, capsys):
    assert main(["replay", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_installed_command_reads_stdin(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", "replay", "-"],
        input=SAMPLE.read_bytes(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["events"]["lines"] == 17


def test_policy_takes_a_shipped_profile_by_name_or_a_file(tmp_path, capsys):
    assert main(["replay", str(SAMPLE), "--policy", "germany"]) == 0
    assert json.loads(capsys.readouterr().out)["config"]["breaks"]["name"] == "germany"
    own = tmp_path / "ours.yaml"
    own.write_text("name: ours\nextends: default\n")
    assert main(["replay", str(SAMPLE), "--policy", str(own)]) == 0
    assert json.loads(capsys.readouterr().out)["config"]["breaks"]["name"] == "ours"


def test_an_unreadable_policy_is_an_error_message(tmp_path, capsys):
    assert main(["replay", str(SAMPLE), "--policy", str(tmp_path / "missing.yaml")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "missing.yaml" in err


def test_by_day_writes_agent_and_team_rows_as_json_or_csv(tmp_path, capsys):
    assert main(["replay", str(SAMPLE), "--by", "day", "--event-clock"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (report["by"], report["timezone"]) == ("day", "UTC")
    assert [(row["id"], row["period"]) for row in report["agents"]] == [("a1", "2026-11-24"), ("a2", "2026-11-24")]
    assert [(row["id"], row["agents"]) for row in report["teams"]] == [("team-1", 2)]
    assert "17 lines: 12 accepted, 1 duplicate, 1 late, 2 rejected" in err
    target = tmp_path / "days.csv"
    assert main(["replay", str(SAMPLE), "--by", "shift", "--format", "csv", "--output", str(target)]) == 0
    header, *rows = target.read_text().splitlines()
    assert header.startswith("scope,id,team_id,period,start,end,agents,handle_seconds,available_seconds,aux_seconds")
    assert [row.split(",")[0] for row in rows] == ["agent", "agent", "team"]


def test_by_day_with_an_unknown_time_zone_says_so(capsys):
    assert main(["replay", str(SAMPLE), "--by", "day", "--timezone", "Mars/Olympus"]) == 2
    assert "--timezone 'Mars/Olympus' is not a known time zone" in capsys.readouterr().err


def test_a_format_or_zone_without_by_is_refused_with_what_to_add(capsys):
    assert main(["replay", str(SAMPLE), "--format", "csv"]) == 2
    assert "add --by" in capsys.readouterr().err
