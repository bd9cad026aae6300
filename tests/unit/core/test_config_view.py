"""`config.as_dict`, the JSON view of configurations and outputs in the replay report."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum, IntEnum, StrEnum
from typing import Any

from floorwatch.core.config import MetricConfig, as_dict
from floorwatch.core.events import AgentState


def _by_the_book(value: Any) -> Any:
    """The definition the fast one must equal: dataclasses.fields at every level."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _by_the_book(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_by_the_book(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_by_the_book(item) for item in value), key=str)
    if isinstance(value, dict):
        return {str(key): _by_the_book(item) for key, item in value.items()}
    return value


class Level(IntEnum):
    LOW = 1


class Word(StrEnum):
    YES = "yes"


@dataclass(frozen=True)
class Inner:
    level: Level
    word: Word
    names: frozenset[str]


@dataclass(frozen=True)
class Outer:
    ratio: float
    count: int
    flag: bool
    none: None
    inner: Inner
    items: tuple[Inner, ...]
    by_key: dict[AgentState, list[float]]
    kind: type


def test_the_view_of_the_whole_configuration_is_the_field_by_field_one():
    config = MetricConfig()
    assert as_dict(config) == _by_the_book(config)


def test_enums_of_int_and_str_give_their_values_and_a_class_stays_itself():
    inner = Inner(level=Level.LOW, word=Word.YES, names=frozenset({"b", "a"}))
    value = Outer(1.5, 2, True, None, inner, (inner,), {AgentState.AVAILABLE: [0.5]}, Inner)
    viewed = as_dict(value)
    assert viewed == _by_the_book(value)
    assert type(viewed["inner"]["level"]) is int and type(viewed["inner"]["word"]) is str
    assert viewed["inner"]["names"] == ["a", "b"]
    assert viewed["kind"] is Inner
    assert list(viewed) == [f.name for f in dataclasses.fields(Outer)]
