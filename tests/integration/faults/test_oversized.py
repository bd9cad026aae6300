"""(e) Records of 900 KB and of the broker's limit among good events: dead-lettered, truncated."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from tests.integration.faults.harness import scenario, simulate
from tests.integration.stream_workers import read_all

BROKER_MESSAGE_MAX_BYTES = 1_048_588  # Kafka's default message.max.bytes (a whole record batch)
BATCH_OVERHEAD_BYTES = 61 + 40  # v2 batch header + one record's framing, generously


def _oversized(size: int, tag: str) -> bytes:
    head = json.dumps({"event_id": tag, "type": "agent.state_changed", "pad": ""}).encode()[:-2]
    return head + b"x" * (size - len(head) - 2) + b'"}'


@pytest.mark.timeout(600)  # the settle deadlines (240 s + 90 s) fail first, with evidence
def test_oversized_records_are_dead_lettered_truncated(make_floor, kafka_bootstrap, tmp_path, pytestconfig):
    lines = simulate(60, "3h", 25, tmp_path)
    with scenario("oversized_records", pytestconfig) as result:
        floor = make_floor(kafka_bootstrap)
        floor.start_worker()
        # Among an agent's own events (same key, same partition), a third and two thirds in.
        agent_line = next(line for line in lines[len(lines) // 3 :] if b'"agent.state_changed"' in line)
        key = json.loads(agent_line)["data"]["agent_id"].encode()
        at_limit = BROKER_MESSAGE_MAX_BYTES - BATCH_OVERHEAD_BYTES - len(key)
        third = len(lines) // 3
        big = {third: _oversized(900 * 1024, "big-900k"), 2 * third: _oversized(at_limit, "big-max")}
        for index in sorted(big, reverse=True):
            lines.insert(index, big[index])
        keys = {index + offset: key for offset, index in enumerate(sorted(big))}
        floor.produce_with(lines, keys, max_request_size=BROKER_MESSAGE_MAX_BYTES)
        floor.verify(result, lines)
        assert all(w.restarts == 0 for w in floor.workers), "an oversized record crashed the worker"

        letters = [value for _, value in read_all(kafka_bootstrap, floor.topics.dead_letter)]
        result.detail["dead_letters"] = len(letters)
        assert len(letters) == 2, [(x["reason_kind"], x["value_bytes"]) for x in letters]
        for letter, original in zip(sorted(letters, key=lambda x: x["value_bytes"]), sorted(big.values(), key=len)):
            assert letter["reason_kind"] == "oversized", letter["reason"]
            assert letter["value_truncated"] is True
            assert letter["value_bytes"] == len(original)
            assert letter["value_sha256"] == hashlib.sha256(original).hexdigest()
            assert original.startswith(base64.b64decode(letter["value_base64"]))
            assert letter["topic"] == floor.topics.agent_events and letter["offset"] >= 0
