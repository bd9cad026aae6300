"""One contact's script, drawn when it arrives: patience, talk, hold, escalation, the difficult parts.

Drawing everything at arrival, from the queue's own random stream, keeps each contact's fate
independent of routing order, so one change in staffing does not reshuffle every later draw.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from floorwatch.services.simulator.settings import SimulatorSettings

# Step names, in the order the engine may meet them after the answer.
ESCALATE, HOLD, RESUME, HANG_UP_ON_HOLD, END = "escalate", "hold", "resume", "hang_up_on_hold", "end"


@dataclass(frozen=True)
class ContactPlan:
    contact_id: str
    queue_id: str
    offered_seconds: float
    patience_seconds: float  # math.inf: this caller never hangs up while queued
    ring_seconds: float
    steps: tuple[tuple[float, str], ...]  # (seconds after the answer, step), ends with END or HANG_UP_ON_HOLD
    hold_seconds: float  # 0 when never held
    wrap_seconds: float
    escalated: bool
    transferred: bool
    sentiment: float | None  # customer sentiment from speech analytics, None when not scored
    complaint: bool

    @property
    def disposition(self) -> str:
        return "transferred" if self.transferred else "resolved"


def draw_contact(
    contact_id: str, queue_id: str, offered_seconds: float, settings: SimulatorSettings, rng: random.Random
) -> ContactPlan:
    # Every draw happens on every call, in a fixed order, so the stream stays aligned across contacts.
    patience = rng.expovariate(1 / settings.patience_mean_seconds) if settings.patience_mean_seconds else math.inf
    ring = rng.uniform(settings.ring_min_seconds, settings.ring_max_seconds)
    talk = settings.talk.draw(rng)
    held = rng.random() < settings.hold_ratio
    hold_at_share = rng.uniform(0.2, 0.8)
    hold = settings.hold.draw(rng) if held else 0.0
    hangs_up = held and rng.random() < settings.hold_abandon_ratio
    escalated = rng.random() < settings.escalation_ratio
    escalate_at_share = rng.uniform(0.3, 0.7)
    transferred = rng.random() < settings.transfer_ratio
    difficulty = rng.random()
    scored = rng.random() < settings.sentiment_coverage_ratio
    wrap = settings.wrap.draw(rng)
    if escalated:
        talk *= settings.escalation_talk_factor
    steps = _steps(talk, hold, hold_at_share, hangs_up, escalated, escalate_at_share)
    negative = difficulty < settings.negative_sentiment_ratio
    return ContactPlan(
        contact_id=contact_id,
        queue_id=queue_id,
        offered_seconds=offered_seconds,
        patience_seconds=patience,
        ring_seconds=ring,
        steps=steps,
        hold_seconds=hold,
        wrap_seconds=wrap,
        escalated=escalated and any(name == ESCALATE for _, name in steps),
        transferred=transferred and not hangs_up,
        sentiment=_sentiment(difficulty, settings.negative_sentiment_ratio) if scored and not hangs_up else None,
        complaint=difficulty < settings.complaint_ratio and negative and not hangs_up,
    )


def _steps(talk: float, hold: float, hold_at_share: float, hangs_up: bool, escalated: bool, escalate_at_share: float):
    steps: list[tuple[float, str]] = []
    hold_at = talk * hold_at_share
    if hold > 0:
        steps.append((hold_at, HOLD))
        steps.append((hold_at + hold, HANG_UP_ON_HOLD if hangs_up else RESUME))
    end = hold_at + hold if hangs_up else talk + hold
    if escalated:
        at = talk * escalate_at_share
        at = at if hold == 0 or at < hold_at else at + hold
        if at < end:
            steps.append((at, ESCALATE))
    if not hangs_up:
        steps.append((end, END))
    steps.sort(key=lambda step: step[0])
    return tuple((round(offset, 3), name) for offset, name in steps)


def _sentiment(difficulty: float, negative_ratio: float) -> float:
    """One latent draw: the hardest contacts are the most negative, and complaints sit inside them."""
    if difficulty < negative_ratio:
        return round(-1.0 + 0.5 * difficulty / negative_ratio, 3)  # -1 .. -0.5
    return round(-0.45 + 1.4 * (difficulty - negative_ratio) / (1 - negative_ratio), 3)  # -0.45 .. 0.95
