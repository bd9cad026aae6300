"""Turning simulation steps into canonical events, with stable ids and millisecond timestamps."""

from __future__ import annotations

from datetime import datetime, timedelta

from floorwatch.core.events import (
    AgentState,
    AgentStateChanged,
    AgentStateChangedData,
    ContactAbandoned,
    ContactAbandonedData,
    ContactAgentData,
    ContactAnswered,
    ContactAnsweredData,
    ContactEnded,
    ContactEndedData,
    ContactEscalated,
    ContactHeld,
    ContactOffered,
    ContactOfferedData,
    ContactResumed,
    ContactSentimentData,
    ContactSentimentObserved,
    ContactTransferred,
    ContactTransferredData,
    ScheduledActivity,
    SchedulePublished,
    SchedulePublishedData,
)
from floorwatch.services.simulator.contacts import ContactPlan
from floorwatch.services.simulator.model import Agent

TRANSFER_QUEUE = "q-tier2-specialists"  # outside the simulated floor, so transfers add no arrivals


class EventBuilder:
    """Numbers events in emission order: the same seed and settings give the same ids."""

    def __init__(self, run_id: str, start: datetime, source: str):
        self._run_id = run_id
        self._start = start
        self._source = source
        self._count = 0

    def at(self, seconds: float) -> datetime:
        return self._start + timedelta(milliseconds=round(seconds * 1000))

    def _envelope(self, seconds: float) -> dict:
        self._count += 1
        return {
            "event_id": f"{self._run_id}-{self._count:08d}",
            "occurred_at": self.at(seconds),
            "source": self._source,
        }

    def schedule(self, agent: Agent, seconds: float) -> SchedulePublished:
        activities = tuple(
            ScheduledActivity(kind=a.kind, start=self.at(a.start_seconds), end=self.at(a.end_seconds))
            for a in agent.schedule
        )
        data = SchedulePublishedData(
            agent_id=agent.agent_id,
            shift_start=self.at(agent.shift_start_seconds),
            shift_end=self.at(agent.shift_end_seconds),
            activities=activities,
        )
        return SchedulePublished(**self._envelope(seconds), data=data)

    def state(
        self, agent: Agent, state: AgentState, seconds: float, reason_code: str | None = None
    ) -> AgentStateChanged:
        data = AgentStateChangedData(
            agent_id=agent.agent_id,
            state=state,
            team_id=agent.team_id,
            site_id=agent.site_id,
            queues=agent.queues,
            reason_code=reason_code,
        )
        return AgentStateChanged(**self._envelope(seconds), data=data)

    def offered(self, contact: ContactPlan, seconds: float) -> ContactOffered:
        data = ContactOfferedData(contact_id=contact.contact_id, queue_id=contact.queue_id)
        return ContactOffered(**self._envelope(seconds), data=data)

    def answered(self, contact: ContactPlan, agent: Agent, seconds: float, wait_seconds: float) -> ContactAnswered:
        data = ContactAnsweredData(
            contact_id=contact.contact_id, queue_id=contact.queue_id, agent_id=agent.agent_id, wait_seconds=wait_seconds
        )
        return ContactAnswered(**self._envelope(seconds), data=data)

    def _agent_data(self, contact: ContactPlan, agent: Agent) -> ContactAgentData:
        return ContactAgentData(contact_id=contact.contact_id, queue_id=contact.queue_id, agent_id=agent.agent_id)

    def held(self, contact: ContactPlan, agent: Agent, seconds: float) -> ContactHeld:
        return ContactHeld(**self._envelope(seconds), data=self._agent_data(contact, agent))

    def resumed(self, contact: ContactPlan, agent: Agent, seconds: float) -> ContactResumed:
        return ContactResumed(**self._envelope(seconds), data=self._agent_data(contact, agent))

    def escalated(self, contact: ContactPlan, agent: Agent, seconds: float) -> ContactEscalated:
        return ContactEscalated(**self._envelope(seconds), data=self._agent_data(contact, agent))

    def transferred(self, contact: ContactPlan, agent: Agent, seconds: float) -> ContactTransferred:
        data = ContactTransferredData(
            contact_id=contact.contact_id,
            queue_id=contact.queue_id,
            agent_id=agent.agent_id,
            to_queue_id=TRANSFER_QUEUE,
        )
        return ContactTransferred(**self._envelope(seconds), data=data)

    def sentiment(self, contact: ContactPlan, agent: Agent, seconds: float, score: float) -> ContactSentimentObserved:
        data = ContactSentimentData(
            contact_id=contact.contact_id, queue_id=contact.queue_id, agent_id=agent.agent_id, score=score
        )
        return ContactSentimentObserved(**self._envelope(seconds), data=data)

    def ended(self, contact: ContactPlan, agent: Agent, seconds: float) -> ContactEnded:
        data = ContactEndedData(
            contact_id=contact.contact_id,
            queue_id=contact.queue_id,
            agent_id=agent.agent_id,
            disposition=contact.disposition,
            complaint=contact.complaint,
        )
        return ContactEnded(**self._envelope(seconds), data=data)

    def abandoned(
        self,
        contact: ContactPlan,
        seconds: float,
        wait_seconds: float,
        agent: Agent | None = None,
        on_hold_seconds: float = 0.0,
    ) -> ContactAbandoned:
        data = ContactAbandonedData(
            contact_id=contact.contact_id,
            queue_id=contact.queue_id,
            wait_seconds=wait_seconds,
            agent_id=agent.agent_id if agent else None,
            on_hold_seconds=on_hold_seconds,
        )
        return ContactAbandoned(**self._envelope(seconds), data=data)
