"""The worker's clock tick: refresh the figures Prometheus scrapes and publish roll-ups.

Only partitions this worker owns right now are read, so after a rebalance the figures
of moved agents, teams and queues leave this worker's /metrics at the next tick.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from floorwatch.core import queue
from floorwatch.core.agent import AgentFigures, AgentTrack
from floorwatch.core.breaks import BreakRuleBreached
from floorwatch.streams import records
from floorwatch.streams.exposition import Changed, PageChanges
from floorwatch.streams.group_step import KEY_SEPARATOR, TeamView, has_left, same_members, team_of, team_view
from floorwatch.streams.input_watch import InputWatch
from floorwatch.streams.messages import Send
from floorwatch.streams.metrics import FloorSnapshot
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.sending import TickSender
from floorwatch.streams.settings import ClockMode
from floorwatch.streams.state import DecodedCache, StoredAgent
from floorwatch.streams.tick_pacing import LoadCadence, TeamCadence, TickPacer
from floorwatch.streams.views import ViewCache
from floorwatch.streams.wellbeing import WellbeingPublisher

if TYPE_CHECKING:
    from floorwatch.streams.worker import Worker

log = logging.getLogger("floorwatch.streams")
YIELD_EVERY = 500  # items between yields to the event loop, so scrapes and consumers keep moving
# With the wall clock a queue without new input is viewed again this often (its waits grow by the
# second); viewing and rendering all 555 queues of a 10,000-agent floor every tick cost 25 ms.
QUEUE_DRIFT_SECONDS = 1.0


@dataclass(frozen=True)
class AgentChanges(Changed):
    newly_overdue: list[AgentFigures]  # agents whose break became overdue in this tick: an alert each


class Ticker:
    """Refreshes the snapshot /metrics serves and hands the tick's records to the sender."""

    def __init__(
        self, worker: Worker, labeller: AgentLabeller, agents: Any, members: Any, queues: Any, sender: TickSender
    ):
        self.worker, self.labeller = worker, labeller
        self.agents, self.members, self.queues = agents, members, queues
        self.topics, self.sender = worker.topics, sender
        self.announced: set[str] = set()  # violation ids this process already published
        self.raised: set[tuple[str, str]] = set()  # (alert kind, scope) raised and not yet cleared
        self._owned: dict[str, set[int]] = {}
        self.pacer = TickPacer()
        self.team_cadence = TeamCadence()
        self._generation = -1  # of `worker.changed_keys` at the last tick; -1: walk at the first
        self._shown_teams: set[int] = set()  # team partitions complete at the last tick
        self._sites: dict[str, float] = {}  # site -> newest event time of its owned agents
        self._overdue: dict[str, AgentFigures] = {}  # agents whose break is overdue now
        self._agent_figures: tuple[AgentFigures, ...] | None = None  # of the last snapshot
        self._team_index: dict[str, dict[str, None]] = {}  # team -> its owned members' keys, in order
        self.input_watch = InputWatch(worker)
        settings = worker.settings
        drifts = settings.clock is ClockMode.WALL  # with the event clock only new input changes figures
        self.agent_views = ViewCache(worker.config, settings.drift_refresh_seconds, settings.tick_seconds, drifts)
        self.member_views = ViewCache(worker.config, settings.drift_refresh_seconds, settings.tick_seconds, drifts)
        self.team_kept: dict[str, TeamView] = {}
        # team -> (its roll-up last looked at for team-load, what its last record said)
        self.published_teams: dict[str, tuple[TeamView, bytes | None]] = {}
        self.load_cadence = LoadCadence(settings.publish_seconds, settings.tick_seconds)
        # queue -> (stored value, monotonic time, what the record said) of its last queue-load record
        self.published_queues: dict[str, tuple[bytes, float, bytes]] = {}
        self._queue_raw: dict[str, bytes] = {}  # queue -> the stored value this tick viewed
        # queue key -> (stored value, its figures, monotonic time they were viewed)
        self._queue_views: dict[str, tuple[bytes, Any, float]] = {}
        self.queues_decoded = worker.queues_decoded  # shared with the queue step: decoded once per write
        self.wellbeing = WellbeingPublisher(self.topics.agent_wellbeing, labeller, worker.config)

    def partition_summary(self) -> dict[str, list[int]]:
        return {name: sorted(parts) for name, parts in self._owned.items()}

    async def tick(self) -> None:
        progress = self.worker.progress
        behind = sum(progress.behind_messages.values())  # as the last tick measured it
        if self.worker.busy() or not progress.recovered or not self.pacer.due(time.monotonic(), behind):
            return
        started, began = time.time(), time.monotonic()
        actives = self.worker.owned_partitions()
        owned = {
            name: {tp.partition for tp in actives if tp.topic == topic}
            for name, topic in (
                ("agents", self.topics.agent_events),
                ("teams", self.worker.internal.team_members),
                ("queues", self.worker.internal.queue_events),
            )
        }
        changes = self.worker.changed_keys
        # A team partition gained in a rebalance waits until every agent partition's owner has
        # sent its members again (team_rebuild.py): a team with members missing is not shown.
        shown_teams = self.worker.team_rebuild.complete(owned["teams"])
        # Walk every key after a start, an assignment or a recovery; otherwise view only the keys
        # written since the last tick (and the drift refreshes), so an idle tick costs nearly nothing.
        # The members of a team partition that became complete are walked too: they were
        # written before it was shown.
        walk = owned != self._owned or changes.generation != self._generation
        walk_teams = walk or shown_teams != self._shown_teams
        self._owned, self._shown_teams, self._generation = owned, shown_teams, changes.generation
        for name, topic in (
            ("agents", self.topics.agent_events),
            ("teams", self.worker.internal.team_members),
            ("queues", self.worker.internal.queue_events),
        ):
            self.worker.pipeline.partitions.labels(topic).set(len(owned[name]))
        agent_changes, sends = await self._agents(owned["agents"], walk)
        sends += await self.wellbeing.changed(
            self.agent_views.held if walk else self.agent_views.fresh,
            self._stored_track,
            not self.agent_views.drifts,
            complete=walk,
        )
        self.wellbeing.forget(agent_changes.removed)
        if walk_teams or self.team_cadence.due(began):
            team_changes = await self._teams(shown_teams, walk_teams)
            self.team_cadence.ran(began)
        else:  # their marked members wait for the next roll-up; the kept roll-ups are shown
            team_changes = Changed([], [])
        teams = list(self.team_kept.values())
        queues = self._queues(owned["queues"])
        now = self.worker.clock.now()
        sends += self._loads(teams, queues, now)
        sends += self._alerts(teams, agent_changes.newly_overdue, now)
        self.sender.offer(sends)  # before /metrics shows this tick: its records are sent or on their way
        if walk or agent_changes.items or agent_changes.removed or self._agent_figures is None:
            self._agent_figures = tuple(map(attrgetter("figures"), self.agent_views.held.values()))
        agents = self._agent_figures
        snapshot = FloorSnapshot(started, agents, tuple(teams), tuple(queues), dict(self._sites))
        await self.worker.page.show(snapshot, None if walk else PageChanges(agent_changes, team_changes))
        self.input_watch.lag(actives)
        await self.input_watch.nudge_stuck_partitions()
        self.worker.progress.last_tick_at = self.pacer.ran(began, time.monotonic())
        if self.worker.collector_pacing is not None:
            self.worker.collector_pacing.after_tick(time.monotonic())

    def _stored_track(self, agent_id: str, raw: bytes) -> AgentTrack:
        return self.worker.agents_decoded.get(agent_id, raw).track

    def _loads(self, teams: list[TeamView], queues: list, now: float, mono: float | None = None) -> list[Send]:
        """team-load and queue-load records. Each team and queue is looked at once every
        `publish_seconds`, in its own slot of that period (`LoadCadence`): a team whose roll-up
        changed since it was last looked at, a queue whose stored value changed or whose last
        look is `drift_refresh_seconds` old (with the wall clock its windows slide without
        input). Of those, only records whose figures differ from the last record of the same team
        or queue (its `as_of` aside) are sent. Both topics are compacted snapshots."""
        mono = time.monotonic() if mono is None else mono
        slots = self.load_cadence.due_slots(mono)
        if not slots:
            return []
        slot_of = self.load_cadence.slot_of
        sends: list[Send] = []
        published = {}
        for view in teams:
            last = self.published_teams.get(view.team_id)
            if last is not None and (last[0] is view or slot_of(view.team_id) not in slots):
                published[view.team_id] = last
                continue
            said = last[1] if last is not None else None
            if self.labeller.group_publishable(view.group.agents_staffed):
                send = records.team_load(
                    self.topics.team_load,
                    "team",
                    view.team_id,
                    view.site_id,
                    now,
                    view.group,
                    view.agents_by_stress_band,
                    view.supply,
                )
                said = _said(send, said, sends)
            published[view.team_id] = (view, said)
        self.published_teams = published  # teams that moved away are sent afresh if they come back
        return sends + self._queue_loads(queues, mono, slots)

    def _queue_loads(self, queues: list, mono: float, slots: set[int] | None = None) -> list[Send]:
        # Every queue every period was 0.75 records per input event at 10,000 agents (555 queues).
        refresh = self.worker.settings.drift_refresh_seconds if self.agent_views.drifts else math.inf
        slot_of = self.load_cadence.slot_of
        sends: list[Send] = []
        published = {}
        for figures in queues:
            raw = self._queue_raw[figures.queue_id]
            last = self.published_queues.get(figures.queue_id)
            if last is not None and (
                (last[0] is raw and mono - last[1] < refresh)
                or (slots is not None and slot_of(figures.queue_id) not in slots)
            ):
                published[figures.queue_id] = last
                continue
            said = _said(records.queue_load(self.topics.queue_load, figures), last and last[2], sends)
            published[figures.queue_id] = (raw, mono, said)
        self.published_queues = published  # queues that moved away are sent afresh if they come back
        return sends

    async def _agents(self, partitions: set[int], walk: bool) -> tuple[AgentChanges, list[Send]]:
        """View the owned agents written since the last tick (or, walking, every owned agent)."""
        owners = self.worker.key_partitions["agents"]
        decoded, views, now_for = self.worker.agents_decoded, self.agent_views, self._now_for
        keys = self.worker.changed_keys.take("agents")  # a walk sees them all anyway
        removed: list[str] = []
        if walk:
            items = list(self.agents.items())
            views.begin(len(items), time.monotonic())
            for n, (key, raw) in enumerate(items):
                agent_id = key.decode()
                if owners.get(agent_id) in partitions:
                    views.view(agent_id, raw, partial(_track, decoded, agent_id, raw), now_for)
                if n % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)
            removed = views.end()
            decoded.forget_missing(set(views.held))
            overdue_before, self._overdue = self._overdue, {}
        else:
            views.start(time.monotonic())
            for n, agent_id in enumerate(keys):
                raw = self.agents.get(agent_id.encode())
                if raw is None or owners.get(agent_id) not in partitions:
                    if views.drop(agent_id):
                        removed.append(agent_id)
                    decoded.forget(agent_id)
                else:
                    views.view(agent_id, raw, partial(_track, decoded, agent_id, raw), now_for)
                if n % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)
            views.refresh(len(views.held), self._stored_track, now_for)
            overdue_before = self._overdue
        for agent_id in removed:
            self._overdue.pop(agent_id, None)
        if walk or removed:  # rare: a site's newest event may have been a removed agent's
            self._sites = {}
        sends: list[Send] = []
        newly_overdue: list[AgentFigures] = []
        for agent_id, seen in (views.held if walk or removed else views.fresh).items():
            figures = seen.figures
            if figures.site_id is not None and figures.last_event_seconds is not None:
                site = figures.site_id
                self._sites[site] = max(self._sites.get(site, 0.0), figures.last_event_seconds)
            if figures.breaks.overdue and figures.state not in (None, "LOGGED_OUT"):
                if agent_id not in overdue_before:
                    newly_overdue.append(figures)
                self._overdue[agent_id] = figures
            else:
                self._overdue.pop(agent_id, None)
        for seen in views.fresh.values():
            for output in seen.due:  # breaches the clock reached before the agent's next event
                if isinstance(output.output, BreakRuleBreached):
                    sends += self._announce(output.agent_id, output.team_id, output.site_id, output.output)
        fresh = [] if walk else [view.figures for view in views.fresh.values()]
        changed = AgentChanges(fresh, removed, newly_overdue)
        return changed, sends

    def _alerts(self, teams, newly_overdue: Iterable[AgentFigures], now: float) -> list[Send]:
        """Alert records when a team crosses into overload or an agent's break becomes overdue
        (`newly_overdue`: agents not overdue at the last tick); once per crossing, so consumers
        get an edge, not a record every tick."""
        burnout = self.worker.config.occupancy.burnout_above_ratio
        active: dict[tuple[str, str], object] = {}
        for view in teams:
            occupancy = next(w.figures.occupancy_ratio for w in view.group.windows if w.window_seconds == 900.0)
            if (
                occupancy is not None
                and occupancy > burnout
                and self.labeller.group_publishable(view.group.agents_staffed)
            ):
                active["team_overload", view.team_id] = (view, occupancy)
        sends = []
        for (kind, scope), subject in active.items():
            if (kind, scope) not in self.raised:
                sends.append(self._alert_record(kind, subject, now))
        self.raised = set(active)
        if self.labeller.per_agent_allowed:
            sends += [self._alert_record("break_overdue", figures, now) for figures in newly_overdue]
        return sends

    def _alert_record(self, kind: str, subject, now: float) -> Send:
        if kind == "team_overload":
            view, occupancy = subject
            return records.alert(
                self.topics.alerts,
                self.labeller,
                kind,
                view.team_id,
                view.team_id,
                view.site_id,
                now,
                f"team {view.team_id}: occupancy over 15 min {occupancy:.0%}, above "
                f"{self.worker.config.occupancy.burnout_above_ratio:.0%}",
            )
        key = self.labeller.agent_key(subject.agent_id)
        rules = ", ".join(subject.breaks.overdue_rules) or "break rule"
        return records.alert(
            self.topics.alerts,
            self.labeller,
            kind,
            key,
            subject.team_id or "unassigned",
            subject.site_id or "unassigned",
            now,
            f"a rest break is overdue ({rules}; {', '.join(subject.breaks.overdue_bases)})",
            bases=subject.breaks.overdue_bases,
        )

    def _announce(self, agent_id: str, team_id, site_id, breach: BreakRuleBreached) -> list[Send]:
        violation = records.violation_id(self.labeller, agent_id, breach.rule, breach.at_seconds)
        if violation in self.announced:
            return []
        self.announced.add(violation)
        return records.agent_outputs_for(self.topics, self.labeller, agent_id, team_id, site_id, breach)

    async def _teams(self, partitions: set[int], walk: bool) -> Changed:
        """Roll up the owned teams with a member written or viewed again since the last tick (or,
        walking, every owned team; a team whose members' figures are all the same objects keeps
        its roll-up)."""
        owners = self.worker.key_partitions["team-members"]
        decoded, views, now_for = self.worker.members_decoded, self.member_views, self._now_for
        keys = self.worker.changed_keys.take("team-members")
        index = self._team_index
        touched: set[str] = set()
        if walk:
            items = list(self.members.items())
            views.begin(len(items), time.monotonic())
            index.clear()
            for n, (raw_key, raw) in enumerate(items):
                key = raw_key.decode()
                if owners.get(key) in partitions and not has_left(raw):
                    known = partial(self._figures_viewed_as_agent, key, raw)
                    views.view(key, raw, partial(self._member_track, key, raw), now_for, known)
                    index.setdefault(team_of(key), {})[key] = None
                if n % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)
            views.end()
            decoded.forget_missing(set(views.held))
            touched = set(index) | set(self.team_kept)
        else:
            views.start(time.monotonic())
            for n, key in enumerate(keys):
                raw = self.members.get(key.encode())
                team_id = team_of(key)
                if raw is None or has_left(raw) or owners.get(key) not in partitions:
                    if views.drop(key):
                        touched.add(team_id)
                        index.get(team_id, {}).pop(key, None)
                    decoded.forget(key)
                else:
                    known = partial(self._figures_viewed_as_agent, key, raw)
                    views.view(key, raw, partial(self._member_track, key, raw), now_for, known)
                    index.setdefault(team_id, {})[key] = None
                if n % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)
            views.refresh(len(views.held), self._member_track, now_for)
        touched.update(team_of(key) for key in views.fresh)
        return self._roll_up(sorted(touched) if walk else touched, walk)

    def _roll_up(self, team_ids: Iterable[str], walk: bool) -> Changed:
        """Roll up again each of `team_ids` whose members' figures objects changed."""
        changed, removed = [], []
        kept = {} if walk else self.team_kept
        for team_id in team_ids:
            members_keys = self._team_index.get(team_id)
            held = self.team_kept.get(team_id)
            if not members_keys:
                self._team_index.pop(team_id, None)
                if held is not None:
                    kept.pop(team_id, None)
                    removed.append(team_id)
                continue
            members = [self.member_views.held[key].figures for key in members_keys]
            if held is None or not same_members(held, members):
                held = team_view(team_id, members, self.worker.config)
                changed.append(held)
            kept[team_id] = held
        self.team_kept = kept
        return Changed(changed, removed)

    def _figures_viewed_as_agent(self, key: str, raw: bytes) -> AgentFigures | None:
        """A member's figures as this worker's agents view has them, when it holds the agent with
        the same stored value (the batch path sends the stored value as it is): an agent is then
        viewed once, not again as a member. With the wall clock the figures are from the agent's
        view (this tick or up to a team period before): members' views are of mixed instants anyway
        (drift refreshes spread over `drift_refresh_seconds`)."""
        held = self.agent_views.held.get(key.split(KEY_SEPARATOR, 1)[1])
        return held.figures if held is not None and held.raw == raw else None

    def _member_track(self, key: str, raw: bytes) -> AgentTrack:
        """A member's track; when this worker holds the agent too, its value decoded for the agents
        table is the same bytes (the batch path sends the stored value as it is): decoded once."""
        members = self.worker.members_decoded
        held = members.decoded.get(key)
        if held is None or held[0] is not raw:
            agent = self.worker.agents_decoded.decoded.get(key.split(KEY_SEPARATOR, 1)[1])
            if agent is not None and agent[0] == raw:
                members.put(key, raw, agent[1])
        return members.get(key, raw).track

    def _now_for(self, track: AgentTrack) -> float:
        return self.worker.clock.for_own_clock(track.last_event_seconds)

    def _queues(self, partitions: set[int]):
        """Every owned queue's figures: viewed again when its stored value changed, and with the
        wall clock (waits grow, windows slide) when its view is QUEUE_DRIFT_SECONDS old."""
        owners = self.worker.key_partitions["queues"]
        out = []
        present = set()
        self._queue_raw = {}
        kept, views = self._queue_views, {}
        mono = time.monotonic()
        for raw_key, raw in sorted(self.queues.items()):
            key = raw_key.decode()
            if owners.get(key) in partitions:
                present.add(key)
                held = kept.get(key)
                if (
                    held is not None
                    and held[0] is raw
                    and (not self.agent_views.drifts or mono - held[2] < QUEUE_DRIFT_SECONDS)
                ):
                    figures, viewed = held[1], held[2]
                else:
                    track = self.queues_decoded.get(key, raw).track
                    now = self.worker.clock.for_own_clock(track.clock_seconds)
                    figures, viewed = queue.view(track, now, self.worker.config.queue), mono
                views[key] = (raw, figures, viewed)
                self._queue_raw[figures.queue_id] = raw
                out.append(figures)
        self._queue_views = views
        self.queues_decoded.forget_missing(present)
        return out


# A load record's `as_of` moves with every tick; the rest is what it says.
_AS_OF = re.compile(rb'"as_of":"[^"]*",?')


def _said(send: Send, said_before: bytes | None, sends: list[Send]) -> bytes:
    """What `send` says (its value without `as_of`); it joins `sends` only when that is new: a
    snapshot record that repeats the last one for its key tells a consumer nothing."""
    said = _AS_OF.sub(b"", send.value or b"")
    if said != said_before:
        sends.append(send)
    return said


def _track(decoded: DecodedCache[StoredAgent], key: str, raw: bytes) -> AgentTrack:
    return decoded.get(key, raw).track
