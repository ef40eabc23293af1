"""422 validation_error with a reason per field: projects, durations, expenses, clients, list queries."""

from __future__ import annotations

from typing import Any

import pytest
from sbx_helpers import Api, error_of, post

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.validation import FieldError, parse_duration

ACME = seed.CLIENT_WITH_ACTIVE_PROJECT_ID


def fields_of(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "validation_error"
    fields: dict[str, str] = error["fields"]
    assert fields and all(isinstance(reason, str) and reason for reason in fields.values())
    return fields


@pytest.mark.parametrize(
    ("body", "bad_fields"),
    [
        ({}, {"clientId", "name"}),
        (
            {"clientId": ACME, "name": "P", "budgetAmount": "100", "budgetHours": 10},
            {"budgetAmount", "budgetHours"},
        ),
        ({"clientId": ACME, "name": "P", "rateType": "FIXED"}, {"fixedFeeAmount"}),
        ({"clientId": ACME, "name": "P", "rateType": "HOURLY", "fixedFeeAmount": 500}, {"fixedFeeAmount"}),
        ({"clientId": ACME, "name": "P", "startDate": "2025-05-02", "dueDate": "2025-05-01"}, {"dueDate"}),
        ({"clientId": ACME, "name": "P", "hourlyRate": "12.34567"}, {"hourlyRate"}),
        ({"clientId": ACME, "name": "P", "hourlyRate": -5}, {"hourlyRate"}),
        ({"clientId": ACME, "name": "P", "status": "PAUSED"}, {"status"}),
        ({"clientId": "no-such-client", "name": "P"}, {"clientId"}),
        ({"clientId": ACME, "name": "P", "startDate": "05/01/2025"}, {"startDate"}),
        ({"clientId": ACME, "name": "P", "id": "mine"}, {"id"}),
        ({"clientId": ACME, "name": "P", "colour": "red"}, {"colour"}),
    ],
)
def test_project_rules(api: Api, body: dict[str, Any], bad_fields: set[str]) -> None:
    assert set(fields_of(post(api(), "/projects", body))) == bad_fields


def test_valid_projects_and_inherited_rate(api: Api) -> None:
    fixed = post(
        api(), "/projects", {"clientId": ACME, "name": "F", "rateType": "fixed", "fixedFeeAmount": 1200.5}
    )
    assert fixed.status_code == 201
    assert (
        fixed.json()["data"]["rateType"] == "FIXED"
    )  # enums are case-insensitive on input, stored upper-case
    assert fixed.json()["data"]["fixedFeeAmount"] == "1200.50"  # money out as a decimal string
    assert fixed.json()["data"]["status"] == "ACTIVE"
    inherited = post(api(), "/projects", {"clientId": ACME, "name": "H", "hourlyRate": ""})
    assert inherited.json()["data"]["hourlyRate"] == "120.00"  # the client's defaultRate
    project_id = fixed.json()["data"]["id"]
    switched = api().patch(f"/projects/{project_id}", json={"rateType": "HOURLY"})
    assert set(fields_of(switched)) == {"fixedFeeAmount"}
    ok = api().patch(f"/projects/{project_id}", json={"rateType": "HOURLY", "fixedFeeAmount": None})
    assert ok.status_code == 200 and ok.json()["data"]["fixedFeeAmount"] is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h30m", 5400),
        ("1:30", 5400),
        ("90m", 5400),
        ("1.5h", 5400),
        ("2h", 7200),
        ("45m", 2700),
        ("0:01", 60),
        ("1h 5m", 3900),
        ("24h", 86400),
        ("30s", 30),
    ],
)
def test_duration_strings(api: Api, text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds
    body = {"projectId": seed.HOURLY_PROJECT_ID, "entryDate": "2025-06-02", "duration": text}
    response = post(api(), "/time-entries", body)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["durationSeconds"] == seconds


@pytest.mark.parametrize("text", ["", "abc", "0m", "0:00", "25h", "-1h", "1:75", "90", "1h30", "h", "1.5x"])
def test_bad_duration_strings(api: Api, text: str) -> None:
    with pytest.raises(FieldError):
        parse_duration(text)
    body = {"projectId": seed.HOURLY_PROJECT_ID, "entryDate": "2025-06-02", "duration": text}
    assert "duration" in fields_of(post(api(), "/time-entries", body))


@pytest.mark.parametrize(
    ("extra", "bad_field"),
    [
        ({"durationSeconds": 0}, "durationSeconds"),
        ({"durationSeconds": -60}, "durationSeconds"),
        ({"durationSeconds": 86401}, "durationSeconds"),
        ({"durationSeconds": "3600"}, "durationSeconds"),
        ({}, "durationSeconds"),
        ({"durationSeconds": 60, "invoiceId": seed.PAID_INVOICE_ID}, "invoiceId"),
        ({"durationSeconds": 60, "taskId": seed.LENA_TASK_ID}, "taskId"),
        ({"durationSeconds": 60, "userId": "nobody"}, "userId"),
    ],
)
def test_time_entry_rules(api: Api, extra: dict[str, Any], bad_field: str) -> None:
    body = {"projectId": seed.HOURLY_PROJECT_ID, "entryDate": "2025-06-02", **extra}
    assert bad_field in fields_of(post(api(), "/time-entries", body))


def test_duration_seconds_wins_over_duration(api: Api) -> None:
    body = {
        "projectId": seed.HOURLY_PROJECT_ID,
        "entryDate": "2025-06-02",
        "durationSeconds": 600,
        "duration": "2h",
    }
    assert post(api(), "/time-entries", body).json()["data"]["durationSeconds"] == 600


def test_billable_defaults_from_the_project_rate_type(api: Api) -> None:
    def create(project_id: str) -> dict[str, Any]:
        body = {"projectId": project_id, "entryDate": "2025-06-02", "durationSeconds": 60}
        data: dict[str, Any] = post(api(), "/time-entries", body).json()["data"]
        return data

    assert create(seed.HOURLY_PROJECT_ID)["billable"] is True
    assert create(seed.FIXED_PROJECT_ID)["billable"] is True
    assert create(seed.NON_BILLABLE_PROJECT_ID)["billable"] is False


@pytest.mark.parametrize(
    ("extra", "bad_field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": "-3.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "twelve"}, "amount"),
        ({"description": "x" * 501}, "description"),
        ({"description": ""}, "description"),
        ({"currency": "USD"}, "currency"),
        ({"category": "FOOD"}, "category"),
        ({"projectId": seed.NORTHWIND_PROJECT_ID}, "projectId"),
        ({"expenseDate": "2025-13-01"}, "expenseDate"),
    ],
)
def test_expense_rules(api: Api, extra: dict[str, Any], bad_field: str) -> None:
    body = {"clientId": ACME, "description": "Taxi", "amount": "19.90", "expenseDate": "2025-06-02", **extra}
    assert bad_field in fields_of(post(api(), "/expenses", body))


def test_valid_expense_takes_the_client_currency(api: Api) -> None:
    body = {"clientId": ACME, "description": "x" * 500, "amount": 19.9, "expenseDate": "2025-06-02"}
    data = post(api(), "/expenses", body).json()["data"]
    assert data["amount"] == "19.90" and data["currency"] == "EUR" and data["billable"] is True


def test_missing_required_expense_fields(api: Api) -> None:
    assert set(fields_of(post(api(), "/expenses", {}))) == {
        "clientId",
        "description",
        "amount",
        "expenseDate",
    }


def test_client_rules_and_empty_strings_stored_as_null(api: Api) -> None:
    assert set(fields_of(post(api(), "/clients", {"name": "", "email": "nope"}))) == {"name", "email"}
    created = post(api(), "/clients", {"name": "Blank Ltd", "phone": "", "notes": "  "})
    assert created.status_code == 201
    data = created.json()["data"]
    # A client without a currency inherits the workspace's ("Use org default"): it stays null.
    assert data["phone"] is None and data["notes"] is None and data["currency"] is None


def test_task_rules(api: Api) -> None:
    fields = fields_of(
        post(
            api(),
            "/tasks",
            {
                "projectId": seed.HOURLY_PROJECT_ID,
                "name": "T",
                "priority": "URGENT",
                "assigneeIds": ["ghost"],
            },
        )
    )
    assert set(fields) == {"priority", "assigneeIds"}
    created = post(api(), "/tasks", {"projectId": seed.HOURLY_PROJECT_ID, "name": "T"}).json()["data"]
    assert (created["status"], created["priority"], created["billable"]) == ("TODO", "MEDIUM", True)


@pytest.mark.parametrize(
    ("path", "params", "bad_param"),
    [
        ("/time-entries", {"sort": "note"}, "sort"),
        ("/time-entries", {"sort": "-amount"}, "sort"),
        ("/clients", {"sort": "email"}, "sort"),
        ("/invoices", {"sort": "clientId"}, "sort"),
        ("/time-entries", {"limit": "0"}, "limit"),
        ("/time-entries", {"limit": "201"}, "limit"),
        ("/time-entries", {"limit": "ten"}, "limit"),
        ("/time-entries", {"billable": "maybe"}, "billable"),
        ("/time-entries", {"entryDateFrom": "yesterday"}, "entryDateFrom"),
        ("/time-entries", {"durationSecondsMin": "ninety"}, "durationSecondsMin"),
        ("/expenses", {"amountMax": "lots"}, "amountMax"),
        ("/tasks", {"status": "BLOCKED"}, "status"),
        ("/projects", {"colour": "red"}, "colour"),
        ("/projects", {"search": "x" * 201}, "search"),
        ("/projects", {"status": ""}, "status"),
        ("/projects", {"cursor": "garbage!"}, "cursor"),
    ],
)
def test_bad_list_queries(api: Api, path: str, params: dict[str, str], bad_param: str) -> None:
    assert bad_param in fields_of(api().get(path, params=params))
