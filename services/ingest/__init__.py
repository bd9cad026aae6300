"""Adapters from contact-center platforms' feeds to floorwatch's canonical events.

Each source is a pure translator (platform record in, canonical events out, with
small explicit per-agent state where the platform leaves something implicit)
plus a thin reader. `floorwatch ingest` wires a reader, an adapter and a sink:
see `registry.build_adapter`, `pipeline.ingest` and docs/ingest.md.
"""
