"""The shift report's content: the replay's figures, scoped and shown as the privacy mode allows."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC
from pathlib import Path

import pytest

from floorwatch.core.config import MetricConfig
from floorwatch.core.period_report import replay_periods
from floorwatch.core.periods import PeriodKind
from floorwatch.report.data import Privacy, Scope, fold_for_report, report_data, sites_and_teams
from floorwatch.report.page import render
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode
from tests.unit.report.conftest import KEY, floorwatch

CONFIG = MetricConfig()
NAMED = Privacy(per_agent=True, label=lambda agent_id: agent_id, mode="named")


@pytest.fixture(scope="module")
def lines(simulated_log: Path) -> list[bytes]:
    return simulated_log.read_bytes().splitlines(keepends=True)


@pytest.fixture(scope="module")
def folded(lines):
    return fold_for_report(lines, CONFIG, PeriodKind.SHIFT, UTC)


def agent_ids(lines: list[bytes]) -> set[str]:
    return {m.decode() for line in lines for m in re.findall(rb'"agent_id":\s*"([^"]+)"', line)}


def test_the_tables_are_the_replays_rows_for_the_same_log(lines, folded):
    replayed = replay_periods(lines, CONFIG, PeriodKind.SHIFT, UTC)
    data = report_data(folded, Scope("floor"), NAMED)
    assert data["team_rows"] == replayed["teams"]
    assert data["agent_rows"] == replayed["agents"]
    assert len(data["team_rows"]) == 4


def test_violations_by_rule_add_up_to_the_violations_in_the_rows(folded):
    data = report_data(folded, Scope("floor"), NAMED)
    assert sum(r["violations"] for r in data["violations_by_rule"]) == sum(
        r["break_violations"] for r in data["team_rows"]
    )


def test_a_site_report_holds_only_that_sites_teams_and_queues(folded):
    sites = sites_and_teams(folded)
    site, teams = next(iter(sites.items()))
    data = report_data(folded, Scope("site", site), NAMED)
    assert {r["team_id"] for r in data["team_rows"]} == set(teams)
    assert {r["team_id"] for r in data["agent_rows"]} == set(teams)
    assert set(data["timeline"]["teams"]) == set(teams)
    assert data["timeline"]["queues"] and all(site.split("-")[0] in q for q in data["timeline"]["queues"])


def test_pseudonymous_mode_shows_keyed_pseudonyms_and_no_agent_id(lines, folded):
    labeller = AgentLabeller(PrivacyMode.PSEUDONYMOUS, KEY.encode())
    privacy = Privacy(per_agent=True, label=labeller.agent_key, mode="pseudonymous")
    data = report_data(folded, Scope("floor"), privacy)
    page = render(data, UTC)
    ids = agent_ids(lines)
    assert {r["id"] for r in data["agent_rows"]} == {labeller.agent_key(a) for a in ids}
    assert not [a for a in ids if re.search(rf"\b{re.escape(a)}\b", page)]


def test_with_per_agent_detail_off_the_page_has_aggregates_only(lines, folded):
    privacy = Privacy(per_agent=False, label=lambda a: a, min_group_size=5, mode="off")
    data = report_data(folded, Scope("floor"), privacy)
    page = render(data, UTC)
    assert data["agent_rows"] == []
    assert 'id="table-agents"' not in page
    assert not [a for a in agent_ids(lines) if re.search(rf"\b{re.escape(a)}\b", page)]
    assert len(data["team_rows"]) == 4  # teams of 6 agents: at least the minimum group size


def test_with_per_agent_detail_off_a_team_smaller_than_the_minimum_is_left_out(folded):
    privacy = Privacy(per_agent=False, label=lambda a: a, min_group_size=7, mode="off")
    data = report_data(folded, Scope("floor"), privacy)
    assert data["team_rows"] == [] and data["timeline"]["teams"] == {} and data["violations_by_rule"] == []


def test_the_page_loads_nothing_from_anywhere(folded):
    page = render(report_data(folded, Scope("floor"), NAMED), UTC)
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    assert len(page) < 600_000  # a day of a 24-agent floor: a few hundred kB


def test_the_same_log_gives_the_same_page_byte_for_byte(folded):
    data = report_data(folded, Scope("floor"), NAMED)
    assert render(data, UTC) == render(data, UTC)


def test_the_command_writes_one_page_per_team(simulated_log, tmp_path):
    env = {**os.environ, "FLOORWATCH_PSEUDONYM_KEY": KEY}
    out = str(tmp_path / "out")
    done = floorwatch("report", str(simulated_log), "--per", "team", "--output", out, "--event-clock", env=env)
    assert done.returncode == 0, done.stderr
    pages = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(pages) == 4 and all(p.startswith("team-") and p.endswith(".html") for p in pages)


def test_the_command_refuses_pseudonyms_without_a_key_and_says_what_to_do(simulated_log, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "FLOORWATCH_PSEUDONYM_KEY"}
    done = floorwatch("report", str(simulated_log), "--output", str(tmp_path / "r.html"), env=env)
    assert done.returncode == 2
    assert "FLOORWATCH_PSEUDONYM_KEY" in done.stderr and "--privacy off" in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_the_command_names_an_unknown_team(simulated_log, tmp_path):
    env = {**os.environ, "FLOORWATCH_PSEUDONYM_KEY": KEY}
    done = floorwatch("report", str(simulated_log), "--team", "nope", "--output", str(tmp_path / "r.html"), env=env)
    assert done.returncode == 2 and "no team 'nope'" in done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from-kafka", "--since", "2026-11-24T00:00:00Z"], "give --since and --until"),
        (["--from-kafka", "--since", "2026-11-24T00:00:00", "--until", "2026-11-25T00:00:00Z"], "no time zone"),
        (["--from-kafka", "--since", "2026-11-25T00:00:00Z", "--until", "2026-11-24T00:00:00Z"], "after --since"),
        ([], "give an event log, or --from-kafka"),
        (["events.jsonl", "--step-minutes", "0"], "--step-minutes must be above 0"),
    ],
)
def test_the_command_explains_a_window_it_cannot_read(args, says, tmp_path):
    env = {**os.environ, "FLOORWATCH_PSEUDONYM_KEY": KEY}
    done = floorwatch("report", *args, "--output", str(tmp_path / "r.html"), env=env)
    assert done.returncode == 2 and says in done.stderr


def test_markup_in_a_team_or_agent_id_is_shown_as_text_never_run():
    from floorwatch.core.codec import encode
    from tests.unit.core.builders import AVAILABLE, LOGGED_OUT, MINUTE, state

    team, agent = "<script>alert(1)</script>", "a</script><script>alert(2)//"
    events = [state(agent, AVAILABLE, 0, team=team), state(agent, LOGGED_OUT, 30 * MINUTE, team=team)]
    folded = fold_for_report([encode(e) for e in events], CONFIG, PeriodKind.SHIFT, UTC)
    page = render(report_data(folded, Scope("floor"), NAMED), UTC)
    assert "<script>alert" not in page and "</script><script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # in the tables, escaped
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert block is not None and json.loads(block.group(1))["team_rows"][0]["id"] == team  # the data keeps it
