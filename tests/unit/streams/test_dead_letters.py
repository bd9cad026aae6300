"""A dead-letter record always fits what a producer may send, and still identifies the input."""

from __future__ import annotations

import base64
import hashlib
import json

from floorwatch.streams.messages import RawMessage
from floorwatch.streams.records import dead_letter

PRODUCER_LIMIT_BYTES = 1_048_576


def _letter(value: bytes, key: bytes | None = b"a1") -> dict:
    send = dead_letter("dlq", RawMessage("in", 3, 42, key, value), "oversized", "too big")
    assert send.value is not None
    assert len(send.value) + len(send.key or b"") < PRODUCER_LIMIT_BYTES
    return json.loads(send.value)


def test_a_small_value_is_kept_whole():
    letter = _letter(b'{"x": 1}')
    assert base64.b64decode(letter["value_base64"]) == b'{"x": 1}'
    assert letter["value_truncated"] is False and letter["value_bytes"] == 8


def test_a_value_at_the_brokers_limit_keeps_a_prefix_its_size_and_its_hash():
    value = b"y" * 1_048_000
    letter = _letter(value)
    assert letter["value_truncated"] is True
    assert base64.b64decode(letter["value_base64"]) == value[:4096]
    assert letter["value_bytes"] == len(value)
    assert letter["value_sha256"] == hashlib.sha256(value).hexdigest()
    assert (letter["topic"], letter["partition"], letter["offset"]) == ("in", 3, 42)


def test_a_huge_key_is_cut_too():
    letter = _letter(b"{}", key=b"k" * 500_000)
    assert len(base64.b64decode(letter["key_base64"])) == 1024
