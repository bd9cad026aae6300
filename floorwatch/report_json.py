"""The replay report as indented JSON: the very bytes `json.dump(report, sort_keys=True, indent=2)`
writes, at orjson's speed, streamed one agent at a time.

Python's json module indents in pure Python (its C encoder cannot indent before 3.13): writing
an 8-hour report of 1,000 agents took longer than decoding its events. orjson writes the same
layout (two spaces, `": "`, sorted keys) except in three places, each handled here:
- floats below 1e-4 or of 1e16 and above: Python writes `1e-05`, orjson `0.00001` or `1e-5`;
  a chunk that may hold one has those numbers rewritten with `repr`, which is what json uses;
- characters outside ASCII and DEL: Python escapes them (`\\u00e9`), orjson writes UTF-8: such a
  chunk is written by the json module itself;
- values orjson would write and json would refuse (dataclasses, dates, str or int subclasses,
  integers beyond 64 bits, keys that are not strings): the chunk is written by the json module.
One difference is left: a non-finite float (NaN, infinity) is written `null` where json.dump
raised halfway through the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, BinaryIO

import orjson

_OPTIONS = (
    orjson.OPT_INDENT_2
    | orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)
# A float token alone on its line's value position, as orjson writes it where repr differs.
_FLOAT_TO_REWRITE = re.compile(rb"(?<=[ \n])(-?(?:0\.0000[0-9]*|[0-9][0-9.]*e[-+][0-9]+))(?=,?\n|,?\Z)")


def write_report(report: Mapping[str, Any], out: BinaryIO, streamed: str = "agents") -> None:
    """`report` to `out`, then a newline; the `streamed` member (an object) one entry at a time,
    so the whole text is never held in memory."""
    out.write(b"{")
    for index, key in enumerate(sorted(report)):
        out.write(b"\n  " if index == 0 else b",\n  ")
        out.write(_scalar(key) + b": ")
        value = report[key]
        if key == streamed and isinstance(value, dict) and value:
            _write_object(value, out)
        else:
            out.write(_value(value, 1))
    out.write(b"\n}\n" if report else b"}\n")


def _write_object(members: Mapping[str, Any], out: BinaryIO) -> None:
    out.write(b"{")
    for index, key in enumerate(sorted(members)):
        out.write(b"\n    " if index == 0 else b",\n    ")
        out.write(_scalar(key) + b": " + _value(members[key], 2))
    out.write(b"\n  }")


def _value(value: Any, depth: int) -> bytes:
    """`value` as json.dumps(value, sort_keys=True, indent=2) writes it at `depth` levels in."""
    if not isinstance(value, (dict, list)):
        return _by_json(value, depth)  # a lone scalar: nothing to gain
    try:
        text = orjson.dumps(value, default=_refuse, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: something only the json module may judge
        return _by_json(value, depth)
    if not text.isascii() or text.find(0x7F) >= 0:
        return _by_json(value, depth)
    if text.find(b"e-") >= 0 or text.find(b"e+") >= 0 or text.find(b"0.0000") >= 0:
        text = _FLOAT_TO_REWRITE.sub(_as_repr, text)
    return text.replace(b"\n", b"\n" + b"  " * depth) if depth else text


def _by_json(value: Any, depth: int) -> bytes:
    text = json.dumps(value, sort_keys=True, indent=2, allow_nan=False)
    return text.replace("\n", "\n" + "  " * depth).encode() if depth else text.encode()


def _scalar(value: Any) -> bytes:
    return json.dumps(value, allow_nan=False).encode()


def _as_repr(match: re.Match[bytes]) -> bytes:
    return repr(float(match.group(1))).encode()


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is left to the json module")
