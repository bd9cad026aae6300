"""Input that is valid JSON of the right shape and still poison is refused, with a kind of its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from floorwatch.core.codec import DEFAULT_BOUNDS, InvalidEvent, decode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold

GOOD: dict[str, Any] = {
    "event_id": "e1",
    "occurred_at": "2026-11-24T08:00:00Z",
    "source": "test",
    "schema_version": 1,
    "type": "agent.state_changed",
    "data": {"agent_id": "a1", "state": "AVAILABLE", "team_id": "t1", "site_id": "s1", "queues": ["q1"]},
}
RECEIVED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()


def _with(**data: object) -> bytes:
    return json.dumps({**GOOD, "data": {**GOOD["data"], **data}}).encode()


def _refusal(raw: bytes, received: float | None = RECEIVED) -> InvalidEvent:
    with pytest.raises(InvalidEvent) as refused:
        decode(raw, received)
    return refused.value


def test_a_good_event_passes_every_bound():
    assert decode(json.dumps(GOOD).encode(), RECEIVED).event_id == "e1"


@pytest.mark.parametrize("team_id", ["\u001fteam", "team\x00", "te\nam", "\u0085team", "x" * 201])
def test_ids_with_control_characters_or_over_200_characters_are_out_of_bounds(team_id: str):
    problem = _refusal(_with(team_id=team_id))
    assert problem.kind == "out_of_bounds"
    assert "data.team_id" in problem.reason


def test_an_id_with_ordinary_unicode_is_fine():
    assert decode(_with(team_id="équipe-lisboa-ção"), RECEIVED).data.team_id == "équipe-lisboa-ção"


def test_an_event_from_the_future_is_out_of_bounds_and_says_what_to_check():
    raw = json.dumps({**GOOD, "occurred_at": "2100-01-01T00:00:00Z"}).encode()
    problem = _refusal(raw)
    assert problem.kind == "out_of_bounds" and "producer's clock" in problem.reason


def test_five_minutes_ahead_of_the_record_time_is_still_accepted_and_a_second_more_is_not():
    limit = RECEIVED - DEFAULT_BOUNDS.max_ahead_seconds
    assert decode(json.dumps(GOOD).encode(), limit).event_id == "e1"
    assert _refusal(json.dumps(GOOD).encode(), limit - 1).kind == "out_of_bounds"


def test_without_a_record_time_only_the_earliest_bound_applies():
    future = json.dumps({**GOOD, "occurred_at": "2100-01-01T00:00:00Z"}).encode()
    assert decode(future, None).event_id == "e1"
    past = json.dumps({**GOOD, "occurred_at": "1999-12-31T23:59:59Z"}).encode()
    assert _refusal(past, None).kind == "out_of_bounds"


def test_an_event_over_64_kib_is_oversized_before_it_is_parsed():
    problem = _refusal(b"{" + b" " * 70_000 + b"}")
    assert problem.kind == "oversized" and "70002 bytes" in problem.reason


def test_not_json_is_malformed_and_a_schema_miss_is_invalid():
    assert _refusal(b"{nope").kind == "malformed"
    assert _refusal(_with(state="NAPPING")).kind == "invalid"


def test_the_replay_refuses_the_same_events_as_rejections():
    lines = [json.dumps(GOOD).encode(), _with(team_id="\u001fteam"), json.dumps({**GOOD, "event_id": "e9"}).encode()]
    result = fold(decode_lines(lines, received_at_seconds=RECEIVED), MetricConfig())
    assert result.tally.rejected == 1 and result.tally.accepted == 2
    assert set(result.agents) == {"a1"}


def _abandoned(wait: str) -> bytes:
    data = '{"contact_id": "c1", "queue_id": "q1", "wait_seconds": WAIT}'.replace("WAIT", wait)
    return (
        '{"event_id": "e1", "occurred_at": "2026-11-24T08:00:00Z", "source": "test", "schema_version": 1, '
        '"type": "contact.abandoned", "data": ' + data + "}"
    ).encode()


@pytest.mark.parametrize("wait", ["1e400", "-1e400", "NaN", "Infinity", "1e300", "2678400.5"])
def test_a_wait_that_is_not_finite_or_longer_than_a_month_is_refused_so_no_sum_can_overflow(wait: str):
    refusal = _refusal(_abandoned(wait))
    assert refusal.kind in {"invalid", "malformed"}
    assert "wait_seconds" in refusal.reason or refusal.kind == "malformed"


def test_an_email_that_waited_three_days_and_a_wait_of_exactly_a_month_are_still_accepted():
    assert decode(_abandoned("259200"), RECEIVED).data.wait_seconds == 259_200
    assert decode(_abandoned("2678400"), RECEIVED).data.wait_seconds == 31 * 86_400


def test_the_replay_report_of_a_log_with_an_infinite_wait_can_be_written(tmp_path):
    from floorwatch.cli import main

    log, report = tmp_path / "events.jsonl", tmp_path / "report.json"
    log.write_bytes(_abandoned("1e400") + b"\n" + _abandoned("12.5").replace(b'"e1"', b'"e2"') + b"\n")
    assert main(["replay", "--no-progress", str(log), "--output", str(report)]) == 0
    events = json.loads(report.read_text())["events"]
    assert (events["accepted"], events["rejected"]) == (1, 1)
    assert "wait_seconds" in events["rejections"][0]["reason"]
