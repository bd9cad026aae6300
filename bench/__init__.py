"""floorwatch benchmarks (not tests): throughput, latency and memory on the real local broker.

Run everything with `python -m bench` (or `python -m bench --quick`); see docs/performance.md.
"""
