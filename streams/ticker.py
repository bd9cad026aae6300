"""The worker's clock tick: refresh the figures Prometheus scrapes and publish roll-ups.

Only partitions this worker owns right now are read, so after a rebalance the figures
of moved agents, teams and queues leave this worker's /metrics at the next tick.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from floorwatch.core import queue
from floorwatch.core.agent import AgentFigures, AgentTrack
from floorwatch.core.breaks import BreakRuleBreached
from floorwatch.streams import records
from floorwatch.streams.delivery import go_back
from floorwatch.streams.group_step import TeamView, has_left, same_members, team_of, team_view
from floorwatch.streams.messages import Send
from floorwatch.streams.metrics import FloorSnapshot
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.sending import TickSender
from floorwatch.streams.settings import ClockMode
from floorwatch.streams.state import DecodedCache, StoredAgent, StoredQueue, load_queue
from floorwatch.streams.views import ViewCache
from floorwatch.streams.wellbeing import WellbeingPublisher

if TYPE_CHECKING:
    from floorwatch.streams.worker import Worker

log = logging.getLogger("floorwatch.streams")
YIELD_EVERY = 500  # items between yields to the event loop, so scrapes and consumers keep moving
REWIND_LIMIT_SECONDS = 60.0  # a seek back that brings nothing for this long: start afresh
STUCK_AFTER_SECONDS = 30.0  # input waiting on a partition that has not moved for this long: seek it again
BROKER_FRESH_SECONDS = 15.0  # nudge only while Kafka answers; an outage is not a stuck consumer


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
        self.behind_partitions: dict[tuple[str, int], int] = {}
        settings = worker.settings
        drifts = settings.clock is ClockMode.WALL  # with the event clock only new input changes figures
        self.agent_views = ViewCache(worker.config, settings.drift_refresh_seconds, settings.tick_seconds, drifts)
        self.member_views = ViewCache(worker.config, settings.drift_refresh_seconds, settings.tick_seconds, drifts)
        self.team_kept: dict[str, TeamView] = {}
        self.published_teams: dict[str, TeamView] = {}  # as last sent to the team-load topic
        self.published_at = -math.inf  # monotonic time of the last team-load and queue-load records
        # queue -> (stored value, monotonic time) of its last queue-load record
        self.published_queues: dict[str, tuple[bytes, float]] = {}
        self._queue_raw: dict[str, bytes] = {}  # queue -> the stored value this tick viewed
        self._queue_views: dict[str, tuple[bytes, Any]] = {}  # queue key -> (stored value, its figures)
        self.queues_decoded: DecodedCache[StoredQueue] = DecodedCache(load_queue)
        self.wellbeing = WellbeingPublisher(self.topics.agent_wellbeing, labeller, worker.config)

    def partition_summary(self) -> dict[str, list[int]]:
        return {name: sorted(parts) for name, parts in self._owned.items()}

    async def tick(self) -> None:
        if self.worker.busy() or not self.worker.progress.recovered:
            return
        started = time.time()
        actives = self.worker.owned_partitions()
        owned = {
            name: {tp.partition for tp in actives if tp.topic == topic}
            for name, topic in (
                ("agents", self.topics.agent_events),
                ("teams", self.worker.internal.team_members),
                ("queues", self.worker.internal.queue_events),
            )
        }
        self._owned = owned
        for name, topic in (
            ("agents", self.topics.agent_events),
            ("teams", self.worker.internal.team_members),
            ("queues", self.worker.internal.queue_events),
        ):
            self.worker.pipeline.partitions.labels(topic).set(len(owned[name]))
        agents, last_by_site, sends = await self._agents(owned["agents"])
        sends += await self.wellbeing.changed(self.agent_views.held, self._stored_track, not self.agent_views.drifts)
        # A team partition gained in a rebalance waits until every agent partition's owner has
        # sent its members again (team_rebuild.py): a team with members missing is not shown.
        teams = await self._teams(self.worker.team_rebuild.complete(owned["teams"]))
        queues = self._queues(owned["queues"])
        now = self.worker.clock.now()
        sends += self._loads(teams, queues, now)
        sends += self._alerts(teams, agents, now)
        self.sender.offer(sends)  # before /metrics shows this tick: its records are sent or on their way
        await self.worker.page.show(FloorSnapshot(started, tuple(agents), tuple(teams), tuple(queues), last_by_site))
        self._lag(actives)
        await self._nudge_stuck_partitions()
        self.worker.progress.last_tick_at = time.monotonic()
        if self.worker.collector_pacing is not None:
            self.worker.collector_pacing.after_tick(time.monotonic())

    def _stored_track(self, agent_id: str, raw: bytes) -> AgentTrack:
        return self.worker.agents_decoded.get(agent_id, raw).track

    def _loads(self, teams: list[TeamView], queues: list, now: float) -> list[Send]:
        """team-load and queue-load records, every `publish_seconds`: teams whose roll-up changed
        since they were last sent, and queues whose stored value changed since their last record
        or whose last record is `drift_refresh_seconds` old (with the wall clock their windows
        slide without input). Both topics are compacted snapshots."""
        mono = time.monotonic()
        if mono - self.published_at < self.worker.settings.publish_seconds:
            return []
        self.published_at = mono
        sends = []
        for view in teams:
            if self.published_teams.get(view.team_id) is view:
                continue
            self.published_teams[view.team_id] = view
            if self.labeller.group_publishable(view.group.agents_staffed):
                sends.append(
                    records.team_load(
                        self.topics.team_load,
                        "team",
                        view.team_id,
                        view.site_id,
                        now,
                        view.group,
                        view.agents_by_stress_band,
                        view.supply,
                    )
                )
        self.published_teams = {t.team_id: self.published_teams[t.team_id] for t in teams}
        return sends + self._queue_loads(queues, mono)

    def _queue_loads(self, queues: list, mono: float) -> list[Send]:
        # Every queue every period was 0.75 records per input event at 10,000 agents (555 queues).
        refresh = self.worker.settings.drift_refresh_seconds if self.agent_views.drifts else math.inf
        sends, published = [], {}
        for figures in queues:
            raw = self._queue_raw[figures.queue_id]
            last = self.published_queues.get(figures.queue_id)
            if last is not None and last[0] is raw and mono - last[1] < refresh:
                published[figures.queue_id] = last
                continue
            published[figures.queue_id] = (raw, mono)
            sends.append(records.queue_load(self.topics.queue_load, figures))
        self.published_queues = published  # queues that moved away are sent afresh if they come back
        return sends

    async def _agents(self, partitions: set[int]):
        now_for = self._now_for
        figures_list: list[AgentFigures] = []
        last_by_site: dict[str, float] = {}
        sends: list[Send] = []
        owners = self.worker.key_partitions["agents"]
        decoded = self.worker.agents_decoded
        present = set()
        items = list(self.agents.items())
        views = self.agent_views
        views.begin(len(items), time.monotonic())
        for n, (key, raw) in enumerate(items):
            agent_id = key.decode()
            if owners.get(agent_id) not in partitions:
                continue
            present.add(agent_id)
            seen = views.view(agent_id, raw, partial(_track, decoded, agent_id, raw), now_for)
            figures = seen.figures
            figures_list.append(figures)
            if figures.site_id is not None and figures.last_event_seconds is not None:
                site = figures.site_id
                last_by_site[site] = max(last_by_site.get(site, 0.0), figures.last_event_seconds)
            for output in seen.due:  # breaches the clock reached before the agent's next event
                if isinstance(output.output, BreakRuleBreached):
                    sends += self._announce(output.agent_id, output.team_id, output.site_id, output.output)
            if n % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)
        views.end()
        decoded.forget_missing(present)
        return figures_list, last_by_site, sends

    def _alerts(self, teams, agents, now: float) -> list[Send]:
        """Alert records when a team crosses into overload or an agent's break becomes overdue;
        once per crossing, so consumers get an edge, not a record every tick."""
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
        if self.labeller.per_agent_allowed:
            for figures in agents:
                if figures.breaks.overdue and figures.state not in (None, "LOGGED_OUT"):
                    active["break_overdue", figures.agent_id] = figures
        sends = []
        for (kind, scope), subject in active.items():
            if (kind, scope) not in self.raised:
                sends.append(self._alert_record(kind, subject, now))
        self.raised = set(active)
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

    async def _teams(self, partitions: set[int]) -> list[TeamView]:
        """Every owned team's roll-up; a team is rolled up again only when a member's figures changed."""
        owners = self.worker.key_partitions["team-members"]
        decoded, now_for = self.worker.members_decoded, self._now_for
        by_team: dict[str, list[AgentFigures]] = {}
        items = list(self.members.items())
        views = self.member_views
        views.begin(len(items), time.monotonic())
        for n, (raw_key, raw) in enumerate(items):
            key = raw_key.decode()
            if owners.get(key) not in partitions or has_left(raw):
                continue
            seen = views.view(key, raw, partial(_track, decoded, key, raw), now_for)
            by_team.setdefault(team_of(key), []).append(seen.figures)
            if n % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)
        views.end()
        decoded.forget_missing(set(views.held))
        kept: dict[str, TeamView] = {}
        for team_id in sorted(by_team):
            members, held = by_team[team_id], self.team_kept.get(team_id)
            if held is not None and same_members(held, members):
                kept[team_id] = held
            else:
                kept[team_id] = team_view(team_id, members, self.worker.config)
        self.team_kept = kept
        return list(kept.values())

    def _now_for(self, track: AgentTrack) -> float:
        return self.worker.clock.for_own_clock(track.last_event_seconds)

    def _queues(self, partitions: set[int]):
        owners = self.worker.key_partitions["queues"]
        out = []
        present = set()
        self._queue_raw = {}
        kept, views = self._queue_views, {}
        for raw_key, raw in sorted(self.queues.items()):
            key = raw_key.decode()
            if owners.get(key) in partitions:
                present.add(key)
                held = kept.get(key)
                if held is not None and held[0] is raw and not self.agent_views.drifts:
                    figures = held[1]  # the event clock: a queue's figures change only with its stored value
                else:
                    track = self.queues_decoded.get(key, raw).track
                    now = self.worker.clock.for_own_clock(track.clock_seconds)
                    figures = queue.view(track, now, self.worker.config.queue)
                views[key] = (raw, figures)
                self._queue_raw[figures.queue_id] = raw
                out.append(figures)
        self._queue_views = views
        self.queues_decoded.forget_missing(present)
        return out

    async def _nudge_stuck_partitions(self) -> None:
        """Send the consumer back to the stored position of a partition whose input waits and
        has not moved for STUCK_AFTER_SECONDS while Kafka answers: consumers that stop
        fetching a partition without an error are a known upstream defect. Best effort: a
        failed nudge is logged and tried again a period later."""
        progress, now = self.worker.progress, time.monotonic()
        if progress.broker_seen_at is None or now - progress.broker_seen_at > BROKER_FRESH_SECONDS:
            return
        audit = self.worker.audit
        for topic, partition in audit.stuck(self.behind_partitions, now, STUCK_AFTER_SECONDS):
            nxt = audit.next_offsets[topic, partition]
            log.warning(
                "%s[%d] has input waiting and has not moved for %.0f s: seeking it to %d again",
                topic,
                partition,
                STUCK_AFTER_SECONDS,
                nxt,
            )
            self.worker.pipeline.offset_gaps.labels(topic, "stuck").inc()
            try:
                await asyncio.wait_for(go_back(self.worker, topic, partition, nxt), 10.0)
            except Exception as problem:  # the next period tries again; the stall watchdog bounds it
                log.warning("seeking %s[%d] failed: %s", topic, partition, type(problem).__name__)

    def _lag(self, actives: Any) -> None:
        """Messages behind each owned input partition's end, from the worker's own next offsets
        (right from the first tick after a restart, unlike committed offsets)."""
        gauge, progress = self.worker.pipeline.consumer_lag, self.worker.progress
        gauge.clear()  # partitions that moved away must not keep their last value here
        behind: dict[str, int] = {}
        self.behind_partitions = {}
        for tp in actives:
            if tp.topic not in self.worker.input_topics:
                continue
            highwater = self.worker.highwater(tp)
            nxt = self.worker.audit.next_offsets.get((tp.topic, tp.partition))
            if highwater is None or nxt is None:
                continue
            messages = max(highwater - nxt, 0)
            gauge.labels(tp.topic, str(tp.partition)).set(messages)
            if messages:
                behind[f"{tp.topic}[{tp.partition}]"] = messages
                self.behind_partitions[tp.topic, tp.partition] = messages
        progress.behind_messages = behind
        if not behind:
            progress.input_waiting_since = None
        elif progress.input_waiting_since is None:
            progress.input_waiting_since = time.monotonic()
        if self.worker.audit.longest_rewind_seconds(time.monotonic()) > REWIND_LIMIT_SECONDS:
            raise RuntimeError(f"going back for skipped input has not succeeded in {REWIND_LIMIT_SECONDS:.0f} s")


def _track(decoded: DecodedCache[StoredAgent], key: str, raw: bytes) -> AgentTrack:
    return decoded.get(key, raw).track
