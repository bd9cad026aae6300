"""The metric core: plain, typed Python with no Kafka, Faust or Prometheus in it.

- events, codec: the canonical events and their JSON; routing: which agent and queue an event goes to.
- agent: the per-agent reducer over three sub-tracks, occupancy, stress/ and breaks/, which
  all follow one pattern (track.SubTrack); queue: the per-queue reducer.
- rollup: team, site, queue and floor figures; config: every setting; replay: the batch path.
"""

from floorwatch.core import native

# Before any other core module loads: the compiled build of exactly these sources, if built
# and not switched off (FLOORWATCH_CORE; floorwatch.core.native).
IMPLEMENTATION = native.install()
