"""The team-load and queue-load records carry the staffing advice's two halves and the per-basis
compliance, and stay valid against their published (closed) schemas."""

from __future__ import annotations

import json

import jsonschema

from floorwatch import contracts
from floorwatch.core import queue
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams import records
from floorwatch.streams.group_step import member_key, team_views
from tests.unit.core.builders import at, team_shift

CONFIG = MetricConfig()


def _morning():
    events = [e for e in team_shift() if e.occurred_at < at(4 * 3600)]
    result = fold(decode_lines([encode(e) for e in events]), CONFIG)
    now = max(t.last_event_seconds or 0.0 for t in result.agents.values())
    return result, now


def _valid(relative: str, value: dict) -> None:
    schema = json.loads((contracts.SCHEMA_DIR / relative).read_text())
    jsonschema.Draft202012Validator(schema).validate(value)


def test_a_queue_load_record_carries_the_agents_needed_and_its_inputs():
    result, now = _morning()
    figures = queue.view(result.queues["q1"], now, CONFIG.queue)
    value = json.loads(records.queue_load("fw.queue-load", figures).value)
    _valid("records/queue.load.v1.json", value)
    assert value["agents_needed"] == figures.staffing.agents_needed is not None
    assert value["staffing_model"] == figures.staffing.model
    assert value["service_level_target_ratio"] == 0.8 and value["service_level_target_seconds"] == 20.0
    assert value["skill"] == "q1"
    assert value["offered_load_erlangs"] == figures.staffing.offered_load_erlangs


def test_a_team_load_record_carries_compliance_per_basis_and_what_the_team_serves_and_could_lend():
    result, now = _morning()
    members = [(member_key(t.team_id or "", t.agent_id), t) for t in result.agents.values()]
    view = team_views(members, lambda t: now, CONFIG)[0]
    send = records.team_load("fw.team-load", "team", view.team_id, view.site_id, now, view.group, {}, view.supply)
    value = json.loads(send.value)
    _valid("records/team.load.v1.json", value)
    assert value["break_compliance_by_basis"] == view.group.break_compliance_ratio_by_basis
    assert set(value["break_compliance_by_basis"]) == {"statute", "guidance", "house_policy"}
    assert value["agents_serving_by_queue"] == view.supply.agents_serving_by_queue
    assert value["agents_movable_by_skill"] == view.supply.agents_movable_by_skill
