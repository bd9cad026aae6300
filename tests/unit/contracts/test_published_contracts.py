"""The published JSON Schemas and AsyncAPI document agree with the code and with their specs."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from floorwatch import contracts
from floorwatch.core.codec import decode, encode

AGENT_EVENT = {
    "event_id": "e-1",
    "type": "agent.state_changed",
    "occurred_at": "2026-11-24T09:00:00Z",
    "source": "test",
    "schema_version": 1,
    "data": {"agent_id": "a1", "state": "ON_CONTACT", "team_id": "t1", "site_id": "s1", "queues": ["billing"]},
}
CONTACT_EVENT = {
    "event_id": "e-2",
    "type": "contact.abandoned",
    "occurred_at": "2026-11-24T09:00:05+00:00",
    "source": "test",
    "schema_version": 1,
    "data": {"contact_id": "c1", "queue_id": "billing", "wait_seconds": 42.5},
}


def _registry() -> Registry:
    resources = []
    for path in contracts.SCHEMA_DIR.rglob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def _validator(relative: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((contracts.SCHEMA_DIR / relative).read_text())
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def test_committed_contract_files_match_what_the_code_generates():
    assert contracts.drift() == [], "run `floorwatch schemas write` and commit the result"


@pytest.mark.parametrize("event", [AGENT_EVENT, CONTACT_EVENT])
def test_an_encoded_event_is_valid_against_its_event_and_topic_schemas(event):
    wire = json.loads(encode(decode(json.dumps(event))))
    _validator(f"events/{event['type']}.v1.json").validate(wire)
    topic = "agent_events" if event["type"].startswith("agent.") else "contact_events"
    _validator(f"topics/{topic}.v1.json").validate(wire)


def test_the_published_schema_rejects_what_the_decoder_rejects():
    unknown_field = {**AGENT_EVENT, "data": {**AGENT_EVENT["data"], "mood": "sad"}}
    missing_type = {k: v for k, v in AGENT_EVENT.items() if k != "type"}
    validator = _validator("events/agent.state_changed.v1.json")
    for bad in (unknown_field, missing_type):
        assert list(validator.iter_errors(bad)), f"schema accepted {bad}"


def _asyncapi_spec_schema() -> dict:
    """The official AsyncAPI 3.0.0 JSON Schema from the @asyncapi/specs npm package (cached)."""
    cache = Path.home() / ".cache" / "floorwatch" / "asyncapi-specs"
    schema_path = cache / "package" / "schemas" / "3.0.0-without-$id.json"
    if not schema_path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot fetch @asyncapi/specs to validate the AsyncAPI document")
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "pack", "@asyncapi/specs@6.11.1", "--silent"], cwd=cache, check=True, capture_output=True, timeout=120
        )
        with tarfile.open(cache / "asyncapi-specs-6.11.1.tgz") as archive:
            archive.extractall(cache, filter="data")
    return json.loads(schema_path.read_text())


def test_the_asyncapi_document_is_valid_asyncapi_3():
    document = yaml.safe_load((contracts.SCHEMA_DIR / "asyncapi.yaml").read_text())
    jsonschema.Draft7Validator(_asyncapi_spec_schema()).validate(document)


def test_the_asyncapi_document_names_every_topic_with_its_direction():
    document = yaml.safe_load((contracts.SCHEMA_DIR / "asyncapi.yaml").read_text())
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {c.name for c in contracts.topic_contracts()}
    actions = {op["action"] for op in document["operations"].values()}
    assert actions == {"send", "receive"}
