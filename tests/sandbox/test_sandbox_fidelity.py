"""Behaviours the documentation pages state, where the sandbox once differed (issue 11).

Each test quotes the page it follows; sandbox/FIDELITY.md lists every documented behaviour and its test.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
