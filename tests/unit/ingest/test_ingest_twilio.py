"""Twilio TaskRouter adapter.

Record shapes: Twilio's "TaskRouter Events reference": the EventCallbackUrl
parameters (EventType, Sid, AccountSid, WorkspaceSid, ResourceType, ResourceSid,
Timestamp), the Task fields (TaskSid, TaskAttributes, TaskAge, TaskAssignmentStatus,
TaskCanceledReason, TaskCompletedReason), the Worker fields (WorkerSid, WorkerName,
WorkerActivitySid, WorkerActivityName, WorkerTimeInPreviousActivity), and for the
Event Streams form the CloudEvent of "Event Types: TaskRouter" (type
com.twilio.taskrouter.*, data.payload with the same fields in snake_case).
"""

from __future__ import annotations

from floorwatch.core.events import AgentState
from tests.unit.ingest.ingest_helpers import T0, at, iso, jsonl, run

A = AgentState
WORKSPACE = "WS0123456789abcdef0123456789abcdef"


def callback(n: int, kind: str, seconds: float, **fields: object) -> dict:
    resource = kind.split(".")[0].title()
    return {
        "EventType": kind,
        "Sid": f"EV{n:032d}",
        "AccountSid": "AC" + "0" * 32,
        "WorkspaceSid": WORKSPACE,
        "WorkspaceName": "Support floor",
        "EventDescription": kind,
        "ResourceType": resource,
        "ResourceSid": "XX",
        "Timestamp": str(int(T0.timestamp() + seconds)),
        **{k: str(v) for k, v in fields.items()},
    }


def activity(n: int, seconds: float, name: str, worker: str = "WK01") -> dict:
    return callback(
        n,
        "worker.activity.update",
        seconds,
        WorkerSid=worker,
        WorkerName="alice",
        WorkerActivitySid=f"WA{name}",
        WorkerActivityName=name,
        WorkerTimeInPreviousActivity=0,
    )


def reservation(n: int, kind: str, seconds: float, task: str, res: str, worker: str = "WK01", age: float = 0) -> dict:
    return callback(
        n,
        kind,
        seconds,
        TaskSid=task,
        TaskAge=int(age),
        TaskQueueSid="WQsupport",
        ReservationSid=res,
        WorkerSid=worker,
        WorkerActivityName="Available",
        TaskChannelUniqueName="voice",
        TaskAttributes='{"from": "+15550100"}',
        TaskAssignmentStatus="assigned",
    )


def test_an_accepted_reservation_is_handle_time_until_wrap_up_then_after_contact_work_until_completion():
    result = run(
        "twilio",
        jsonl(
            [
                activity(1, 0, "Available"),
                callback(
                    2,
                    "task-queue.entered",
                    4,
                    TaskSid="WT1",
                    TaskQueueSid="WQsupport",
                    TaskChannelUniqueName="voice",
                    TaskAge=0,
                ),
                reservation(3, "reservation.created", 6, "WT1", "WR1", age=2),
                reservation(4, "reservation.accepted", 10, "WT1", "WR1", age=6),
                reservation(5, "reservation.wrapup", 130, "WT1", "WR1", age=126),
                reservation(6, "reservation.completed", 160, "WT1", "WR1", age=156),
            ]
        ),
    )
    assert result.states("WK01") == [
        (at(0), A.AVAILABLE, None),
        (at(10), A.ON_CONTACT, None),
        (at(130), A.AFTER_CONTACT_WORK, None),
        (at(160), A.AVAILABLE, None),
    ]
    [answered] = result.of_type("contact.answered")
    assert (answered.data.contact_id, answered.data.queue_id, answered.data.wait_seconds) == ("WT1", "WQsupport", 6)
    assert [e.occurred_at for e in result.of_type("contact.ended")] == [at(130)]
    assert [e.occurred_at for e in result.of_type("contact.offered")] == [at(4)]


def test_a_task_canceled_before_anyone_accepted_it_is_abandoned_after_its_age():
    result = run(
        "twilio",
        jsonl(
            [
                callback(1, "task-queue.entered", 0, TaskSid="WT9", TaskQueueSid="WQsales", TaskAge=0),
                callback(
                    2,
                    "task.canceled",
                    45,
                    TaskSid="WT9",
                    TaskQueueSid="WQsales",
                    TaskAge=45,
                    TaskCanceledReason="hangup",
                ),
            ]
        ),
    )
    [abandoned] = result.of_type("contact.abandoned")
    assert (abandoned.data.queue_id, abandoned.data.wait_seconds, abandoned.occurred_at) == ("WQsales", 45, at(45))


def test_activities_map_by_name_and_an_unknown_activity_is_reported_not_guessed():
    result = run(
        "twilio",
        jsonl(
            [
                activity(1, 0, "Available"),
                activity(2, 60, "Break"),
                activity(3, 600, "Smoke"),
                activity(4, 900, "Offline"),
            ]
        ),
    )
    assert result.states("WK01") == [
        (at(0), A.AVAILABLE, None),
        (at(60), A.BREAK, "Break"),
        (at(900), A.LOGGED_OUT, None),
    ]
    assert result.report.unmapped == {"Smoke": 1}


def test_a_multitasking_worker_stays_on_contact_until_the_last_task_is_wrapped():
    result = run(
        "twilio",
        jsonl(
            [
                activity(1, 0, "Available"),
                reservation(2, "reservation.accepted", 10, "WT1", "WR1"),
                reservation(3, "reservation.accepted", 20, "WT2", "WR2"),
                reservation(4, "reservation.completed", 50, "WT1", "WR1"),
                reservation(5, "reservation.wrapup", 80, "WT2", "WR2"),
                reservation(6, "reservation.completed", 95, "WT2", "WR2"),
            ]
        ),
    )
    assert [(t, s) for t, s, _ in result.states("WK01")] == [
        (at(0), A.AVAILABLE),
        (at(10), A.ON_CONTACT),
        (at(80), A.AFTER_CONTACT_WORK),
        (at(95), A.AVAILABLE),
    ]
    assert [e.data.contact_id for e in result.of_type("contact.ended")] == ["WT1", "WT2"]


def test_event_streams_cloudevents_read_like_callbacks():
    payload = {
        "sid": "EV" + "7" * 32,
        "eventtype": "worker.activity.update",
        "timestamp": iso(30),
        "worker_sid": "WK02",
        "worker_activity_name": "Break",
        "workspace_sid": WORKSPACE,
    }
    cloud_event = {
        "specversion": "1.0",
        "type": "com.twilio.taskrouter.worker.activity.update",
        "source": "/v1/Workspaces",
        "id": "EV" + "7" * 32,
        "dataschema": "https://events-schemas.twilio.com/TaskRouter.WDSEvent/4",
        "datacontenttype": "application/json",
        "time": iso(30),
        "data": {"sid": "EV" + "7" * 32, "name": "WorkerActivityUpdate", "timestamp": iso(30), "payload": payload},
    }
    result = run("twilio", jsonl([cloud_event]))
    assert result.states("WK02") == [(at(30), A.BREAK, "Break")]


def test_a_retried_callback_gives_the_same_event_ids():
    record = activity(1, 0, "Available")
    once = run("twilio", jsonl([record]))
    again = run("twilio", jsonl([record]))
    assert [e.event_id for e in once.events] == [e.event_id for e in again.events]


def test_bad_callbacks_are_reported_with_their_position():
    result = run(
        "twilio",
        jsonl(
            [
                {"Sid": "EV1"},
                {**activity(2, 0, "Available"), "Timestamp": "noon"},
                callback(3, "reservation.accepted", 5, TaskSid="WT1"),
                activity(4, 10, "Available"),
            ]
        ),
    )
    assert [s.position for s in result.report.skipped] == ["line 1", "line 2", "line 3"]
    assert result.states("WK01") == [(at(10), A.AVAILABLE, None)]


def test_a_task_completed_after_the_worker_went_offline_never_makes_the_worker_available():
    result = run(
        "twilio",
        jsonl(
            [
                activity(1, 0, "Available"),
                reservation(2, "reservation.accepted", 10, "WT1", "WR1"),
                activity(3, 100, "Offline"),  # signed off with a task still connected
                reservation(4, "reservation.wrapup", 160, "WT1", "WR1"),
                reservation(5, "reservation.completed", 170, "WT1", "WR1"),
            ]
        ),
    )
    states = [s for _, s, _ in result.states("WK01")]
    assert states == [A.AVAILABLE, A.ON_CONTACT, A.AFTER_CONTACT_WORK, A.LOGGED_OUT]


def test_a_task_age_beyond_a_month_leaves_out_only_the_answer_and_the_worker_is_still_busy():
    month_and_a_day = 32 * 86_400
    result = run(
        "twilio",
        jsonl(
            [
                activity(1, 0, "Available"),
                reservation(2, "reservation.accepted", 10, "WT1", "WR1", age=month_and_a_day),
                reservation(3, "reservation.completed", 70, "WT1", "WR1", age=month_and_a_day + 60),
                callback(4, "task.canceled", 80, TaskSid="WT2", TaskQueueSid="WQsales", TaskAge="soon"),
            ]
        ),
    )
    assert result.states("WK01") == [
        (at(0), A.AVAILABLE, None),
        (at(10), A.ON_CONTACT, None),
        (at(70), A.AVAILABLE, None),
    ]
    assert result.of_type("contact.answered") == []
    assert result.of_type("contact.abandoned") == []
    [answer, canceled] = result.report.skipped
    assert answer.position == "line 2"
    assert "TaskAge '2764800' is not an age in seconds up to 31 days" in answer.reason
    assert "the worker's state is" in answer.reason
    assert canceled.position == "line 4" and "TaskAge 'soon'" in canceled.reason
