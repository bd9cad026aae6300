"""Can an output be linked back to an agent without the key? What an attacker holding the outputs
and a list of plausible agent ids would try: every unkeyed hash (SHA-256, SHA-1, MD5) of each
id, of the id joined with common separators, and of the id joined with what the record itself
says (rule, kind, time), compared with every hex string in the output, whole or as a prefix."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

SEPARATORS = ("", "|", ":", "-", "_", ",", ";", "/", " ", ".", "\x1f", "\t")
HASHES = ("sha256", "sha1", "md5")
HEX = re.compile(r"[0-9a-f]{12,}")
MIN_PREFIX = 12  # shorter hex runs could match by chance


@dataclass(frozen=True)
class Link:
    where: str
    found: str
    preimage: str
    algorithm: str


def digests(text: str) -> dict[str, str]:
    return {name: hashlib.new(name, text.encode()).hexdigest() for name in HASHES}


def _time_forms(value: str) -> list[str]:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return []
    seconds = moment.timestamp()
    return list(dict.fromkeys([f"{seconds:.3f}", f"{seconds}", str(int(seconds)), str(int(seconds * 1000)), value]))


def record_tokens(record: dict) -> tuple[list[str], list[str]]:
    """What a record offers an attacker as the other parts of a hashed id: names (rule, kind, team,
    site) and its times in the usual spellings."""
    names, times = [], []
    for key, value in record.items():
        if not isinstance(value, str) or HEX.fullmatch(value) or key in ("summary", "detail"):
            continue
        forms = _time_forms(value)
        if forms:
            times += forms
        else:
            names.append(value)
    return names, times


def candidates(agent_ids: Iterable[str], names: Iterable[str] = (), times: Iterable[str] = ()) -> set[str]:
    """Preimages: each id alone, with a separator on either side, with a name or a time, and with a
    name and a time, in every order."""
    names, times = list(dict.fromkeys(names)), list(dict.fromkeys(times))
    found: set[str] = set()
    for agent_id in agent_ids:
        found.add(agent_id)
        for sep in SEPARATORS:
            found.update({agent_id + sep, sep + agent_id})
            for other in (*names, *times):
                found.update({sep.join((agent_id, other)), sep.join((other, agent_id))})
            for name, time in itertools.product(names, times):
                found.update(sep.join(order) for order in itertools.permutations((agent_id, name, time)))
    return found


class HexIndex:
    """The hex runs of an output, looked up by length: an id is usually a truncated digest."""

    def __init__(self, text: str):
        self.by_length: dict[int, set[str]] = {}
        for run in set(HEX.findall(text.lower())):
            self.by_length.setdefault(len(run), set()).add(run)
            for size in (32, 40, 64):  # a whole digest at the start of a longer run
                if len(run) > size:
                    self.by_length.setdefault(size, set()).add(run[:size])

    def __bool__(self) -> bool:
        return bool(self.by_length)

    def match(self, digest: str) -> str | None:
        for size, runs in self.by_length.items():
            if size <= len(digest) and digest[:size] in runs:
                return digest[:size]
        return None


def links(where: str, text: str, preimages: Iterable[str]) -> list[Link]:
    """Every hex run in `text` that is (a prefix of) an unkeyed hash of a preimage."""
    index = HexIndex(text)
    if not index:
        return []
    hits = []
    for preimage in preimages:
        for name, digest in digests(preimage).items():
            found = index.match(digest)
            if found is not None:
                hits.append(Link(where, found, preimage, name))
    return hits


def search_records(where: str, records: Iterable[dict], agent_ids: list[str]) -> list[Link]:
    """Per record, the id guesses built with the record's own names and times."""
    found = []
    for record in records:
        text = " ".join(str(v) for v in record.values())
        if HEX.search(text.lower()):
            found += links(where, text, candidates(agent_ids, *record_tokens(record)))
    return found
