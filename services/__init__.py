"""Around the worker: platform ingest adapters, the traffic simulator, `floorwatch up` and `floorwatch top`."""
