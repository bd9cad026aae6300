"""The published contracts: JSON Schemas per event, record and topic, and the AsyncAPI document.

Everything here is generated from the pydantic models in `floorwatch.core.events`
and `floorwatch.outputs`, so the files in `floorwatch/schemas/` cannot drift from
the code without `floorwatch schemas check` (and the unit tests) saying so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from floorwatch.core.events import EVENT_TYPES
from floorwatch.outputs import OUTPUT_RECORDS
from floorwatch.topics import Topics

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA_BASE_URI = "https://floorwatch.dev/schemas/"


@dataclass(frozen=True)
class TopicContract:
    name: str
    attribute: str
    direction: str  # "in" (floorwatch receives) or "out" (floorwatch sends)
    models: tuple[type[BaseModel], ...]
    key: str
    compacted: bool
    description: str


def topic_contracts(topics: Topics = Topics()) -> tuple[TopicContract, ...]:
    contact = tuple(cls for name, cls in EVENT_TYPES.items() if name.startswith("contact."))
    before_agent = (EVENT_TYPES["contact.offered"], EVENT_TYPES["contact.answered"], EVENT_TYPES["contact.abandoned"])
    with_agent = tuple(cls for cls in contact if cls is not EVENT_TYPES["contact.offered"])
    return (
        TopicContract(
            topics.agent_events,
            "agent_events",
            "in",
            (EVENT_TYPES["agent.state_changed"], *with_agent),
            "agent_id",
            False,
            "Everything about one agent, in the order it happened: state changes and the contact events "
            "that name the agent (answered, held, ended, sentiment...). One topic, so one partition "
            "orders them; floorwatch judges lateness per agent on this order.",
        ),
        TopicContract(
            topics.contact_events,
            "contact_events",
            "in",
            before_agent,
            "queue_id",
            False,
            "Contact events before any agent is involved: offered, abandoned while waiting in queue, and "
            "answered by the system (no agent).",
        ),
        TopicContract(
            topics.schedules,
            "schedules",
            "in",
            (EVENT_TYPES["schedule.published"],),
            "agent_id",
            True,
            "Each agent's planned shift and activities; the newest per agent wins.",
        ),
        TopicContract(
            topics.agent_wellbeing,
            "agent_wellbeing",
            "out",
            (OUTPUT_RECORDS["agent.wellbeing"],),
            "agent_key",
            True,
            "Latest workload and wellbeing figures per agent, as of its last event: at most one record per agent per "
            "tick (0.25 s), for agents with new input. Not published when per-agent detail is off.",
        ),
        TopicContract(
            topics.team_load,
            "team_load",
            "out",
            (OUTPUT_RECORDS["team.load"],),
            "scope_id",
            True,
            "Team and site roll-ups, time-weighted; groups below the minimum size are not published. Each team at "
            "most once per FLOORWATCH_PUBLISH_SECONDS (10 s), and only when its figures (as_of aside) changed.",
        ),
        TopicContract(
            topics.queue_load,
            "queue_load",
            "out",
            (OUTPUT_RECORDS["queue.load"],),
            "queue_id",
            True,
            "Queue pressure: contacts waiting, longest wait, service level, abandon rate. Each queue at most once per "
            "FLOORWATCH_PUBLISH_SECONDS (10 s), and only when its figures (as_of aside) changed.",
        ),
        TopicContract(
            topics.break_violations,
            "break_violations",
            "out",
            (OUTPUT_RECORDS["break.violation"],),
            "agent_key",
            False,
            "One record per violated break rule, with a stable id (consumers de-duplicate on it).",
        ),
        TopicContract(
            topics.alerts,
            "alerts",
            "out",
            (OUTPUT_RECORDS["alert"],),
            "scope_id",
            False,
            "Alert-worthy events for services that act on them (e.g. suggest a recovery break).",
        ),
        TopicContract(
            topics.dead_letter,
            "dead_letter",
            "out",
            (OUTPUT_RECORDS["dead_letter"],),
            "the input record's key",
            False,
            "Input floorwatch could not use: the original bytes, their topic/partition/offset and the reason.",
        ),
    )


def _record_name(model: type[BaseModel]) -> str:
    return model.model_fields["type"].default


def _standalone_schema(model: type[BaseModel], folder: str) -> dict:
    schema = model.model_json_schema()
    name = _record_name(model)
    version = model.model_fields["schema_version"].default
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE_URI}{folder}/{name}.v{version}.json",
        **schema,
    }


def _topic_schema(contract: TopicContract) -> dict:
    refs = [
        {"$ref": f"../{'events' if contract.direction == 'in' else 'records'}/{_record_name(m)}.v1.json"}
        for m in contract.models
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE_URI}topics/{contract.attribute}.v1.json",
        "title": contract.name,
        "description": contract.description,
        "oneOf": refs,
    }


def asyncapi_document(topics: Topics = Topics()) -> dict:
    contracts = topic_contracts(topics)
    models = sorted({m for c in contracts for m in c.models}, key=_record_name)
    _, definitions = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
    )
    messages = {
        _message_id(m): {
            "name": _record_name(m),
            "title": m.__name__,
            "contentType": "application/json",
            "summary": (m.__doc__ or m.__name__).strip().splitlines()[0],
            "payload": {"$ref": f"#/components/schemas/{m.__name__}"},
        }
        for m in models
    }
    channels, operations = {}, {}
    for c in contracts:
        channels[c.attribute] = {
            "address": c.name,
            "description": c.description,
            "messages": {_message_id(m): {"$ref": f"#/components/messages/{_message_id(m)}"} for m in c.models},
            "bindings": {
                "kafka": {
                    "topicConfiguration": {"cleanup.policy": ["compact" if c.compacted else "delete"]},
                    "bindingVersion": "0.5.0",
                }
            },
        }
        action = "receive" if c.direction == "in" else "send"
        operations[f"{action}_{c.attribute}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{c.attribute}"},
            "summary": f"floorwatch {'consumes' if action == 'receive' else 'publishes'} {c.name}; key: {c.key}.",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "floorwatch",
            "version": "1.0.0",
            "description": "Topics floorwatch reads and writes. JSON on the wire; schemas are closed "
            "(additionalProperties: false) and versioned by schema_version.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:19092",
                "protocol": "kafka",
                "description": "The broker `make kafka-up` starts.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": definitions["$defs"]},
    }


def _message_id(model: type[BaseModel]) -> str:
    return _record_name(model).replace(".", "_")


def rendered_files(topics: Topics = Topics()) -> dict[str, str]:
    """Relative path -> file text, for every published contract file."""
    files = {}
    for model in EVENT_TYPES.values():
        files[f"events/{_record_name(model)}.v1.json"] = _dump(_standalone_schema(model, "events"))
    for record in OUTPUT_RECORDS.values():
        files[f"records/{_record_name(record)}.v1.json"] = _dump(_standalone_schema(record, "records"))
    for contract in topic_contracts(topics):
        files[f"topics/{contract.attribute}.v1.json"] = _dump(_topic_schema(contract))
    files["asyncapi.yaml"] = "# Generated by `floorwatch schemas write`; do not edit by hand.\n" + yaml.safe_dump(
        asyncapi_document(topics), sort_keys=False, width=120
    )
    return files


def _dump(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def drift(folder: Path = SCHEMA_DIR) -> list[str]:
    """Paths whose committed text differs from what the code generates (empty when in sync)."""
    expected = rendered_files()
    stale = [p for p, text in expected.items() if not (folder / p).exists() or (folder / p).read_text() != text]
    extra = [
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and str(p.relative_to(folder)) not in expected
    ]
    return sorted(stale + extra)


def write(folder: Path = SCHEMA_DIR) -> list[str]:
    written = []
    for path, text in rendered_files().items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            written.append(path)
    return written
