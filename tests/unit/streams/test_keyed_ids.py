"""Every published id derived from a person is keyed: without the key, hashing guessed agent ids
links nothing (docs/security.md). The searcher of the integration test is checked here too:
it must find the unkeyed ids floorwatch published before."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace
from typing import Any

import pytest

from floorwatch.core.breaks import BreakRuleBreached
from floorwatch.streams import records
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode, WorkerSettings
from floorwatch.topics import Topics
from tests.unlinkability import search_records

AGENTS = [f"agent-{n:03d}" for n in range(1, 33)]
AT = 1_764_000_000.25


def _violation(labeller: AgentLabeller, agent_id: str) -> dict:
    track: Any = SimpleNamespace(agent_id=agent_id, team_id="team-a", site_id="site-1")  # what records read
    breach = BreakRuleBreached(rule="rest_after_work", at_seconds=AT, flagged_at_seconds=AT, detail="no break")
    (send,) = records.agent_outputs(Topics(), labeller, track, breach)
    return json.loads(send.value or b"")


@pytest.mark.parametrize("mode", [PrivacyMode.NAMED, PrivacyMode.PSEUDONYMOUS])
def test_violation_ids_depend_on_the_key_in_every_mode_that_publishes_them(mode: PrivacyMode) -> None:
    one = records.violation_id(AgentLabeller(mode, b"key-one"), "agent-007", "rest", AT)
    other = records.violation_id(AgentLabeller(mode, b"key-two"), "agent-007", "rest", AT)
    again = records.violation_id(AgentLabeller(mode, b"key-one"), "agent-007", "rest", AT)

    assert one != other and one == again and len(one) == 24


@pytest.mark.parametrize("mode", [PrivacyMode.NAMED, PrivacyMode.PSEUDONYMOUS])
def test_a_labeller_that_publishes_per_agent_refuses_to_work_without_a_key(mode: PrivacyMode) -> None:
    with pytest.raises(ValueError, match="FLOORWATCH_PSEUDONYM_KEY"):
        AgentLabeller(mode, b"")


def test_named_mode_without_a_key_is_refused_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOORWATCH_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ValueError, match="FLOORWATCH_PRIVACY=named needs FLOORWATCH_PSEUDONYM_KEY"):
        WorkerSettings(privacy=PrivacyMode.NAMED)


def test_the_searcher_links_the_unkeyed_violation_ids_floorwatch_used_to_publish() -> None:
    """The old id: SHA-256 of "agent|rule|time" (issue 16). The searcher must catch it, or its
    silence about today's ids would prove nothing."""
    record = _violation(AgentLabeller(PrivacyMode.PSEUDONYMOUS, b"secret"), "agent-017")
    record["violation_id"] = hashlib.sha256(f"agent-017|{record['rule']}|{AT:.3f}".encode()).hexdigest()[:24]

    found = search_records("break-violations", [record], AGENTS)

    assert [link.preimage for link in found] == [f"agent-017|rest_after_work|{AT:.3f}"]


@pytest.mark.parametrize(
    "unkeyed",
    [
        lambda a: hashlib.md5(a.encode()).hexdigest(),
        lambda a: hashlib.sha1(f"{a}:".encode()).hexdigest()[:16],
        lambda a: "p-" + hashlib.sha256(a.encode()).hexdigest()[:16],
    ],
)
def test_the_searcher_links_plain_hashes_of_an_id_wherever_they_stand(unkeyed) -> None:
    record = {"agent_key": unkeyed("agent-031"), "team_id": "team-a"}

    assert search_records("agent-wellbeing", [record], AGENTS)


@pytest.mark.parametrize("mode", [PrivacyMode.NAMED, PrivacyMode.PSEUDONYMOUS])
def test_no_unkeyed_hash_of_any_agent_id_links_a_violation_or_alert_today(mode: PrivacyMode) -> None:
    labeller = AgentLabeller(mode, b"a long random secret")
    violations = [_violation(labeller, agent) for agent in AGENTS[:5]]
    sends = [
        records.alert("alerts", labeller, "break_overdue", labeller.agent_key(a), "t", "s", AT, "x") for a in AGENTS[:5]
    ]
    alerts = [json.loads(send.value or b"") for send in sends]

    assert search_records("outputs", violations + alerts, AGENTS[:8]) == []
