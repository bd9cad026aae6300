"""Where agents can come from: what each team serves and could lend, and the advice that joins them."""

from __future__ import annotations

import dataclasses

from floorwatch.core import advice, agent
from floorwatch.core.advice import Source, TeamOffer, TeamSupply
from floorwatch.core.config import MetricConfig
from floorwatch.core.events import AgentState
from floorwatch.core.staffing import StaffingConfig, StaffingFigures
from floorwatch.core.staffing import figures as staffing_figures
from tests.unit.core.builders import MINUTE, epoch, state

BILLING = StaffingConfig(skills_by_queue={"q-lisbon-billing": "billing", "q-manila-billing": "billing"})
CONFIG = dataclasses.replace(MetricConfig(), queue=dataclasses.replace(MetricConfig().queue, staffing=BILLING))
NOW = 100 * MINUTE
LISBON = {"team": "lisbon-billing", "site": "lisbon", "queues": ("q-lisbon-billing",)}


def viewed(*events):
    track = None
    for event in events:
        track = agent.apply(track, event, CONFIG).track
    return agent.view(track, epoch(NOW), CONFIG)[0]


def lisbon_members():
    return [
        # Available, but at work for 100 minutes: the 2-hour rest falls due within the 30-minute horizon.
        viewed(state("l1", AgentState.AVAILABLE, 0, **LISBON)),
        # Logged in five minutes ago and available: free to lend.
        viewed(state("l2", AgentState.AVAILABLE, 95 * MINUTE, **LISBON)),
        # On a contact: serving, not free.
        viewed(state("l3", AgentState.ON_CONTACT, 95 * MINUTE, **LISBON)),
        # On a break: neither serving nor free.
        viewed(state("l4", AgentState.AVAILABLE, 0, **LISBON), state("l4", AgentState.BREAK, 90 * MINUTE, **LISBON)),
    ]


def test_a_team_lends_only_available_agents_whose_rest_is_not_due_within_the_horizon():
    supply = advice.team_supply(lisbon_members(), BILLING)
    assert supply.agents_serving_by_queue == {"q-lisbon-billing": 3}
    assert supply.agents_movable_by_skill == {"billing": 1}


def test_with_a_shorter_horizon_the_agent_due_a_rest_later_can_be_lent():
    supply = advice.team_supply(lisbon_members(), dataclasses.replace(BILLING, horizon_seconds=5 * MINUTE))
    assert supply.agents_movable_by_skill == {"billing": 2}


def need(agents_needed: int | None) -> StaffingFigures:
    figures = staffing_figures("q-manila-billing", None, BILLING)
    return dataclasses.replace(figures, agents_needed=agents_needed)


MANILA = TeamOffer("manila-billing", "manila", 0.96, TeamSupply({"q-manila-billing": 4}, {}))


def test_the_advice_names_the_shortfall_and_a_spare_team_of_the_same_skill():
    lisbon = TeamOffer("lisbon-billing", "lisbon", 0.52, TeamSupply({"q-lisbon-billing": 10}, {"billing": 3}))
    advised = advice.advise("q-manila-billing", need(8), [MANILA, lisbon], BILLING.spare_below_ratio)
    assert advised.agents_serving == 4 and advised.agents_short == 4
    assert advised.sources == (Source("lisbon-billing", "lisbon", 3, 0.52),)
    assert advised.summary == (
        "q-manila-billing needs 4 more agents for 80% in 20 s (8 in all); "
        "lisbon-billing has 3 available at 52% occupancy"
    )


def test_a_busy_team_or_one_of_another_skill_is_never_suggested():
    busy = TeamOffer("leeds-billing", "leeds", 0.80, TeamSupply({"q-leeds-billing": 5}, {"billing": 2}))
    sales = TeamOffer("lisbon-sales", "lisbon", 0.40, TeamSupply({"q-lisbon-sales": 5}, {"q-lisbon-sales": 4}))
    advised = advice.advise("q-manila-billing", need(8), [MANILA, busy, sales], BILLING.spare_below_ratio)
    assert advised.sources == ()
    assert advised.summary.endswith("no team with this skill has spare agents free of a due break")


def test_a_queue_with_enough_agents_says_so_and_one_without_demand_says_it_cannot_advise():
    assert advice.advise("q-manila-billing", need(3), [MANILA], BILLING.spare_below_ratio).summary == (
        "q-manila-billing has the 3 agents it needs for 80% in 20 s"
    )
    quiet = advice.advise("q-manila-billing", need(None), [MANILA], BILLING.spare_below_ratio)
    assert quiet.agents_short is None and "not enough recent contacts" in quiet.summary


def test_the_replay_report_carries_each_queue_advice_at_the_watermark():
    from floorwatch.core.codec import encode
    from floorwatch.core.replay import replay
    from tests.unit.core.builders import team_shift

    report = replay([encode(e) for e in team_shift()], MetricConfig())
    q1 = report["queues"]["q1"]
    assert q1["contacts"]["staffing"]["model"] in ("erlang_c", "erlang_a", None)
    assert q1["advice_at_watermark"]["queue_id"] == "q1"
    assert q1["advice_at_watermark"]["target_label"] == "80% in 20 s"
