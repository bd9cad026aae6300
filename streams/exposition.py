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
import zlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from prometheus_client import generate_latest
from prometheus_client.core import Metric
from prometheus_client.utils import floatToGoString

from floorwatch.streams.agent_lines import agent_lines
from floorwatch.streams.metrics import FloorCollector, FloorSnapshot, head_family, site_family

T = TypeVar("T")
YIELD_EVERY = 500  # items rendered between yields to the event loop
# Items whose lines are joined together, and joined again only when one of them changed. A tick
# changes a few dozen random agents of 10,000: runs of 250 meant joining most of the page again
# every tick; with runs of 25 a tick joins its changed runs and then 400 runs per family.
BLOCK = 25
# Level 1: a tenth of the page's bytes at a fraction of level 6's CPU (the page is mostly repeats).
GZIP_LEVEL = 1
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer, as Content-Encoding: gzip needs


@dataclass(frozen=True)
class Changed:
    """Items (agents' or teams' figures) new or replaced since the last tick, and keys that left."""

    items: Sequence[Any]
    removed: Sequence[str]


@dataclass(frozen=True)
class PageChanges:
    """What a tick changed, when it knows: the page re-renders those items only, not the snapshot's."""

    agents: Changed
    teams: Changed


class _Families:
    """What `generate_latest` reads: anything with `collect()`."""

    def __init__(self, families: Iterable[Metric]):
        self.families = list(families)

    def collect(self) -> list[Metric]:
        return self.families


def render(families: Iterable[Metric]) -> bytes:
    return generate_latest(_Families(families))  # any object with collect() will do


def sample_lines(family: Metric) -> bytes:
    """A gauge family's sample lines as `generate_latest` writes them (labels sorted, values
    escaped, Go float format), without its per-sample name and label validation: about a fifth
    of the cost, and a tick renders every changed agent's 30-odd families."""
    if family.type != "gauge" or any(sample.timestamp is not None for sample in family.samples):
        return split_families(render([family]))[1][0]
    return "".join(_line(s.name, sorted(s.labels.items()), s.value) for s in family.samples).encode()


def gauge_lines(name: str, documentation: str, labels: list[str], rows: Iterable[tuple[Sequence, Any]]) -> bytes:
    """The sample lines `sample_lines` writes for the gauge family `metrics._gauge` builds from the
    same arguments, without building it: a team's and a queue's families are written this way
    (`FloorCollector.team_families(..., gauge=gauge_lines)`), about a hundred lines per team, and
    the metric families and label dicts were most of a tick's cost at five times the live rate."""
    order = sorted(range(len(labels)), key=labels.__getitem__)
    lines = [_line(name, [(labels[i], values[i]) for i in order], float(value)) for values, value in rows]
    return "".join(lines).encode()


def _line(name: str, labels: Sequence[tuple[str, object]], value: float) -> str:
    """One sample line as `generate_latest` writes it: labels in the order given (sorted by the
    callers), values escaped, the number in Go's float format."""
    if not labels:
        return f"{name} {floatToGoString(value)}\n"
    text = ",".join([f'{label}="{_escaped(str(v))}"' for label, v in labels])
    return f"{name}{{{text}}} {floatToGoString(value)}\n"


def _escaped(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


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

    def __init__(
        self,
        families: Callable[[Sequence[T]], Iterable[Metric]],
        key: Callable[[T], Hashable],
        lines: Callable[[T], list[bytes]] | None = None,  # the item's lines written directly, if faster
    ):
        self.families, self.key = families, key
        self._write = lines or self._lines
        self.headers, _ = split_families(render(families(())))
        self.kept: dict[Hashable, tuple[T, list[bytes]]] = {}
        self.keys: list[Hashable] = []
        self.index: dict[Hashable, int] = {}  # key -> its position in `keys`
        self.blocks: list[list[bytes]] = []  # per run of BLOCK items: its lines of each family, joined
        self.joined: list[bytes] = []  # each family's header, then its runs: the section's part of the page

    async def render(self, items: Iterable[T]) -> list[bytes]:
        kept: dict[Hashable, tuple[T, list[bytes]]] = {}
        keys: list[Hashable] = []
        changed: set[int] = set()  # runs holding a re-rendered item
        rendered = 0
        for item in items:
            key = self.key(item)
            held = self.kept.get(key)
            if held is None or held[0] is not item:
                held = (item, self._write(item))
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
            self.joined = self._parts()
        self.kept, self.keys = kept, keys  # items that left the snapshot leave the page
        self.index = {key: at for at, key in enumerate(keys)}
        return self.joined

    async def update(self, items: Iterable[T], removed: Iterable[Hashable]) -> list[bytes]:
        """The page after only `items` changed (a new key goes last) and the `removed` keys left:
        no walk over every item, only the runs holding a change are joined again."""
        gone = [key for key in removed if key in self.kept]
        for key in gone:
            del self.kept[key]
        if gone:  # rare (an agent's value deleted): every run is joined again
            self.keys = [key for key in self.keys if key in self.kept]
            self.index = {key: at for at, key in enumerate(self.keys)}
        changed: set[int] = set()
        for rendered, item in enumerate(items, 1):
            key = self.key(item)
            held = self.kept.get(key)
            if held is not None and held[0] is item:
                continue
            if held is None:
                self.index[key] = len(self.keys)
                self.keys.append(key)
            self.kept[key] = (item, self._write(item))
            changed.add(self.index[key] // BLOCK)
            if rendered % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        if gone or not self.joined:
            self.blocks = [self._join(self.kept, self.keys[at : at + BLOCK]) for at in range(0, len(self.keys), BLOCK)]
        else:
            for block in sorted(changed):
                run = self._join(self.kept, self.keys[block * BLOCK : (block + 1) * BLOCK])
                if block == len(self.blocks):
                    self.blocks.append(run)
                else:
                    self.blocks[block] = run
        if gone or changed or not self.joined:
            self.joined = self._parts()
        return self.joined

    def _parts(self) -> list[bytes]:
        """Each family's header and its runs, not joined: a scrape joins the page once (a 10 MB
        join per tick, and per family, was most of a tick's own cost)."""
        return [part for family, header in enumerate(self.headers) for part in (header, *self._runs(family))]

    def _runs(self, family: int) -> Iterable[bytes]:
        return (block[family] for block in self.blocks)

    def _lines(self, item: T) -> list[bytes]:
        """The item's sample lines, one entry per family (the families are the same for every item)."""
        return [sample_lines(family) for family in self.families((item,))]

    def _join(self, kept: dict[Hashable, tuple[T, list[bytes]]], keys: list[Hashable]) -> list[bytes]:
        if not keys:
            return [b""] * len(self.headers)
        return [b"".join(family) for family in zip(*[kept[key][1] for key in keys], strict=True)]  # one pass


class FloorPage:
    """The floor part of /metrics, replaced whole by each tick; scrapes read `body`."""

    def __init__(self, collector: FloorCollector):
        self.collector = collector
        self.parts: list[bytes] = []  # the page, in pieces; `body` joins them
        self._joined: bytes | None = None  # `parts` joined, once per snapshot
        # The page gzipped and the compressor after it, once per snapshot, shared by its scrapes
        self._gzipped: asyncio.Future[tuple[bytes, Any]] | None = None
        self._gzipper: ThreadPoolExecutor | None = None
        self._teams: _Section[Any] = _Section(
            lambda ts: collector.team_families(list(ts)),
            lambda t: t.team_id,
            lambda t: list(collector.team_families([t], gauge_lines)),
        )
        self._agents: _Section[Any] = _Section(
            lambda a: collector.agent_families(tuple(a)),
            lambda a: a.agent_id,
            lambda a: agent_lines(a, collector.labeller.agent_key),
        )
        self._queues: _Section[Any] = _Section(
            lambda q: collector.queue_families(tuple(q)),
            lambda q: q.queue_id,
            lambda q: list(collector.queue_families((q,), gauge_lines)),
        )

    async def show(self, snapshot: FloorSnapshot, changes: PageChanges | None = None) -> None:
        """The page of `snapshot`: walked whole, or, with `changes`, only those items rendered
        again (the rest of the page is as the last show left it)."""
        collector = self.collector
        parts = [render([head_family(snapshot)])]
        if changes is None:
            parts += await self._teams.render(collector.publishable_teams(snapshot.teams))
        else:
            teams = changes.teams.items
            shown = collector.publishable_teams(tuple(teams))
            hidden = [t.team_id for t in teams if not collector.labeller.group_publishable(t.group.agents_staffed)]
            parts += await self._teams.update(shown, [*changes.teams.removed, *hidden])
        # A handful of queues per team (555 at 10,000 agents): walked, only new figures rendered.
        parts += await self._queues.render(snapshot.queues)
        if collector.labeller.per_agent_allowed:
            if changes is None:
                parts += await self._agents.render(snapshot.agents)
            else:
                parts += await self._agents.update(changes.agents.items, changes.agents.removed)
        parts.append(render([site_family(snapshot)]))
        collector.snapshot = snapshot
        self.parts, self._joined, self._gzipped = parts, None, None

    @property
    def body(self) -> bytes:
        """The page, joined at the first scrape of a snapshot and served as those bytes after."""
        if self._joined is None:
            self._joined = b"".join(self.parts)
        return self._joined

    def body_with(self, tail: bytes) -> bytes:
        """The page and `tail` (the process's own counters, which move with every batch)."""
        return self.body + tail

    async def gzipped_with(self, tail: bytes) -> bytes:
        """`body_with(tail)` as one gzip stream: the page compressed once per snapshot (at its first
        scrape that asks for gzip), and per scrape only the tail, by a copy of the compressor as
        the page left it. Prometheus asks for gzip; 12 MB at 10,000 agents become about 1 MB.

        The page is compressed on a thread of its own: zlib lets go of the interpreter lock while
        it compresses, so the 20-40 ms per snapshot at 10,000 agents no longer hold up the batches
        and ticks on the event loop (a scraper reading every snapshot made that about a sixth of
        the loop's time at five times the live rate)."""
        if self._gzipped is None:
            if self._gzipper is None:
                self._gzipper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="floorwatch-gzip")
            loop = asyncio.get_running_loop()
            self._gzipped = loop.run_in_executor(self._gzipper, _gzipped_page, self.body)
        page, after_page = await self._gzipped  # a later snapshot may replace it meanwhile: this one is ours
        compressor = after_page.copy()
        return page + compressor.compress(tail) + compressor.flush()


def _gzipped_page(body: bytes) -> tuple[bytes, Any]:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WBITS)
    return compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH), compressor


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header takes gzip (`gzip`, `gzip;q=0.5`, `*`; not `gzip;q=0`)."""
    for item in (accept_encoding or "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().lower()
            return not quality.startswith("q=") or _quality(quality[2:]) > 0
    return False


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
