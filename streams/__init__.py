"""The Faust stream worker: wiring, batch and tick steps, tables, metrics, settings (docs/architecture.md)."""
