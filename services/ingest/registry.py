"""The sources `floorwatch ingest` knows, and how each adapter is put together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from floorwatch.services.ingest.emit import Emitter
from floorwatch.services.ingest.mapping import load_mapping
from floorwatch.services.ingest.protocol import Adapter
from floorwatch.services.ingest.roster import Roster

# source name -> the mapping table file it uses (mappings/<name>.yaml); None: the source has no states to map
SOURCES: dict[str, str | None] = {
    "asterisk": "asterisk",
    "asterisk-db": "asterisk",
    "amazon-connect": "amazon-connect",
    "twilio": "twilio",
    "genesys": "genesys",
    "csv": None,
}
DEFAULT_SESSION_GAP_SECONDS = 900.0
DEFAULT_CLOCK_SKEW_SECONDS = 5.0
DEFAULT_REORDER_WINDOW_SECONDS = 3600.0  # with --follow: a call row may arrive up to a long call's length late


@dataclass(frozen=True)
class IngestOptions:
    roster: Roster = field(default_factory=Roster)
    mapping_path: Path | None = None
    timezone: tzinfo | None = None
    session_gap_seconds: float = DEFAULT_SESSION_GAP_SECONDS
    clock_skew_seconds: float = DEFAULT_CLOCK_SKEW_SECONDS
    reorder_window_seconds: float | None = None  # None: read the whole input, then sort (batch)
    placeholder_agents: frozenset[str] = frozenset()  # added to the source's own list


def build_adapter(source: str, options: IngestOptions) -> Adapter:
    """A fresh adapter (its per-agent state starts empty); raises MappingError for a bad --mapping file."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    emitter = Emitter(source, options.roster)
    table = SOURCES[source]
    if table is None:
        from floorwatch.services.ingest.csv_calls import PLACEHOLDER_AGENTS, CsvCallsAdapter, CsvOptions

        csv_options = CsvOptions(
            session_gap_seconds=options.session_gap_seconds,
            zone=options.timezone,
            clock_skew_seconds=options.clock_skew_seconds,
            reorder_window_seconds=options.reorder_window_seconds,
            placeholders=PLACEHOLDER_AGENTS | {name.strip().lower() for name in options.placeholder_agents},
        )
        return CsvCallsAdapter(emitter, csv_options)
    mapping = load_mapping(table, options.mapping_path)
    if source in ("asterisk", "asterisk-db"):
        from floorwatch.services.ingest.asterisk import AsteriskAdapter
        from floorwatch.services.ingest.asterisk_members import PLACEHOLDER_MEMBERS

        return AsteriskAdapter(
            emitter,
            mapping,
            db_zone=options.timezone,
            db_form=source == "asterisk-db",
            session_gap_seconds=options.session_gap_seconds,
            placeholders=PLACEHOLDER_MEMBERS | {name.strip().lower() for name in options.placeholder_agents},
        )
    if source == "amazon-connect":
        from floorwatch.services.ingest.amazon_connect import AmazonConnectAdapter

        return AmazonConnectAdapter(emitter, mapping)
    if source == "twilio":
        from floorwatch.services.ingest.twilio import TwilioAdapter

        return TwilioAdapter(emitter, mapping)
    from floorwatch.services.ingest.genesys import GenesysAdapter

    return GenesysAdapter(emitter, mapping)
