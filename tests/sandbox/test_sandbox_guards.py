"""409 guards, archive semantics and timers."""

from __future__ import annotations

import pytest
from sbx_helpers import Api, collect, error_of, post

from hoursmith_mcp.sandbox import seed


def test_client_with_active_projects_cannot_be_deleted(api: Api) -> None:
    response = api().delete(f"/clients/{seed.CLIENT_WITH_ACTIVE_PROJECT_ID}")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict" and "Archive it instead" in error["message"]
    assert api().get(f"/clients/{seed.CLIENT_WITH_ACTIVE_PROJECT_ID}").status_code == 200


def test_client_with_an_invoice_cannot_be_deleted(api: Api) -> None:
    response = api().delete(f"/clients/{seed.CLIENT_WITH_INVOICE_ONLY_ID}")
    assert response.status_code == 409 and "invoices" in error_of(response)["message"]


@pytest.mark.parametrize("client_id", [seed.DELETABLE_CLIENT_ID, seed.CLIENT_WITH_ARCHIVED_PROJECT_ONLY_ID])
def test_deletable_clients(api: Api, client_id: str) -> None:
    response = api().delete(f"/clients/{client_id}")
    assert response.status_code == 204 and response.content == b""
    assert api().get(f"/clients/{client_id}").status_code == 404
    assert client_id not in {c["id"] for c in collect(api(), "/clients")}
    assert api().delete(f"/clients/{client_id}").status_code == 404


def test_archiving_every_project_unblocks_a_client_without_invoices(api: Api) -> None:
    created = post(api(), "/clients", {"name": "Short-lived"}).json()["data"]
    project = post(api(), "/projects", {"clientId": created["id"], "name": "Only one"}).json()["data"]
    assert api().delete(f"/clients/{created['id']}").status_code == 409
    assert post(api(), f"/projects/{project['id']}/archive").status_code == 200
    assert api().delete(f"/clients/{created['id']}").status_code == 204


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "MANAGER", "MEMBER"])
def test_invoiced_time_entry_is_locked_for_every_role(api: Api, role: str) -> None:
    for response in (
        api(role).patch(f"/time-entries/{seed.INVOICED_TIME_ENTRY_ID}", json={"durationSeconds": 60}),
        api(role).delete(f"/time-entries/{seed.INVOICED_TIME_ENTRY_ID}"),
    ):
        assert response.status_code == 409
        assert error_of(response)["message"] == "Invoiced time entries are locked"
    assert (
        api("OWNER").get(f"/time-entries/{seed.INVOICED_TIME_ENTRY_ID}").json()["data"]["durationSeconds"]
        != 60
    )


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "MANAGER"])
def test_billed_expense_is_locked(api: Api, role: str) -> None:
    patch = api(role).patch(f"/expenses/{seed.BILLED_EXPENSE_ID}", json={"amount": 1})
    delete = api(role).delete(f"/expenses/{seed.BILLED_EXPENSE_ID}")
    assert patch.status_code == delete.status_code == 409
    assert error_of(patch)["message"] == "Invoiced expenses are locked"


def test_archived_project_stays_readable(api: Api) -> None:
    archived = post(api(), f"/projects/{seed.HOURLY_PROJECT_ID}/archive")
    assert archived.status_code == 200 and archived.json()["data"]["status"] == "ARCHIVED"
    assert api().get(f"/projects/{seed.HOURLY_PROJECT_ID}").json()["data"]["status"] == "ARCHIVED"
    listed = collect(api(), "/projects", status="archived")
    assert seed.HOURLY_PROJECT_ID in {p["id"] for p in listed}
    assert (
        post(api(), f"/projects/{seed.HOURLY_PROJECT_ID}/archive").status_code == 200
    )  # archiving twice is fine
    entry = {"projectId": seed.HOURLY_PROJECT_ID, "entryDate": "2025-06-02", "durationSeconds": 60}
    assert "projectId" in error_of(post(api(), "/time-entries", entry))["fields"]


def test_archived_tasks_leave_lists_but_stay_readable(api: Api) -> None:
    response = post(api(), f"/tasks/{seed.SAM_TASK_ID}/archive")
    assert response.status_code == 200 and response.json()["data"]["archivedAt"] is not None
    default = {t["id"] for t in collect(api(), "/tasks")}
    assert seed.SAM_TASK_ID not in default and seed.ARCHIVED_TASK_ID not in default
    archived = {t["id"] for t in collect(api(), "/tasks", archived="true")}
    assert {seed.SAM_TASK_ID, seed.ARCHIVED_TASK_ID} <= archived
    assert all(t["id"] in default for t in collect(api(), "/tasks", archived="false"))
    assert api().get(f"/tasks/{seed.SAM_TASK_ID}").status_code == 200
    restored = api().patch(f"/tasks/{seed.SAM_TASK_ID}", json={"archivedAt": None})
    assert restored.status_code == 200 and seed.SAM_TASK_ID in {t["id"] for t in collect(api(), "/tasks")}


def test_running_timer_lifecycle(api: Api) -> None:
    member = api("MEMBER")
    running = member.get("/time-entries/running").json()["data"]
    assert running["id"] == seed.RUNNING_TIMER_ENTRY_ID
    assert running["stoppedAt"] is None and running["durationSeconds"] >= 25 * 60 - 5
    assert api("OWNER").get("/time-entries/running").json() == {"data": None}

    # Starting a timer stops the previous one: one running timer per person.
    started = post(
        member,
        "/time-entries",
        {"projectId": seed.NON_BILLABLE_PROJECT_ID, "startedAt": running["startedAt"][:-5] + "Z"},
    )
    assert started.status_code == 201, started.text
    new = started.json()["data"]
    assert new["stoppedAt"] is None and new["entryDate"] == running["startedAt"][:10]
    old = member.get(f"/time-entries/{seed.RUNNING_TIMER_ENTRY_ID}").json()["data"]
    assert old["stoppedAt"] is not None and old["durationSeconds"] >= 25 * 60 - 5
    assert member.get("/time-entries/running").json()["data"]["id"] == new["id"]
    assert [e["id"] for e in collect(member, "/time-entries", running="true")] == [new["id"]]

    too_early = member.patch(f"/time-entries/{new['id']}", json={"stoppedAt": "2000-01-01T00:00:00Z"})
    assert "stoppedAt" in error_of(too_early)["fields"]
    zero = member.patch(f"/time-entries/{new['id']}", json={"stoppedAt": new["startedAt"]})
    assert "stoppedAt" in error_of(zero)["fields"]  # zero seconds is not a duration
    one_hour_later = _plus_seconds(new["startedAt"], 3600)
    done = member.patch(f"/time-entries/{new['id']}", json={"stoppedAt": one_hour_later})
    assert done.status_code == 200 and done.json()["data"]["durationSeconds"] == 3600
    assert member.get("/time-entries/running").json() == {"data": None}
    restart = member.patch(f"/time-entries/{new['id']}", json={"stoppedAt": None})
    assert "stoppedAt" in error_of(restart)["fields"]


def test_timer_cannot_start_in_the_future(api: Api) -> None:
    response = post(
        api(), "/time-entries", {"projectId": seed.HOURLY_PROJECT_ID, "startedAt": "2999-01-01T00:00:00Z"}
    )
    assert "startedAt" in error_of(response)["fields"]


def test_started_and_stopped_make_a_completed_entry(api: Api) -> None:
    body = {
        "projectId": seed.HOURLY_PROJECT_ID,
        "entryDate": "2025-06-02",
        "startedAt": "2025-06-02T09:00:00Z",
        "stoppedAt": "2025-06-02T10:15:00Z",
    }
    data = post(api(), "/time-entries", body).json()["data"]
    assert data["durationSeconds"] == 4500 and data["stoppedAt"] == "2025-06-02T10:15:00.000Z"


def _plus_seconds(timestamp: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")
