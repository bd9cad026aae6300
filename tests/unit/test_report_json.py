"""The replay report's writer gives the bytes json.dump gives, for any JSON a report can hold."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floorwatch.report_json import write_report


def _json_dump(report: Any) -> bytes:
    out = io.StringIO()
    json.dump(report, out, sort_keys=True, indent=2, allow_nan=False)
    out.write("\n")
    return out.getvalue().encode()


def _written(report: Any) -> bytes:
    out = io.BytesIO()
    write_report(report, out)
    return out.getvalue()


_FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            1e-05,
            9e-05,
            0.0001,
            0.00012,
            1e-07,
            2.5e-06,
            1e16,
            1.5e16,
            1.2345678901234568e17,
            1e22,
            -1e-05,
            -0.0,
            0.0,
            5e-324,
            1.7976931348623157e308,
            123456.789,
            0.1,
        ]
    ),
)
_TRICKY = ["é", "\x7f", "\x1f", "\b\f\n\r\t", '"\\', "/", "🙂", "e-5 0.00001"]
_TEXT = st.one_of(st.text(max_size=6), st.sampled_from(_TRICKY))
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), _FLOATS, _TEXT)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.one_of(_TEXT, st.just("agents")), _VALUES, max_size=5),
    st.dictionaries(_TEXT, _VALUES, max_size=4),
)
def test_any_report_is_written_byte_for_byte_as_json_dump_writes_it(report, agents):
    report = {**report, "agents": agents}
    assert _written(report) == _json_dump(report)


def test_an_empty_report_and_an_empty_agents_object_are_written_as_json_dump_writes_them():
    for report in ({}, {"agents": {}}, {"agents": {"a": {}}, "b": []}):
        assert _written(report) == _json_dump(report)


def test_numbers_python_writes_with_an_exponent_keep_it():
    report = {"agents": {"a1": {"tiny_ratio": 1e-06, "huge": 1e16, "list": [5e-05, 0.0001]}}}
    written = _written(report)
    assert b"1e-06" in written and b"1e+16" in written and b"5e-05" in written and b"0.0001" in written
    assert written == _json_dump(report)
