"""The role matrix: every endpoint for every studio role, with the expected status.

Owner, Admin and Manager share one column (the contract gives them the same rights); the Member
column covers 403 for resource kinds they have no access to and 404 for records outside their scope.
"""

from __future__ import annotations

from typing import Any

import pytest
from sbx_helpers import Api, error_of, key

from hoursmith_mcp.sandbox import seed

STAFF = ("OWNER", "ADMIN", "MANAGER")
ENTRY = {"projectId": seed.HOURLY_PROJECT_ID, "entryDate": "2025-06-02", "duration": "1h"}
EXPENSE = {
    "clientId": seed.CLIENT_WITH_ACTIVE_PROJECT_ID,
    "description": "Train",
    "amount": "42.50",
    "expenseDate": "2025-06-02",
}

# (method, path, body, staff status, member status)
MATRIX: list[tuple[str, str, dict[str, Any] | None, int, int]] = [
    ("GET", "/me", None, 200, 200),
    ("GET", "/organization", None, 200, 200),
    ("GET", "/members", None, 200, 200),
    ("GET", f"/members/{seed.STUDIO_MEMBER_SAM_MEMBER_ID}", None, 200, 200),
    ("GET", f"/members/{seed.STUDIO_OWNER_MEMBER_ID}", None, 200, 404),
    ("GET", "/clients", None, 200, 403),
    ("GET", f"/clients/{seed.CLIENT_WITH_ACTIVE_PROJECT_ID}", None, 200, 403),
    ("POST", "/clients", {"name": "New Client"}, 201, 403),
    ("PATCH", f"/clients/{seed.CLIENT_WITH_ACTIVE_PROJECT_ID}", {"notes": "x"}, 200, 403),
    ("DELETE", f"/clients/{seed.DELETABLE_CLIENT_ID}", None, 204, 403),
    ("GET", "/projects", None, 200, 200),
    ("GET", f"/projects/{seed.HOURLY_PROJECT_ID}", None, 200, 200),
    ("GET", f"/projects/{seed.PROJECT_WITHOUT_MEMBERS_ID}", None, 200, 404),
    ("POST", "/projects", {"clientId": seed.CLIENT_WITH_ACTIVE_PROJECT_ID, "name": "P"}, 201, 403),
    ("PATCH", f"/projects/{seed.HOURLY_PROJECT_ID}", {"description": "x"}, 200, 403),
    ("POST", f"/projects/{seed.HOURLY_PROJECT_ID}/archive", None, 200, 403),
    ("GET", "/tasks", None, 200, 200),
    ("GET", f"/tasks/{seed.SAM_TASK_ID}", None, 200, 200),
    ("GET", f"/tasks/{seed.LENA_TASK_ID}", None, 200, 404),
    ("POST", "/tasks", {"projectId": seed.HOURLY_PROJECT_ID, "name": "T"}, 201, 403),
    ("PATCH", f"/tasks/{seed.SAM_TASK_ID}", {"status": "DONE"}, 200, 200),
    ("PATCH", f"/tasks/{seed.LENA_TASK_ID}", {"status": "DONE"}, 200, 404),
    ("POST", f"/tasks/{seed.SAM_TASK_ID}/archive", None, 200, 403),
    ("GET", "/time-entries", None, 200, 200),
    ("GET", "/time-entries/running", None, 200, 200),
    ("GET", f"/time-entries/{seed.MEMBER_OWN_ENTRY_ID}", None, 200, 200),
    ("GET", f"/time-entries/{seed.OTHER_MEMBERS_ENTRY_ID}", None, 200, 404),
    ("POST", "/time-entries", ENTRY, 201, 201),
    ("PATCH", f"/time-entries/{seed.MEMBER_OWN_ENTRY_ID}", {"note": "x"}, 200, 200),
    ("PATCH", f"/time-entries/{seed.OTHER_MEMBERS_ENTRY_ID}", {"note": "x"}, 200, 404),
    ("DELETE", f"/time-entries/{seed.MEMBER_OWN_ENTRY_ID}", None, 204, 204),
    ("DELETE", f"/time-entries/{seed.OTHER_MEMBERS_ENTRY_ID}", None, 204, 404),
    ("PATCH", f"/time-entries/{seed.INVOICED_TIME_ENTRY_ID}", {"note": "x"}, 409, 409),
    ("DELETE", f"/time-entries/{seed.INVOICED_TIME_ENTRY_ID}", None, 409, 409),
    ("GET", "/expenses", None, 200, 403),
    ("GET", f"/expenses/{seed.UNBILLED_EXPENSE_ID}", None, 200, 403),
    ("POST", "/expenses", EXPENSE, 201, 403),
    ("PATCH", f"/expenses/{seed.UNBILLED_EXPENSE_ID}", {"description": "x"}, 200, 403),
    ("DELETE", f"/expenses/{seed.UNBILLED_EXPENSE_ID}", None, 204, 403),
    ("PATCH", f"/expenses/{seed.BILLED_EXPENSE_ID}", {"description": "x"}, 409, 403),
    ("DELETE", f"/expenses/{seed.BILLED_EXPENSE_ID}", None, 409, 403),
    ("GET", "/invoices", None, 200, 403),
    ("GET", f"/invoices/{seed.PAID_INVOICE_ID}", None, 200, 403),
    ("POST", "/invoices", {"clientId": seed.CLIENT_WITH_ACTIVE_PROJECT_ID}, 405, 405),
]
CODES = {403: "forbidden_scope", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}
CASES = [
    pytest.param(
        role, method, path, body, member if role == "MEMBER" else staff, id=f"{role}-{method}-{path[:40]}"
    )
    for method, path, body, staff, member in MATRIX
    for role in (*STAFF, "MEMBER")
]


@pytest.mark.parametrize(("role", "method", "path", "body", "expected"), CASES)
def test_role_matrix(
    api: Api, role: str, method: str, path: str, body: dict[str, Any] | None, expected: int
) -> None:
    client = api(role)
    headers = key() if method == "POST" else {}
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert error_of(response)["code"] == CODES[expected]
    elif expected == 204:
        assert response.content == b""
    else:
        assert "data" in response.json()


def test_members_are_money_blind_on_projects(api: Api) -> None:
    money = {"hourlyRate", "fixedFeeAmount", "budgetAmount"}
    for project in api("MEMBER").get("/projects").json()["data"]:
        assert not money & set(project), project
    single = api("MEMBER").get(f"/projects/{seed.FIXED_PROJECT_ID}").json()["data"]
    assert not money & set(single)
    staff_view = api("MANAGER").get(f"/projects/{seed.FIXED_PROJECT_ID}").json()["data"]
    assert staff_view["fixedFeeAmount"] == "4800.00"


def test_member_lists_are_scoped_to_them(api: Api) -> None:
    sam = seed.STUDIO_MEMBER_SAM_USER_ID
    projects = api("MEMBER").get("/projects").json()["data"]
    assert {p["id"] for p in projects} == {
        seed.HOURLY_PROJECT_ID,
        seed.FIXED_PROJECT_ID,
        seed.NON_BILLABLE_PROJECT_ID,
    }
    tasks = api("MEMBER").get("/tasks").json()["data"]
    assert tasks and all(sam in t["assigneeIds"] for t in tasks)
    # [decided] the userId filter cannot widen a Member's listing: it stays pinned to them.
    entries = api("MEMBER").get(
        "/time-entries", params={"userId": seed.STUDIO_MEMBER_LENA_USER_ID, "limit": 200}
    )
    assert entries.status_code == 200
    assert entries.json()["data"] and {e["userId"] for e in entries.json()["data"]} == {sam}
    lena = api("OWNER").get("/time-entries", params={"userId": seed.STUDIO_MEMBER_LENA_USER_ID, "limit": 200})
    assert {e["userId"] for e in lena.json()["data"]} == {seed.STUDIO_MEMBER_LENA_USER_ID}


def test_member_cannot_log_time_for_someone_else(api: Api) -> None:
    body = {**ENTRY, "userId": seed.STUDIO_MEMBER_LENA_USER_ID}
    response = api("MEMBER").post("/time-entries", json=body, headers=key())
    assert response.status_code == 403
    assert api("MANAGER").post("/time-entries", json=body, headers=key()).status_code == 201


def test_member_cannot_log_time_on_a_project_they_are_not_on(api: Api) -> None:
    body = {**ENTRY, "projectId": seed.PROJECT_WITHOUT_MEMBERS_ID}
    response = api("MEMBER").post("/time-entries", json=body, headers=key())
    assert response.status_code == 422
    assert "projectId" in error_of(response)["fields"]


def test_member_may_not_reassign_their_task(api: Api) -> None:
    response = api("MEMBER").patch(f"/tasks/{seed.SAM_TASK_ID}", json={"assigneeIds": []})
    assert response.status_code == 403


def test_assigning_a_member_to_a_task_puts_them_on_the_project(api: Api) -> None:
    before = api("MEMBER").get(f"/projects/{seed.PROJECT_WITHOUT_MEMBERS_ID}")
    assert before.status_code == 404
    created = api("MANAGER").post(
        "/tasks",
        json={
            "projectId": seed.PROJECT_WITHOUT_MEMBERS_ID,
            "name": "Icons",
            "assigneeIds": [seed.STUDIO_MEMBER_SAM_USER_ID],
        },
        headers=key(),
    )
    assert created.status_code == 201
    assert api("MEMBER").get(f"/projects/{seed.PROJECT_WITHOUT_MEMBERS_ID}").status_code == 200
    assert api("MEMBER").get(f"/tasks/{created.json()['data']['id']}").status_code == 200
