"""A deterministic contact-center traffic simulator that emits floorwatch's canonical events.

`build_floor(settings)` plans the floor (sites, teams, agents, schedules, forecast volumes sized
with Erlang C); `simulate(floor, settings)` yields the events of the simulated shift in event-time
order. The sinks write them to a JSONL file or to Kafka, paced by a wall clock when live.
"""

from floorwatch.services.simulator.engine import simulate
from floorwatch.services.simulator.roster import build_floor
from floorwatch.services.simulator.settings import SimulatorSettings

__all__ = ["SimulatorSettings", "build_floor", "simulate"]
