"""`floorwatch top` shows each queue's agents needed beside those serving it, and the core's advice
built from what the workers publish."""

from __future__ import annotations

from rich.console import Console

from floorwatch.services.top import floor_view, render, staffing_advice

NEEDED = {"queue": "q-manila-billing", "skill": "billing", "model": "erlang_a", "target": "80% in 20 s"}
SAMPLES = [
    ("floorwatch_queue_agents_needed", NEEDED, 8.0),
    ("floorwatch_queue_contacts_waiting", {"queue": "q-manila-billing"}, 4.0),
    ("floorwatch_team_occupancy_ratio", {"team": "manila-billing", "site": "manila", "window": "15m"}, 0.96),
    (
        "floorwatch_team_queue_agents",
        {"team": "manila-billing", "site": "manila", "queue": "q-manila-billing", "state": "ON_CONTACT"},
        4.0,
    ),
    (
        "floorwatch_team_queue_agents",
        {"team": "manila-billing", "site": "manila", "queue": "q-manila-billing", "state": "AVAILABLE"},
        1.0,
    ),
    (
        "floorwatch_team_queue_agents",
        {"team": "manila-billing", "site": "manila", "queue": "q-manila-billing", "state": "BREAK"},
        2.0,
    ),
    ("floorwatch_team_occupancy_ratio", {"team": "lisbon-billing", "site": "lisbon", "window": "15m"}, 0.52),
    (
        "floorwatch_team_queue_agents",
        {"team": "lisbon-billing", "site": "lisbon", "queue": "q-lisbon-billing", "state": "AVAILABLE"},
        6.0,
    ),
    ("floorwatch_team_skill_agents_movable", {"team": "lisbon-billing", "site": "lisbon", "skill": "billing"}, 3.0),
]


def test_top_reads_the_need_and_the_supply_and_gives_the_core_advice():
    view = floor_view(SAMPLES, [])
    assert view.queues["q-manila-billing"].agents_needed == 8
    assert view.teams["manila-billing"].serving_by_queue == {"q-manila-billing": 5}  # the two on a break do not serve
    [advised] = staffing_advice(view, 0.75)
    assert advised.summary == (
        "q-manila-billing needs 3 more agents for 80% in 20 s (8 in all); "
        "lisbon-billing has 3 available at 52% occupancy"
    )


def test_top_renders_needed_serving_and_the_advice():
    console = Console(record=True, width=200)
    console.print(render(floor_view(SAMPLES, []), None, "floorwatch"))
    text = console.export_text()
    assert "Staffing advice" in text
    assert "lisbon-billing has 3 available at 52% occupancy" in text
    row = next(line for line in text.splitlines() if "q-manila-billing" in line and "│" in line)
    assert " 8 " in row and " 5 " in row
