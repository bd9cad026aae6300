"""The /metrics page of the floor figures: rendered once per snapshot, only what changed.

prometheus-client renders every sample on every scrape; at 10,000 agents that is ~67,000
series and about 2 s of CPU on the worker's event loop per scrape, and Prometheus, a dashboard
and `floorwatch top` may all scrape. Here each agent's and each team's lines are rendered (by
prometheus-client itself, from `FloorCollector`'s families) when its figures object is new,
and kept; a page is the kept lines joined under each family's header, built once per tick.
A scrape only sends the bytes. The tick keeps an unchanged agent's figures object
(`views.ViewCache`), which is what makes "new object" mean "changed".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from prometheus_client import generate_latest
from prometheus_client.core import Metric

from floorwatch.streams.metrics import FloorCollector, FloorSnapshot, head_family, site_family

T = TypeVar("T")
YIELD_EVERY = 500  # items rendered between yields to the event loop
BLOCK = 250  # items whose lines are joined together, and joined again only when one of them changed


class _Families:
    """What `generate_latest` reads: anything with `collect()`."""

    def __init__(self, families: Iterable[Metric]):
        self.families = list(families)

    def collect(self) -> list[Metric]:
        return self.families


def render(families: Iterable[Metric]) -> bytes:
    return generate_latest(_Families(families))  # any object with collect() will do


def split_families(text: bytes) -> tuple[list[bytes], list[bytes]]:
    """The text format split into each family's header lines and sample lines.

    Label values and help texts escape newlines, so every line is one header or one sample."""
    headers: list[bytes] = []
    samples: list[list[bytes]] = []
    for line in text.splitlines(keepends=True):
        if line.startswith(b"# HELP "):
            headers.append(line)
            samples.append([])
        elif line.startswith(b"# TYPE "):
            headers[-1] += line
        else:
            samples[-1].append(line)
    return headers, [b"".join(lines) for lines in samples]


class _Section(Generic[T]):
    """Families with one block of lines per item (agent or team), each block rendered once.

    The items' lines are also joined in runs of BLOCK items, per family: when the items are
    the same keys in the same order as last time (the usual tick), only the runs holding a
    re-rendered item are joined again, not the whole 10 MB page (that join was half of a
    tick at 10,000 agents)."""

    def __init__(self, families: Callable[[Sequence[T]], Iterable[Metric]], key: Callable[[T], Hashable]):
        self.families, self.key = families, key
        self.headers, _ = split_families(render(families(())))
        self.kept: dict[Hashable, tuple[T, list[bytes]]] = {}
        self.keys: list[Hashable] = []
        self.blocks: list[list[bytes]] = []  # per run of BLOCK items: its lines of each family, joined
        self.joined: list[bytes] = []

    async def render(self, items: Iterable[T]) -> list[bytes]:
        kept: dict[Hashable, tuple[T, list[bytes]]] = {}
        keys: list[Hashable] = []
        changed: set[int] = set()  # runs holding a re-rendered item
        rendered = 0
        for item in items:
            key = self.key(item)
            held = self.kept.get(key)
            if held is None or held[0] is not item:
                held = (item, split_families(render(self.families((item,))))[1])
                changed.add(len(keys) // BLOCK)
                rendered += 1
                if rendered % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
            kept[key] = held
            keys.append(key)
        if keys != self.keys or not self.joined:
            self.blocks = [self._join(kept, keys[at : at + BLOCK]) for at in range(0, len(keys), BLOCK)]
        else:
            for block in changed:
                self.blocks[block] = self._join(kept, keys[block * BLOCK : (block + 1) * BLOCK])
        if changed or keys != self.keys or not self.joined:
            self.joined = [
                header + b"".join(block[family] for block in self.blocks) for family, header in enumerate(self.headers)
            ]
        self.kept, self.keys = kept, keys  # items that left the snapshot leave the page
        return self.joined

    def _join(self, kept: dict[Hashable, tuple[T, list[bytes]]], keys: list[Hashable]) -> list[bytes]:
        return [b"".join(kept[key][1][family] for key in keys) for family in range(len(self.headers))]


class FloorPage:
    """The floor part of /metrics, replaced whole by each tick; scrapes read `body`."""

    def __init__(self, collector: FloorCollector):
        self.collector = collector
        self.body = b""
        self._teams: _Section[Any] = _Section(lambda ts: collector.team_families(list(ts)), lambda t: t.team_id)
        self._agents: _Section[Any] = _Section(lambda a: collector.agent_families(tuple(a)), lambda a: a.agent_id)
        self._queues: tuple[tuple[Any, ...], bytes] = ((), render(collector.queue_families(())))

    def _queue_lines(self, queues: tuple[Any, ...]) -> bytes:
        """The queue families, rendered again only when a queue's figures object is new (a
        handful of queues per team: 555 at 10,000 agents, rendered every tick before)."""
        held, lines = self._queues
        if len(held) != len(queues) or any(a is not b for a, b in zip(held, queues, strict=True)):
            held, lines = queues, render(self.collector.queue_families(queues))
            self._queues = (held, lines)
        return lines

    async def show(self, snapshot: FloorSnapshot) -> None:
        collector = self.collector
        parts = [render([head_family(snapshot)])]
        parts += await self._teams.render(collector.publishable_teams(snapshot.teams))
        parts.append(self._queue_lines(snapshot.queues))
        if collector.labeller.per_agent_allowed:
            parts += await self._agents.render(snapshot.agents)
        parts.append(render([site_family(snapshot)]))
        collector.snapshot = snapshot
        self.body = b"".join(parts)
