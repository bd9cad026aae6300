"""The call CSV as real exports write it: concurrent calls, two clocks, any order, placeholder agents."""

from __future__ import annotations

import json
import random

from floorwatch.cli import main
from floorwatch.core.events import AgentState
from floorwatch.services.ingest.registry import IngestOptions
from tests.unit.ingest.ingest_helpers import at, iso, run, simple_figures

A = AgentState
HEADER = "call_id,agent,queue,arrival,answer,end,outcome\n"


def calls(*rows: tuple) -> str:
    return HEADER + "".join(",".join(str(v) for v in row) + "\n" for row in rows)


def test_a_call_answered_while_the_agent_is_on_another_counts_in_its_queue_and_handle_time_once():
    text = calls(
        ("c1", "alice", "sales", iso(0), iso(10), iso(310), "completed"),
        ("c2", "alice", "billing", iso(100), iso(200), iso(400), "completed"),  # a second line, from 200 to 400
        ("c3", "alice", "sales", iso(500), iso(500), iso(560), "completed"),
    )
    result = run("csv", text)
    assert result.report.skipped_total == 0
    assert [(e.data.contact_id, e.data.queue_id) for e in result.of_type("contact.answered")] == [
        ("c1", "sales"),
        ("c2", "billing"),
        ("c3", "sales"),
    ]
    assert result.states("alice") == [
        (at(10), A.ON_CONTACT, None),
        (at(400), A.AVAILABLE, None),  # when the last of the two calls ended
        (at(500), A.ON_CONTACT, None),
        (at(560), A.LOGGED_OUT, None),
    ]
    figures = simple_figures(result.events).agents["alice"]
    assert (figures.handle_seconds, figures.available_seconds) == (390 + 60, 100)
    assert "1 call(s) answered while the same agent was still on another call" in result.report.render()


def test_agent_events_leave_in_time_order_even_when_a_later_answer_ends_first():
    text = calls(
        ("c1", "alice", "q", iso(0), iso(0), iso(600), "completed"),
        ("c2", "alice", "q", iso(60), iso(60), iso(120), "completed"),
    )
    times = [e.occurred_at for e in run("csv", text).events if getattr(e.data, "agent_id", None) == "alice"]
    assert times == sorted(times)


def test_an_arrival_a_few_seconds_after_the_answer_is_clamped_and_counted_and_beyond_the_skew_rejected():
    text = calls(
        ("c1", "alice", "q", iso(12), iso(10), iso(100), "completed"),  # the queue's clock 2 s ahead
        ("c2", "alice", "q", iso(230), iso(200), iso(300), "completed"),  # 30 s: no clock is that far off
        ("c3", "bob", "q", iso(0), iso(50), iso(48), "completed"),  # ended 2 s "before" the answer
    )
    result = run("csv", text)
    answered = {e.data.contact_id: e.data.wait_seconds for e in result.of_type("contact.answered")}
    assert answered == {"c1": 0.0, "c3": 50.0}
    assert [s.position for s in result.report.skipped] == ["line 3"]
    report = result.report.render()
    assert "1 answered row(s) had the arrival after the answer by at most 5 s" in report
    assert "1 row(s) ended up to 5 s before they were answered or arrived" in report
    wider = run("csv", text, IngestOptions(clock_skew_seconds=60))
    assert wider.report.skipped_total == 0


def _month_rows(seed: int) -> list[tuple]:
    rng = random.Random(seed)
    rows, t = [], 0
    for n in range(300):
        t += rng.randint(0, 400)
        agent = rng.choice(["alice", "bob", "carol"])
        wait, talk = rng.randint(0, 90), rng.randint(20, 900)
        answered = rng.random() > 0.1
        answer = iso(t + wait) if answered else ""
        rows.append((f"c{n}", agent, rng.choice(["sales", "billing"]), iso(t), answer, iso(t + wait + talk), "ok"))
    return rows


def test_a_file_in_any_order_gives_the_same_events_as_the_sorted_one():
    rows = _month_rows(seed=7)
    by_arrival = run("csv", calls(*rows))
    by_answer = run("csv", calls(*sorted(rows, key=lambda r: r[4] or r[5])))
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    anyhow = run("csv", calls(*shuffled))
    for other in (by_answer, anyhow):
        assert other.report.skipped_total == 0
        assert sorted(e.event_id for e in other.events) == sorted(e.event_id for e in by_arrival.events)
        assert simple_figures(other.events) == simple_figures(by_arrival.events)


def test_following_a_file_reorders_rows_within_the_window_and_skips_a_row_beyond_it():
    rows = [
        ("c2", "alice", "q", iso(100), iso(100), iso(160), "ok"),
        ("c1", "alice", "q", iso(0), iso(0), iso(60), "ok"),  # 100 s behind: inside a 5-minute window
        ("c3", "alice", "q", iso(1000), iso(1000), iso(1060), "ok"),
        ("c0", "alice", "q", iso(10), iso(20), iso(30), "ok"),  # 980 s behind: the window has moved on
    ]
    result = run("csv", calls(*rows), IngestOptions(reorder_window_seconds=300))
    assert [e.data.contact_id for e in result.of_type("contact.answered")] == ["c1", "c2", "c3"]
    assert [(s.position, "beyond the reordering window of 300 s" in s.reason) for s in result.report.skipped] == [
        ("line 5", True)
    ]


def test_placeholder_agents_are_nobody_answered_rows_go_to_the_queue_as_the_system_or_abandoned():
    text = calls(
        ("c1", "NO_SERVER", "q", iso(0), iso(5), iso(60), "completed"),  # answered by the IVR
        ("c2", "NO_SERVER", "q", iso(0), iso(30), iso(40), "HANG"),  # hung up on the announcement
        ("c3", "none", "q", iso(0), "", iso(8), "abandoned"),
        ("c4", "", "q", iso(0), iso(2), iso(9), "completed"),
        ("c5", "VM", "q", iso(0), iso(3), iso(9), "completed"),  # the operator's own marker
        ("c6", "alice", "q", iso(0), iso(1), iso(9), "completed"),
    )
    result = run("csv", text, IngestOptions(placeholder_agents=frozenset({"vm"})))
    assert {e.data.agent_id for e in result.of_type("agent.state_changed")} == {"alice"}
    answered = {e.data.contact_id: e.data.agent_id for e in result.of_type("contact.answered")}
    assert answered == {"c1": None, "c4": None, "c5": None, "c6": "alice"}
    assert {e.data.contact_id for e in result.of_type("contact.abandoned")} == {"c2", "c3"}
    assert result.report.skipped_total == 0
    assert "4 answered row(s) named a placeholder instead of an agent: 3 counted in their queue as answered by " in (
        result.report.render()
    )


def test_every_skipped_record_goes_to_the_rejects_file_with_its_position_and_reason(tmp_path, capsys):
    good = [("ok1", "alice", "q", iso(0), iso(1), iso(60), "completed")]
    bad = [(f"bad{n}", "alice", "q", "yesterday", iso(1), iso(60), "completed") for n in range(250)]
    feed = tmp_path / "calls.csv"
    feed.write_text(calls(*good, *bad))
    out = tmp_path / "events.jsonl"
    assert main(["ingest", "csv", str(feed), "--output", str(out)]) == 0
    rejects = [json.loads(line) for line in (tmp_path / "events.jsonl.rejects.jsonl").read_text().splitlines()]
    assert len(rejects) == 250  # the report lists 200; the file has them all
    assert rejects[0]["position"] == "line 3" and rejects[-1]["position"] == "line 252"
    assert rejects[0]["reason"] == "arrival 'yesterday' is neither RFC 3339 nor UNIX seconds"
    assert rejects[0]["record"]["call_id"] == "bad0"
    assert "events.jsonl.rejects.jsonl" in capsys.readouterr().err
    chosen = tmp_path / "elsewhere.jsonl"
    assert main(["ingest", "csv", str(feed), "--output", str(out), "--rejects", str(chosen)]) == 0
    assert len(chosen.read_text().splitlines()) == 250
    assert oct(chosen.stat().st_mode & 0o777) == "0o600"


def test_short_abandons_are_named_in_the_ingest_report_next_to_the_abandons():
    text = calls(
        ("c1", "", "q", iso(0), "", iso(3), "abandoned"),  # gone in 3 s
        ("c2", "", "q", iso(0), "", iso(4.9), "abandoned"),
        ("c3", "", "q", iso(0), "", iso(40), "abandoned"),
    )
    report = run("csv", text).report.render()
    assert "contact.abandoned 3" in report
    assert "of the abandons, short (caller gone within 5 s; in no abandon rate): 2" in report


def test_a_field_no_event_can_carry_rejects_its_row_and_not_the_batch():
    text = calls(
        ("c1", "alice", "q", iso(0), iso(1), iso(60), "completed"),
        ("c2", "a" * 300, "q", iso(0), iso(1), iso(60), "completed"),
        ("c3", "bob", "q", iso(0), iso(1), iso(60), "x" * 300),
    )
    result = run("csv", text)
    assert [s.position for s in result.report.skipped] == ["line 3", "line 4"]
    assert result.report.skipped[0].reason.startswith("agent_id: String should have at most 200 characters")
    assert [e.data.contact_id for e in result.of_type("contact.answered")] == ["c1"]
