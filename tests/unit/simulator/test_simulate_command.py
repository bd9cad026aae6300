"""`floorwatch simulate` as a user runs it: flags, the JSONL file, the summary, bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from floorwatch.cli import main
from floorwatch.commands.simulate import parse_duration_seconds
from floorwatch.core.codec import decode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import replay
from floorwatch.services.simulator.stats import summarize

SMALL = ["--sites", "1", "--teams-per-site", "2", "--agents-per-team", "6", "--duration", "2h", "--seed", "4"]


def test_a_jsonl_run_writes_a_reproducible_file_and_prints_the_shift_summary(tmp_path, capsys):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["simulate", "--output", str(first), *SMALL]) == 0
    summary = capsys.readouterr().err
    assert "12 agents in 2 teams at 1 sites (1 under-staffed)" in summary
    assert "events/s" in summary and "lisbon-billing" in summary and "(floor)" in summary
    assert main(["simulate", "--to", "jsonl", "--output", str(second), "--quiet", *SMALL]) == 0
    assert first.read_bytes() == second.read_bytes()
    events = [decode(line) for line in first.read_bytes().splitlines()]
    assert events[0].occurred_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_flags_shape_the_floor_start_and_seed(tmp_path):
    path = tmp_path / "shift.jsonl"
    assert (
        main(
            [
                "simulate",
                "--output",
                str(path),
                "--quiet",
                "--agents",
                "25",
                "--agents-per-team",
                "10",
                "--sites",
                "2",
                "--duration",
                "90m",
                "--start",
                "2027-03-01T06:30:00Z",
                "--understaffed-teams",
                "0",
            ]
        )
        == 0
    )
    events = [decode(line) for line in path.read_bytes().splitlines()]
    stats = summarize(events)
    assert sorted(team.agents for team in stats.teams) == [5, 10, 10]
    assert min(e.occurred_at for e in events) == datetime(2027, 3, 1, 6, 30, tzinfo=UTC)
    assert max(e.occurred_at for e in events) < datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_max_events_stops_the_stream_after_that_many(tmp_path):
    path = tmp_path / "cut.jsonl"
    assert main(["simulate", "--output", str(path), "--quiet", "--max-events", "123", *SMALL]) == 0
    assert len(path.read_bytes().splitlines()) == 123


def test_the_file_replays_through_the_core_with_no_rejected_late_or_duplicate_event(tmp_path):
    path = tmp_path / "shift.jsonl"
    assert main(["simulate", "--output", str(path), "--quiet", *SMALL]) == 0
    lines = path.read_bytes().splitlines()
    report = replay(lines, MetricConfig())
    counts = report["events"]
    assert (counts["accepted"], counts["rejected"], counts["late"], counts["duplicate"]) == (len(lines), 0, 0, 0)
    # The core's time-weighted occupancy agrees with the simulator's own measurement.
    for team in summarize(decode(line) for line in lines).teams:
        core = report["teams"][team.team_id]["through_last_event"]["total"]["occupancy_ratio"]
        assert core == pytest.approx(team.occupancy_ratio, abs=1e-5)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--to", "jsonl"], "--to jsonl needs --output"),
        (["--output", "x.jsonl", "--speed", "0"], "--speed: expected a positive number"),
        (["--output", "x.jsonl", "--speed", "fast"], "--speed: expected a positive number"),
        (["--output", "x.jsonl", "--duration", "eight"], "--duration: expected a positive length"),
        (["--output", "x.jsonl", "--start", "yesterday"], "--start: expected an RFC 3339 time"),
        (["--output", "x.jsonl", "--start", "2026-11-24T08:00:00"], "has no UTC offset"),
        (["--output", "x.jsonl", "--understaff-factor", "1.5"], "understaff_ratio: must be a ratio"),
        (["--output", "x.jsonl", "--max-events", "0"], "--max-events: must be at least 1"),
        (["--to", "kafka", "--output", "x.jsonl"], "cannot be combined with --to kafka"),
        (["--output", "/nonexistent-dir/x.jsonl"], "No such file or directory"),
    ],
)
def test_bad_flags_are_refused_with_the_reason_and_exit_code_2(flags, message, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["simulate", *flags]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("text", "seconds"), [("8h", 28800.0), ("90m", 5400.0), ("600s", 600.0), ("1.5", 5400.0)])
def test_durations_take_hours_minutes_or_seconds(text, seconds):
    assert parse_duration_seconds(text) == seconds
