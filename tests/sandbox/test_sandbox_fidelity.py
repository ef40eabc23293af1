"""Behaviours the documentation pages state, where the sandbox once differed (issue 11).

Each test quotes the page it follows; sandbox/FIDELITY.md lists every documented behaviour and its test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sbx_helpers import Api, collect, error_of, post

from hoursmith_mcp.sandbox import seed

ACME = seed.CLIENT_WITH_ACTIVE_PROJECT_ID


def fields_of(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    fields: dict[str, str] = error_of(response)["fields"]
    return fields


# --- api/filtering-and-sorting, list*: "Use YYYY-MM-DD (interpreted as UTC) or a full ISO timestamp" ---


def test_date_filters_take_a_full_timestamp_on_date_columns(api: Api) -> None:
    # A date column's value is that day's UTC midnight: a From bound at noon leaves the day out,
    # a To bound at 21:00 UTC (23:00+02:00) keeps it in.
    days = {
        e["entryDate"]
        for e in collect(
            api(),
            "/time-entries",
            entryDateFrom="2025-03-10T12:00:00Z",
            entryDateTo="2025-03-12T23:00:00+02:00",
        )
    }
    assert days == {"2025-03-11", "2025-03-12"}
    midnight = {e["entryDate"] for e in collect(api(), "/time-entries", entryDateFrom="2025-03-10T00:00:00Z")}
    assert "2025-03-10" in midnight
    before_midnight = collect(api(), "/time-entries", entryDateTo="2025-03-10T23:59:59Z", sort="entryDate")
    assert before_midnight[-1]["entryDate"] == "2025-03-10"


@pytest.mark.parametrize(
    ("path", "param", "column", "bound"),
    [
        ("/projects", "startDateFrom", "startDate", "2025-02-01T06:00:00Z"),
        ("/projects", "dueDateTo", "dueDate", "2025-11-15T06:00:00Z"),
        ("/tasks", "dueDateFrom", "dueDate", "2025-05-05T06:00:00Z"),
        ("/tasks", "endDateTo", "endDate", "2025-04-10T06:00:00Z"),
        ("/expenses", "expenseDateFrom", "expenseDate", "2025-04-06T06:00:00Z"),
        ("/invoices", "issueDateTo", "issueDate", "2025-04-01T06:00:00Z"),
        ("/invoices", "dueDateFrom", "dueDate", "2025-04-30T06:00:00+02:00"),
    ],
)
def test_every_date_filter_takes_a_timestamp(
    api: Api, path: str, param: str, column: str, bound: str
) -> None:
    everything = collect(api(), path)
    records = collect(api(), path, **{param: bound})
    assert 0 < len(records) < len(everything), f"{path}?{param}={bound} does not split the seed"
    utc = datetime.fromisoformat(bound).astimezone(UTC)
    for record in records:
        midnight = datetime.fromisoformat(f"{record[column]}T00:00:00+00:00")  # a date is its UTC midnight
        assert midnight >= utc if param.endswith("From") else midnight <= utc


@pytest.mark.parametrize("bad", ["2025-02-30", "2025-04-01T25:00:00Z", "today", "2025-04-01Tnoon"])
def test_date_filters_refuse_what_is_neither_a_date_nor_a_timestamp(api: Api, bad: str) -> None:
    assert set(fields_of(api().get("/time-entries", params={"entryDateFrom": bad}))) == {"entryDateFrom"}


# --- clients/createClient and updateClient: "Empty strings are coerced to null." ---

OPTIONAL_CLIENT_FIELDS = (
    "contactName",
    "email",
    "phone",
    "website",
    "currency",
    "notes",
    "billingAddress",
    "billingLine1",
    "billingLine2",
    "billingCity",
    "billingRegion",
    "billingPostalCode",
    "billingCountry",
    "taxNumber",
    "defaultRate",
    "defaultPaymentTerms",
    "defaultTaxRate",
    "billingEmail",
)


@pytest.mark.parametrize("blank", ["", None])
def test_every_optional_client_field_is_cleared_by_an_empty_string_or_null(api: Api, blank: Any) -> None:
    response = api("MANAGER").patch(f"/clients/{ACME}", json=dict.fromkeys(OPTIONAL_CLIENT_FIELDS, blank))
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert {name: data[name] for name in OPTIONAL_CLIENT_FIELDS} == dict.fromkeys(OPTIONAL_CLIENT_FIELDS)
    assert data["name"] == "Acme Robotics"


@pytest.mark.parametrize("blank", ["", None])
def test_the_po_toggle_cleared_is_off(api: Api, blank: Any) -> None:
    response = api().patch(f"/clients/{ACME}", json={"requirePoNumber": blank})
    assert response.status_code == 200 and response.json()["data"]["requirePoNumber"] is False


def test_empty_strings_on_create_are_null_and_a_blank_currency_inherits_the_workspace(api: Api) -> None:
    body = {"name": "Blank Co", **dict.fromkeys(OPTIONAL_CLIENT_FIELDS, ""), "requirePoNumber": ""}
    created = post(api(), "/clients", body)
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert all(data[name] is None for name in OPTIONAL_CLIENT_FIELDS) and data["requirePoNumber"] is False
    # clients/billing-defaults: Currency "leave it blank to inherit your workspace default" — so the
    # client's expenses snapshot the workspace currency.
    expense = post(
        api(),
        "/expenses",
        {"clientId": data["id"], "description": "Cab", "amount": "12.00", "expenseDate": "2025-06-02"},
    )
    assert expense.json()["data"]["currency"] == "EUR"
    assert set(fields_of(post(api(), "/clients", {"name": ""}))) == {"name"}
    assert set(fields_of(api().patch(f"/clients/{ACME}", json={"name": None}))) == {"name"}


# --- clients/billing-defaults: "Due on receipt, Net 7, Net 15, Net 30, or inherit the workspace default" ---


@pytest.mark.parametrize(
    ("given", "stored"),
    [("Due on receipt", "Due on receipt"), ("Net 7", "Net 7"), ("net 15", "Net 15"), ("NET 30", "Net 30")],
)
def test_payment_terms_are_the_documented_strings(api: Api, given: str, stored: str) -> None:
    response = api().patch(f"/clients/{ACME}", json={"defaultPaymentTerms": given})
    assert response.status_code == 200 and response.json()["data"]["defaultPaymentTerms"] == stored


@pytest.mark.parametrize("bad", [30, "30", "Net 14", "Net 60", "net30", True])
def test_other_payment_terms_are_refused(api: Api, bad: Any) -> None:
    fields = fields_of(api().patch(f"/clients/{ACME}", json={"defaultPaymentTerms": bad}))
    assert "Due on receipt, Net 7, Net 15, Net 30" in fields["defaultPaymentTerms"]


def test_seeded_clients_carry_string_payment_terms(api: Api) -> None:
    terms = {c["defaultPaymentTerms"] for c in collect(api(), "/clients")}
    assert terms and terms <= {None, "Due on receipt", "Net 7", "Net 15", "Net 30"}


# --- time-tracking/edit-and-delete: "Reassigning an entry to a different person is Owner/Admin only." ---


def test_a_manager_edits_anyone_s_entry_but_may_not_reassign_it(api: Api) -> None:
    entry = seed.OTHER_MEMBERS_ENTRY_ID  # Lena's
    edited = api("MANAGER").patch(f"/time-entries/{entry}", json={"note": "Checked by Priya"})
    assert edited.status_code == 200, edited.text
    same_person = api("MANAGER").patch(
        f"/time-entries/{entry}", json={"userId": seed.STUDIO_MEMBER_LENA_USER_ID}
    )
    assert same_person.status_code == 200  # naming the current person reassigns nothing
    refused = api("MANAGER").patch(f"/time-entries/{entry}", json={"userId": seed.STUDIO_MANAGER_USER_ID})
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden_scope"
    assert api().get(f"/time-entries/{entry}").json()["data"]["userId"] == seed.STUDIO_MEMBER_LENA_USER_ID


@pytest.mark.parametrize("role", ["OWNER", "ADMIN"])
def test_owner_and_admin_reassign_an_entry(api: Api, role: str) -> None:
    entry = seed.OTHER_MEMBERS_ENTRY_ID
    moved = api(role).patch(f"/time-entries/{entry}", json={"userId": seed.STUDIO_MANAGER_USER_ID})
    assert moved.status_code == 200 and moved.json()["data"]["userId"] == seed.STUDIO_MANAGER_USER_ID


def test_a_manager_logs_time_for_anyone(api: Api) -> None:
    # api/permissions-and-plans: Time entries, Manager: "Full CRUD (any member)".
    body = {
        "projectId": seed.HOURLY_PROJECT_ID,
        "entryDate": "2025-06-02",
        "durationSeconds": 600,
        "userId": seed.STUDIO_MEMBER_LENA_USER_ID,
    }
    created = post(api("MANAGER"), "/time-entries", body)
    assert created.status_code == 201 and created.json()["data"]["userId"] == seed.STUDIO_MEMBER_LENA_USER_ID


# --- clients/archive-and-delete: "Delete is blocked if the client has any non-archived projects,
#     invoices, or time entries. You'll see: ..." ---

BLOCKED = "Cannot delete a client with projects, invoices, or time entries. Archive it instead."


def test_a_client_whose_archived_project_holds_time_cannot_be_deleted(api: Api) -> None:
    client = post(api(), "/clients", {"name": "Time Holder"}).json()["data"]
    project = post(api(), "/projects", {"clientId": client["id"], "name": "Once"}).json()["data"]
    entry = post(
        api(),
        "/time-entries",
        {"projectId": project["id"], "entryDate": "2025-06-02", "durationSeconds": 900},
    ).json()["data"]
    assert post(api(), f"/projects/{project['id']}/archive").status_code == 200
    refused = api().delete(f"/clients/{client['id']}")
    assert refused.status_code == 409 and error_of(refused)["message"] == BLOCKED
    assert api().delete(f"/time-entries/{entry['id']}").status_code == 204
    assert api().delete(f"/clients/{client['id']}").status_code == 204


@pytest.mark.parametrize("client_id", [ACME, seed.CLIENT_WITH_INVOICE_ONLY_ID])
def test_every_delete_guard_answers_the_documented_message(api: Api, client_id: str) -> None:
    refused = api("MANAGER").delete(f"/clients/{client_id}")
    assert refused.status_code == 409
    assert error_of(refused) == {"code": "conflict", "message": BLOCKED}


# --- expenses/add-an-expense: "An expense's currency is not editable — it snapshots the client's
#     currency when you create it." ---


def test_an_expense_keeps_the_currency_it_was_created_with(api: Api) -> None:
    client = post(api(), "/clients", {"name": "Dollar Co", "currency": "USD"}).json()["data"]
    body = {"clientId": client["id"], "description": "Hotel", "amount": "120.00", "expenseDate": "2025-06-02"}
    expense = post(api(), "/expenses", body).json()["data"]
    assert expense["currency"] == "USD"
    assert api().patch(f"/clients/{client['id']}", json={"currency": "GBP"}).status_code == 200
    edited = api().patch(f"/expenses/{expense['id']}", json={"description": "Hotel, two nights"})
    assert edited.status_code == 200 and edited.json()["data"]["currency"] == "USD"
    moved = api().patch(f"/expenses/{expense['id']}", json={"clientId": seed.DELETABLE_CLIENT_ID})
    assert moved.status_code == 200 and moved.json()["data"]["currency"] == "USD"
    assert api().get(f"/expenses/{expense['id']}").json()["data"]["currency"] == "USD"


# --- time-tracking/the-one-timer-rule: "Starting the same timer you already have running has no
#     effect; it's already counting." ---


def _now_minus(minutes: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_starting_the_timer_already_running_has_no_effect(api: Api) -> None:
    sam = api("MEMBER")
    running = sam.get("/time-entries/running").json()["data"]
    again = post(
        sam,
        "/time-entries",
        {
            "projectId": running["projectId"],
            "taskId": running["taskId"],
            "startedAt": _now_minus(0),
            "note": "x",
        },
    )
    assert again.status_code == 200, again.text
    data = again.json()["data"]
    assert data["id"] == seed.RUNNING_TIMER_ENTRY_ID and data["stoppedAt"] is None
    assert data["startedAt"] == running["startedAt"] and data["note"] == running["note"]
    assert [e["id"] for e in collect(sam, "/time-entries", running="true")] == [seed.RUNNING_TIMER_ENTRY_ID]
    assert len(collect(sam, "/time-entries")) == len(
        collect(api("OWNER"), "/time-entries", userId=seed.RUNNING_TIMER_USER_ID)
    )


def test_starting_another_task_is_another_timer(api: Api) -> None:
    sam = api("MEMBER")
    other = post(sam, "/time-entries", {"projectId": seed.HOURLY_PROJECT_ID, "startedAt": _now_minus(0)})
    assert other.status_code == 201 and other.json()["data"]["id"] != seed.RUNNING_TIMER_ENTRY_ID
    assert sam.get(f"/time-entries/{seed.RUNNING_TIMER_ENTRY_ID}").json()["data"]["stoppedAt"] is not None


# --- time-tracking/live-timer and the-one-timer-rule: "Under 5 minutes — discarded. If you stop a
#     timer before it reaches 5 minutes, the entry is never recorded." ---


def test_a_timer_stopped_under_five_minutes_is_discarded(api: Api) -> None:
    started = post(api(), "/time-entries", {"projectId": seed.HOURLY_PROJECT_ID, "startedAt": _now_minus(2)})
    timer = started.json()["data"]
    stopped = api().patch(f"/time-entries/{timer['id']}", json={"stoppedAt": _now_minus(0)})
    assert stopped.status_code == 200, stopped.text
    data = stopped.json()["data"]
    assert data["deletedAt"] is not None and data["stoppedAt"] is not None and data["durationSeconds"] < 300
    assert api().get(f"/time-entries/{timer['id']}").status_code == 404
    assert api().get("/time-entries/running").json() == {"data": None}


def test_a_timer_auto_stopped_under_five_minutes_is_discarded_and_over_is_kept(api: Api) -> None:
    short = post(api(), "/time-entries", {"projectId": seed.HOURLY_PROJECT_ID, "startedAt": _now_minus(3)})
    long = post(api(), "/time-entries", {"projectId": seed.FIXED_PROJECT_ID, "startedAt": _now_minus(10)})
    assert api().get(f"/time-entries/{short.json()['data']['id']}").status_code == 404  # discarded
    post(api(), "/time-entries", {"projectId": seed.NON_BILLABLE_PROJECT_ID, "startedAt": _now_minus(0)})
    kept = api().get(f"/time-entries/{long.json()['data']['id']}").json()["data"]
    assert kept["stoppedAt"] is not None and kept["durationSeconds"] >= 600 - 5


def test_a_manual_entry_under_five_minutes_is_kept(api: Api) -> None:
    # The rule is the timer's; manual entries keep the API's 1 s minimum.
    manual = post(
        api(),
        "/time-entries",
        {"projectId": seed.HOURLY_PROJECT_ID, "entryDate": "2025-06-02", "durationSeconds": 60},
    )
    assert manual.status_code == 201
    span = {
        "projectId": seed.HOURLY_PROJECT_ID,
        "startedAt": "2025-06-02T09:00:00Z",
        "stoppedAt": "2025-06-02T09:02:00Z",
    }
    assert post(api(), "/time-entries", span).json()["data"]["durationSeconds"] == 120


# --- api/errors, time-tracking/invoiced-and-locked-time, expenses/billed-and-locked: the messages ---


@pytest.mark.parametrize("role", ["OWNER", "MANAGER", "MEMBER"])
def test_a_locked_entry_answers_the_documented_message(api: Api, role: str) -> None:
    for response in (
        api(role).patch(f"/time-entries/{seed.INVOICED_TIME_ENTRY_ID}", json={"note": "x"}),
        api(role).delete(f"/time-entries/{seed.INVOICED_TIME_ENTRY_ID}"),
    ):
        assert response.status_code == 409
        assert error_of(response) == {"code": "conflict", "message": "Invoiced time entries are locked"}


def test_a_billed_expense_answers_the_documented_message(api: Api) -> None:
    for response in (
        api().patch(f"/expenses/{seed.BILLED_EXPENSE_ID}", json={"description": "x"}),
        api().delete(f"/expenses/{seed.BILLED_EXPENSE_ID}"),
    ):
        assert response.status_code == 409
        assert error_of(response) == {"code": "conflict", "message": "Invoiced expenses are locked"}


# --- listTimeEntrys: durationSecondsMin "Accepts decimal-string values like "150.00"" ---


@pytest.mark.parametrize(("bound", "minimum"), [("3600.00", 3600), ("5400", 5400), ("1799.5", 1800)])
def test_duration_bounds_take_decimal_strings(api: Api, bound: str, minimum: int) -> None:
    entries = collect(api(), "/time-entries", durationSecondsMin=bound)
    assert entries and min(e["durationSeconds"] for e in entries) == minimum


# --- createExpense: "customCategory is a free-text label used when category=OTHER" ---


def test_custom_category_only_with_other(api: Api) -> None:
    body = {"clientId": ACME, "description": "Books", "amount": "30.00", "expenseDate": "2025-06-02"}
    travel = post(api(), "/expenses", {**body, "category": "TRAVEL", "customCategory": "Trains"}).json()[
        "data"
    ]
    assert travel["customCategory"] is None
    other = post(api(), "/expenses", {**body, "category": "OTHER", "customCategory": "Books"}).json()["data"]
    assert other["customCategory"] == "Books"
    moved = api().patch(f"/expenses/{other['id']}", json={"category": "SOFTWARE"}).json()["data"]
    assert moved["category"] == "SOFTWARE" and moved["customCategory"] is None


# --- projects/billing-types-and-rates: "When a project's Hourly rate is left blank, it inherits the
#     client's default hourly rate"; a FIXED project's rate powers reports; non-billable time is never
#     priced. clients/edit-a-client: "Changing the Default hourly rate doesn't change existing projects" ---


def test_fixed_projects_inherit_the_client_rate_too(api: Api) -> None:
    fixed = post(
        api(), "/projects", {"clientId": ACME, "name": "F", "rateType": "FIXED", "fixedFeeAmount": "900"}
    ).json()["data"]
    assert fixed["hourlyRate"] == "120.00"
    free = post(api(), "/projects", {"clientId": ACME, "name": "N", "rateType": "NON_BILLABLE"}).json()[
        "data"
    ]
    assert free["hourlyRate"] is None
    assert api().patch(f"/clients/{ACME}", json={"defaultRate": "150"}).status_code == 200
    assert api().get(f"/projects/{fixed['id']}").json()["data"]["hourlyRate"] == "120.00"
    assert api().get(f"/projects/{seed.HOURLY_PROJECT_ID}").json()["data"]["hourlyRate"] == "120.00"


# --- core-concepts/invoices: "editing a client or a rate later has no effect on a past invoice" ---


def test_editing_a_client_leaves_its_invoices_as_they_were(api: Api) -> None:
    before = api().get(f"/invoices/{seed.PAID_INVOICE_ID}").json()["data"]
    renamed = api().patch(f"/clients/{ACME}", json={"name": "Acme Robotics GmbH", "currency": "USD"})
    assert renamed.status_code == 200
    after = api().get(f"/invoices/{seed.PAID_INVOICE_ID}").json()["data"]
    assert after == before and after["billToName"] == "Acme Robotics" and after["currency"] == "EUR"


# --- api/reference/me: "scopes": ["read"] ---


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "MANAGER", "MEMBER"])
def test_me_reports_the_documented_scope_words(api: Api, role: str) -> None:
    assert api(role).get("/me").json()["data"]["scopes"] == ["read", "write"]


# --- api/examples: "Create an hourly project for that client" with only clientId and name;
#     projects/create-a-project: "New projects start Active." ---


def test_a_project_with_only_client_and_name_is_an_active_hourly_project(api: Api) -> None:
    project = post(api("MANAGER"), "/projects", {"clientId": ACME, "name": "Website redesign"}).json()["data"]
    assert (project["status"], project["rateType"], project["hourlyRate"]) == ("ACTIVE", "HOURLY", "120.00")


# --- createClient: "Money fields accept a number or a decimal-string." ---


@pytest.mark.parametrize(("given", "stored"), [(95, "95.00"), (99.5, "99.50"), ("120.1234", "120.1234")])
def test_client_money_takes_a_number_or_a_decimal_string(api: Api, given: Any, stored: str) -> None:
    response = api().patch(f"/clients/{ACME}", json={"defaultRate": given})
    assert response.status_code == 200 and response.json()["data"]["defaultRate"] == stored


# --- core-concepts/invoices: "Overdue isn't a stored status — it's derived from the due date" ---


def test_overdue_is_not_a_status(api: Api) -> None:
    assert "status" in fields_of(api().get("/invoices", params={"status": "OVERDUE"}))


# --- core-concepts/projects: budgets "are a guardrail ... not a hard stop" ---


def test_time_beyond_the_budget_is_still_logged(api: Api) -> None:
    project = post(api(), "/projects", {"clientId": ACME, "name": "Tight", "budgetHours": 1}).json()["data"]
    body = {"projectId": project["id"], "entryDate": "2025-06-02", "duration": "3h"}
    assert post(api(), "/time-entries", body).status_code == 201


# --- projects/archive-a-project: "Archiving is reversible — restore the project at any time";
#     "The project and its tasks and time entries are preserved"; "change its client to move it" ---


def test_an_archived_project_is_restored_with_its_tasks_and_time(api: Api) -> None:
    before = {e["id"] for e in collect(api(), "/time-entries", projectId=seed.HOURLY_PROJECT_ID)}
    assert post(api("MANAGER"), f"/projects/{seed.HOURLY_PROJECT_ID}/archive").status_code == 200
    assert {e["id"] for e in collect(api(), "/time-entries", projectId=seed.HOURLY_PROJECT_ID)} == before
    assert collect(api(), "/tasks", projectId=seed.HOURLY_PROJECT_ID)
    restored = api("MANAGER").patch(f"/projects/{seed.HOURLY_PROJECT_ID}", json={"status": "ACTIVE"})
    assert restored.status_code == 200 and restored.json()["data"]["status"] == "ACTIVE"


def test_a_project_moves_to_another_client(api: Api) -> None:
    moved = api().patch(
        f"/projects/{seed.PROJECT_WITHOUT_MEMBERS_ID}", json={"clientId": seed.DELETABLE_CLIENT_ID}
    )
    assert moved.status_code == 200 and moved.json()["data"]["clientId"] == seed.DELETABLE_CLIENT_ID


# --- time-tracking/billable-vs-nonbillable: "You can override the flag on any individual entry ...
#     The per-entry flag always wins." ---


def test_the_entry_flag_overrides_the_project_default(api: Api) -> None:
    base = {"entryDate": "2025-06-02", "durationSeconds": 600}
    free = post(api(), "/time-entries", {**base, "projectId": seed.HOURLY_PROJECT_ID, "billable": False})
    billed = post(
        api(), "/time-entries", {**base, "projectId": seed.NON_BILLABLE_PROJECT_ID, "billable": True}
    )
    assert free.json()["data"]["billable"] is False and billed.json()["data"]["billable"] is True


# --- time-tracking/live-timer: "You can edit the note on a running timer without stopping it." ---


def test_a_running_timer_s_note_changes_while_it_runs(api: Api) -> None:
    edited = api("MEMBER").patch(
        f"/time-entries/{seed.RUNNING_TIMER_ENTRY_ID}", json={"note": "Hero, take two"}
    )
    assert edited.status_code == 200
    data = edited.json()["data"]
    assert data["note"] == "Hero, take two" and data["stoppedAt"] is None
    assert api("MEMBER").get("/time-entries/running").json()["data"]["id"] == seed.RUNNING_TIMER_ENTRY_ID


# --- the-one-timer-rule: "The rule is per person. Your timer never interrupts a teammate's" ---


def test_starting_a_timer_leaves_a_teammate_s_running(api: Api) -> None:
    mine = post(
        api("MANAGER"), "/time-entries", {"projectId": seed.HOURLY_PROJECT_ID, "startedAt": _now_minus(0)}
    )
    assert mine.status_code == 201
    assert api("MEMBER").get("/time-entries/running").json()["data"]["id"] == seed.RUNNING_TIMER_ENTRY_ID
    assert api("MANAGER").get("/time-entries/running").json()["data"]["id"] == mine.json()["data"]["id"]


# --- listTimeEntrys: userId "Owner/Admin only"; the contract's [decided] row lets a Manager filter too ---


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "MANAGER"])
def test_staff_filter_time_by_person(api: Api, role: str) -> None:
    lena = collect(api(role), "/time-entries", userId=seed.STUDIO_MEMBER_LENA_USER_ID)
    assert lena and {e["userId"] for e in lena} == {seed.STUDIO_MEMBER_LENA_USER_ID}
