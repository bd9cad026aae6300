"""State-mapping tables: platform states and reason codes -> floorwatch AgentState.

Each source ships defaults in `mappings/<source>.yaml`: named tables (for
example `statuses` and `status_types` for Amazon Connect) of platform value ->
floorwatch state. An operator's file (`--mapping FILE`) has the same shape and
adds or overrides entries table by table. Keys match case-insensitively, since
platforms are inconsistent (Genesys writes both "Available" and "AVAILABLE").
A value with no entry is reported as unmapped by the adapter, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from floorwatch.core.events import AgentState

DEFAULTS_DIR = Path(__file__).parent / "mappings"


class MappingError(ValueError):
    """A mapping file cannot be used; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class StateMapping:
    source: str
    tables: Mapping[str, Mapping[str, AgentState]]

    def lookup(self, table: str, key: str) -> AgentState | None:
        return self.tables.get(table, {}).get(key.strip().casefold())


def load_mapping(source: str, override: Path | None = None) -> StateMapping:
    """The source's default tables, extended or overridden by the operator's file."""
    defaults_path = DEFAULTS_DIR / f"{source}.yaml"
    tables = _read_tables(defaults_path, known=None)
    if override is not None:
        for name, entries in _read_tables(override, known=set(tables)).items():
            tables[name] = {**tables[name], **entries}
    return StateMapping(source, MappingProxyType({name: MappingProxyType(t) for name, t in tables.items()}))


def _read_tables(path: Path, known: set[str] | None) -> dict[str, dict[str, AgentState]]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise MappingError(f"mapping {path}: cannot read it ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping {path}: not valid YAML ({exc})") from None
    if not isinstance(document, dict):
        raise MappingError(f"mapping {path}: expected tables of 'platform value: FLOORWATCH_STATE'")
    return {name: _read_table(path, name, entries, known) for name, entries in document.items() if name != "source"}


def _read_table(path: Path, name: Any, entries: Any, known: set[str] | None) -> dict[str, AgentState]:
    if known is not None and name not in known:
        raise MappingError(f"mapping {path}: unknown table {name!r}; this source has: {', '.join(sorted(known))}")
    if not isinstance(entries, dict):
        raise MappingError(f"mapping {path}: table {name!r} must map platform values to floorwatch states")
    table = {}
    for key, value in entries.items():
        try:
            state = AgentState(str(value).strip().upper())
        except ValueError:
            valid = ", ".join(state.value for state in AgentState)
            raise MappingError(f"mapping {path}: {name}.{key}: {value!r} is not a floorwatch state ({valid})") from None
        table[str(key).strip().casefold()] = state
    return table
