"""Thin readers: a file (or a growing file) into positioned raw records.

Positions are "line N" so a person can open the file at the record; parsing
failures travel as records with an error instead of exceptions, because one
bad line must not stop the rest of the file.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from floorwatch.services.ingest.protocol import InputFormat, RawRecord

Line = tuple[str, str]  # (position, text without the line break)


def read_lines(stream: TextIO) -> Iterator[Line]:
    for number, text in enumerate(stream, start=1):
        yield f"line {number}", text.rstrip("\r\n")


def follow_lines(
    path: Path,
    should_stop: Callable[[], bool],
    wait: Callable[[float], object],
    poll_seconds: float = 0.5,
) -> Iterator[Line]:
    """Like `tail -F`: every complete line now and later; reopens the file when it is rotated.

    `wait` is how the follower idles (e.g. `threading.Event().wait`), injected so
    tests can append to the file instead of sleeping.
    """
    generation, handle = 0, _open(path)
    number, partial = 0, ""
    try:
        while True:
            chunk = handle.readline()
            if chunk.endswith("\n"):
                number += 1
                yield _label(number, generation), (partial + chunk).rstrip("\r\n")
                partial = ""
                continue
            partial += chunk
            if _rotated(path, handle):
                handle.close()
                generation, handle, number = generation + 1, _open(path), 0
                continue
            if should_stop():
                if partial:
                    yield _label(number + 1, generation), partial.rstrip("\r")
                return
            wait(poll_seconds)
    finally:
        handle.close()


def _open(path: Path) -> TextIO:
    return open(path, encoding="utf-8", errors="replace", newline="")


def _rotated(path: Path, handle: TextIO) -> bool:
    """The path now names another file (moved away) or the file shrank (truncated in place)."""
    try:
        current = os.stat(path)
    except FileNotFoundError:
        return False  # between rename and re-creation: keep reading the old file
    opened = os.fstat(handle.fileno())
    return current.st_ino != opened.st_ino or current.st_size < handle.tell()


def _label(number: int, generation: int) -> str:
    return f"line {number}" if generation == 0 else f"line {number} (after rotation {generation})"


def records(input_format: InputFormat, lines: Iterable[Line]) -> Iterator[RawRecord]:
    if input_format == "json":
        return json_records(lines)
    if input_format == "csv":
        return csv_records(lines)
    return text_records(lines)


def text_records(lines: Iterable[Line]) -> Iterator[RawRecord]:
    for position, text in lines:
        if text.strip():
            yield RawRecord(position, text)


def json_records(lines: Iterable[Line]) -> Iterator[RawRecord]:
    """JSON objects, one per line; also several back to back on a line, as Kinesis Firehose writes them."""
    for position, text in lines:
        found = list(_json_values(text))
        for index, value in enumerate(found, start=1):
            where = position if len(found) == 1 else f"{position}, object {index}"
            if isinstance(value, json.JSONDecodeError):
                yield RawRecord(where, error=f"not valid JSON: {value.msg} at column {value.colno}")
            elif isinstance(value, dict):
                yield RawRecord(where, value)
            else:
                yield RawRecord(where, error=f"expected a JSON object, got {type(value).__name__}")


def _json_values(text: str) -> Iterator[object]:
    """Each JSON value in `text`, then the decoding error that stopped it, if any."""
    decoder, at = json.JSONDecoder(), 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            yield exc
            return
        yield value


def csv_records(lines: Iterable[Line]) -> Iterator[RawRecord]:
    """Rows as dicts keyed by the header (the first non-empty line); `,`, `;` or tab separated."""
    header: list[str] | None = None
    delimiter = ","
    for position, text in lines:
        if not text.strip():
            continue
        if header is None:
            delimiter = "\t" if "\t" in text else (";" if ";" in text and "," not in text else ",")
            header = [name.strip().lower() for name in next(csv.reader([text], delimiter=delimiter))]
            continue
        values = next(csv.reader([text], delimiter=delimiter))
        if len(values) != len(header):
            yield RawRecord(position, error=f"expected {len(header)} columns like the header, got {len(values)}")
            continue
        yield RawRecord(position, {name: value.strip() for name, value in zip(header, values)})
