"""The fast decoding path accepts nothing the reference (pydantic) refuses, and makes the same objects.

`codec.decode` tries `fast_event` first and asks pydantic (`codec.validate`) whenever it
returns None. So two things must hold for every line: the fast path, when it answers, gives
exactly the reference's event; and `decode` gives the reference's verdict, kind and reason.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Field

from floorwatch.core.codec import DEFAULT_BOUNDS, InvalidEvent, _within, decode, encode, validate
from floorwatch.core.events import _Frozen
from floorwatch.core.fast_decode import _derive, fast_event
from floorwatch.services.simulator.settings import SimulatorSettings
from tests.unit.simulator.simulated_shift import generate

T = "2026-11-24T08:00:00Z"
ENVELOPE: dict[str, Any] = {"event_id": "e1", "occurred_at": T, "source": "test", "schema_version": 1}
SAMPLES: list[dict[str, Any]] = [
    {"type": "agent.state_changed", "data": {"agent_id": "a1", "state": "AVAILABLE", "team_id": "t", "site_id": "s"}},
    {
        "type": "agent.state_changed",
        "data": {
            "agent_id": "a1",
            "state": "BREAK",
            "team_id": "t",
            "site_id": "s",
            "queues": ["q1", "q2"],
            "reason_code": "rest",
        },
    },
    {"type": "contact.offered", "data": {"contact_id": "c1", "queue_id": "q1", "channel": "chat"}},
    {"type": "contact.answered", "data": {"contact_id": "c1", "queue_id": "q1", "agent_id": "a1", "wait_seconds": 3}},
    {
        "type": "contact.answered",
        "data": {"contact_id": "c1", "queue_id": "q1", "answered_by": "system", "wait_seconds": 0.5},
    },
    {"type": "contact.held", "data": {"contact_id": "c1", "queue_id": "q1", "agent_id": "a1"}},
    {
        "type": "contact.transferred",
        "data": {"contact_id": "c1", "queue_id": "q1", "agent_id": "a1", "to_queue_id": "q2", "to_agent_id": None},
    },
    {"type": "contact.ended", "data": {"contact_id": "c1", "queue_id": "q1", "agent_id": "a1", "complaint": True}},
    {
        "type": "contact.abandoned",
        "data": {"contact_id": "c1", "queue_id": "q1", "wait_seconds": 12.25, "on_hold_seconds": 1},
    },
    {"type": "contact.sentiment", "data": {"contact_id": "c1", "queue_id": "q1", "agent_id": "a1", "score": -1}},
    {
        "type": "schedule.published",
        "data": {
            "agent_id": "a1",
            "shift_start": T,
            "shift_end": "2026-11-24T16:00:00+01:00",
            "activities": [{"kind": "break", "start": "2026-11-24T10:00:00.5Z", "end": "2026-11-24T10:15:00Z"}],
        },
    },
]


def _line(sample: dict[str, Any], **envelope: Any) -> bytes:
    return json.dumps({**ENVELOPE, **sample, **envelope}, ensure_ascii=False).encode()


def assert_same_as_reference(raw: bytes | str) -> None:
    """The fast path's answer, if any, is the reference's object; decode's verdict is the reference's."""
    try:
        expected: Any = validate(raw)
    except InvalidEvent as problem:
        expected = problem
    fast = fast_event(raw)
    if fast is not None:
        assert not isinstance(expected, InvalidEvent), f"fast path accepted what the reference refuses: {raw!r}"
        _assert_identical(fast, expected)
    try:  # decode = the reference, then the input bounds
        expected = _within(expected, None, DEFAULT_BOUNDS) if not isinstance(expected, InvalidEvent) else expected
    except InvalidEvent as problem:
        expected = problem
    try:
        got: Any = decode(raw)
    except InvalidEvent as problem:
        assert isinstance(expected, InvalidEvent), f"refused what the reference accepts: {raw!r}"
        assert (problem.reason, problem.kind) == (expected.reason, expected.kind)
        return
    assert not isinstance(expected, InvalidEvent), f"accepted what the reference refuses: {raw!r}"
    _assert_identical(got, expected)


def _assert_identical(got: Any, expected: Any) -> None:
    assert type(got) is type(expected)
    assert got == expected
    assert repr(got) == repr(expected)  # field order and values, nested
    assert encode(got) == encode(expected)
    for mine, theirs in ((got, expected), (got.data, expected.data)):
        assert mine.model_fields_set == theirs.model_fields_set
        assert mine.__pydantic_extra__ == theirs.__pydantic_extra__
        assert mine.__pydantic_private__ == theirs.__pydantic_private__
    assert got.occurred_at.tzinfo is expected.occurred_at.tzinfo


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s["type"])
def test_the_fast_path_decodes_every_event_type_to_the_reference_object(sample):
    raw = _line(sample)
    assert fast_event(raw) is not None, "the common event must take the fast path, or it is no faster"
    assert_same_as_reference(raw)
    assert_same_as_reference(raw.decode())


def test_every_event_of_a_simulated_shift_takes_the_fast_path_to_the_reference_object():
    shift = generate(SimulatorSettings(seed=3, sites=2, teams_per_site=1, agents_per_team=4))
    for event in shift.events[:2000]:
        raw = encode(event)
        assert fast_event(raw) is not None
        assert_same_as_reference(raw)


def test_ids_of_agents_teams_sites_and_queues_are_one_string_object_per_value_across_events():
    # What pydantic's string cache gave the fold: a month of outputs holding one copy of each id, not one per event.
    events = [fast_event(_line(sample, event_id=f"e{n}")) for n in range(2) for sample in SAMPLES]
    shared = [
        value
        for event in events
        for name in ("agent_id", "team_id", "site_id", "queue_id", "to_queue_id")
        for value in _as_tuple(getattr(event.data, name, None))
    ]
    assert len(shared) > 20
    assert len({id(value) for value in shared}) == len(set(shared))


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize(
    "raw, why",
    [
        (_line(SAMPLES[0], event_id="e\\u0001"), "an escape may hide a control character"),
        (_line(SAMPLES[0], event_id="e\\u00e9"), "an escape, even a harmless one"),
        (_line(SAMPLES[0], event_id="e\x7f"), "DEL"),
        (_line(SAMPLES[0], event_id="e\u0085"), "a C1 control character"),
        (_line(SAMPLES[0], occurred_at="2026-11-24T08:00:00.1234567Z"), "msgspec rounds what pydantic truncates"),
        (_line(SAMPLES[0], occurred_at="2026-11-24T08:00:00.9999999Z"), "rounding would reach the next second"),
        (_line(SAMPLES[0], occurred_at=1_700_000_000), "a Unix time, which pydantic reads"),
        (_line(SAMPLES[0], schema_version=1.0), "a lax number"),
        (_line(SAMPLES[3], data={**SAMPLES[3]["data"], "wait_seconds": "3"}), "a number as a string"),
        (_line(SAMPLES[3], data={k: v for k, v in SAMPLES[3]["data"].items() if k != "agent_id"}), "no agent"),
        (b'{"type":"contact.offered","type":"contact.held"}', "a repeated tag"),
    ],
)
def test_lines_the_fast_path_cannot_vouch_for_go_to_the_reference(raw, why):
    assert fast_event(raw) is None, why
    assert_same_as_reference(raw)


def test_ordinary_unicode_outside_the_c1_range_keeps_the_fast_path():
    raw = _line(SAMPLES[0], source="équipe-ção-東京-🙂")
    assert fast_event(raw) is not None
    assert_same_as_reference(raw)


def test_lengths_count_characters_as_the_reference_does():
    for text in ("é" * 200, "é" * 201, "🙂" * 200, "🙂" * 201, ""):
        assert_same_as_reference(_line(SAMPLES[0], event_id=text))


# --- random and mutated lines ------------------------------------------------------------------

_TEXT = st.one_of(
    st.sampled_from(["a1", "", "x" * 200, "x" * 201, "é", "\x00", "\x1f", "\x7f", "\x85", "\x9f", "\xa0", "🙂", "\\"]),
    st.text(max_size=8),
)
_TIME = st.one_of(
    st.sampled_from(
        [
            T,
            "2026-11-24t08:00:00z",
            "2026-11-24 08:00:00Z",
            "2026-11-24T08:00:00+02:00",
            "2026-11-24T08:00:00-00:00",
            "2026-11-24T08:00:00+0200",
            "2026-11-24T08:00Z",
            "2026-11-24T08:00:00.1234565Z",
            "2026-11-24T08:00:00,5Z",
            "2026-11-24T08:00:00",
            "2026-02-30T08:00:00Z",
            "2026-11-24T24:00:00Z",
            "1999-12-31T23:59:59Z",
            "2026-11-24T08:00:00.123+01:30",
            "2026-11-24T08:00:00+23:59",
            "0001-01-01T00:00:00Z",
        ]
    ),
    st.from_regex(
        r"\A20[0-9]{2}-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-6][0-9](\.[0-9]{1,9})?"
        r"(Z|[+-][0-2][0-9]:?[0-5][0-9])?\Z"
    ),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
)
_NUMBER = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**30), 10**30),
    st.sampled_from([0, -0.0, 1, -1, 1.0000000000000002, 5e-324, 1e308, "3", "1e3", True, None]),
)
_VALUE = st.one_of(_TEXT, _NUMBER, _TIME, st.booleans(), st.none(), st.lists(_TEXT, max_size=3))


@st.composite
def _event_like(draw: st.DrawFn) -> dict[str, Any]:
    event = json.loads(json.dumps({**ENVELOPE, **draw(st.sampled_from(SAMPLES))}))
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(["envelope", "data"]))
        fields = event["data"] if target == "data" and isinstance(event.get("data"), dict) else event
        name = draw(st.sampled_from([*sorted(fields), "extra", "agent_id", "answered_by", "queues", "activities"]))
        action = draw(st.sampled_from(["set", "drop"]))
        if action == "drop":
            fields.pop(name, None)
        else:
            fields[name] = draw(_VALUE)
    return event


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_event_like(), st.booleans())
def test_random_events_get_the_reference_verdict_reason_and_object(event, ascii_only):
    assert_same_as_reference(json.dumps(event, ensure_ascii=ascii_only).encode())


_EDITS = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255), st.integers(0, 2)), max_size=4)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), _EDITS)
def test_mutated_lines_get_the_reference_verdict_reason_and_object(sample, edits):
    raw = bytearray(_line(sample))
    for position, byte, how in edits:
        at = position % (len(raw) + 1)
        if how == 0:
            raw[at:at] = bytes([byte])  # insert
        elif how == 1 and at < len(raw):
            raw[at] = byte  # replace
        else:
            del raw[at : at + 1]  # delete
    assert_same_as_reference(bytes(raw))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SAMPLES), st.text(alphabet=st.characters(max_codepoint=0x2FF), min_size=1, max_size=4))
def test_any_character_in_an_id_gets_the_reference_verdict(sample, text):
    for ascii_only in (True, False):
        assert_same_as_reference(json.dumps({**ENVELOPE, **sample, "event_id": text}, ensure_ascii=ascii_only).encode())


# --- the derivation refuses what it cannot carry over --------------------------------------------


def test_a_rule_the_fast_path_does_not_know_stops_the_import_instead_of_being_skipped():
    class Coded(_Frozen):
        code: Annotated[str, Field(pattern=r"^[A-Z]+$")]

    with pytest.raises(TypeError, match="fast decoding cannot carry over the constraint"):
        _derive(Coded)


def test_a_text_line_with_a_lone_surrogate_goes_to_the_reference():
    raw = json.dumps({**ENVELOPE, **SAMPLES[2], "event_id": "e\ud800x"}, ensure_ascii=False)
    assert fast_event(raw) is None
    assert_same_as_reference(raw)
