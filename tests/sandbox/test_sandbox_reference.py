"""What the API reference pages list, resource by resource: the fields of each record, and each list's
sort fields, filters and search fields, exactly (sandbox/FIDELITY.md cites these per page)."""

from __future__ import annotations

import re

import pytest
from sbx_helpers import Api, collect, error_of

BASE = ("id", "orgId", "createdAt", "updatedAt", "deletedAt")
# The response examples of the reference pages (tasks: the contract's [decided] fields).
FIELDS: dict[str, tuple[str, ...]] = {
    "/clients": (*BASE, "name", "contactName", "email", "phone", "website", "currency", "notes",
                 "billingAddress", "billingLine1", "billingLine2", "billingCity", "billingRegion",
                 "billingPostalCode", "billingCountry", "taxNumber", "defaultRate", "defaultPaymentTerms",
                 "defaultTaxRate", "requirePoNumber", "billingEmail"),
    "/projects": (*BASE, "clientId", "name", "description", "color", "status", "rateType", "hourlyRate",
                  "fixedFeeAmount", "budgetHours", "budgetAmount", "startDate", "dueDate"),
    "/tasks": (*BASE, "projectId", "name", "description", "status", "priority", "billable", "assigneeIds",
               "startDate", "endDate", "dueDate", "archivedAt"),
    "/time-entries": (*BASE, "userId", "projectId", "taskId", "invoiceId", "durationSeconds", "billable",
                      "note", "entryDate", "startedAt", "stoppedAt"),
    "/expenses": (*BASE, "clientId", "projectId", "invoiceId", "category", "customCategory", "description",
                  "amount", "currency", "billable", "expenseDate"),
    "/invoices": (*BASE, "clientId", "number", "status", "paymentStatus", "subtotal", "discountAmount",
                  "taxRate", "total", "amountPaid", "currency", "notes", "billToName", "issueDate", "dueDate",
                  "sentAt", "paidAt"),
    "/members": ("id", "orgId", "userId", "role", "name", "email", "createdAt"),
}  # fmt: skip
SINGLE_FIELDS = {
    "/me": ("orgId", "orgName", "plan", "role", "tokenName", "scopes", "projectIds"),
    "/organization": ("id", "name", "plan", "defaultCurrency", "invoicePrefix", "legalName", "taxId",
                      "businessEmail", "businessWebsite", "createdAt"),
}  # fmt: skip
MONEY = {"defaultRate", "hourlyRate", "fixedFeeAmount", "budgetAmount", "amount", "subtotal",
         "discountAmount", "total", "amountPaid"}  # fmt: skip
DATES = {"startDate", "dueDate", "endDate", "entryDate", "expenseDate", "issueDate"}
TIMESTAMPS = {
    "createdAt",
    "updatedAt",
    "deletedAt",
    "archivedAt",
    "startedAt",
    "stoppedAt",
    "sentAt",
    "paidAt",
}

# "Allowed sort fields for <resource>: ..." on each list* page.
SORTS = {
    "/clients": {"createdAt", "id", "name", "updatedAt"},
    "/expenses": {"amount", "createdAt", "expenseDate", "id", "updatedAt"},
    "/invoices": {"amountPaid", "createdAt", "dueDate", "id", "issueDate", "number", "paidAt",
                  "paymentStatus", "sentAt", "status", "total", "updatedAt"},
    "/members": {"createdAt", "id", "role"},
    "/projects": {"createdAt", "dueDate", "id", "name", "startDate", "status", "updatedAt"},
    "/tasks": {"createdAt", "dueDate", "endDate", "id", "name", "priority", "startDate", "status",
               "updatedAt"},
    "/time-entries": {"createdAt", "durationSeconds", "entryDate", "id", "updatedAt"},
}  # fmt: skip


def _ranges(*names: str, suffixes: tuple[str, str] = ("From", "To")) -> set[str]:
    return {f"{name}{suffix}" for name in names for suffix in suffixes}


# The query parameters of each list* page, plus the [decided] ones (tasks' archived, time's running);
# invoices' totalMin/Max come from api/filtering-and-sorting (the listInvoices page is cut there).
FILTERS = {
    "/clients": _ranges("createdAt", "updatedAt"),
    "/expenses": {"clientName", "clientId", "projectId", "category", "billable"}
    | _ranges("expenseDate", "createdAt")
    | _ranges("amount", suffixes=("Min", "Max")),
    "/invoices": {"clientName", "clientId", "status", "paymentStatus"}
    | _ranges("issueDate", "dueDate", "sentAt", "paidAt", "createdAt")
    | _ranges("total", suffixes=("Min", "Max")),
    "/members": {"role"} | _ranges("createdAt"),
    "/projects": {"clientName", "clientId", "status"} | _ranges("startDate", "dueDate", "createdAt"),
    "/tasks": {"projectId", "assigneeId", "status", "priority", "billable", "archived"}
    | _ranges("startDate", "dueDate", "endDate", "createdAt"),
    "/time-entries": {"projectId", "taskId", "userId", "billable", "running"}
    | _ranges("entryDate", "createdAt")
    | _ranges("durationSeconds", suffixes=("Min", "Max")),
}
# "Case-insensitive partial match across: ..." on each list* page.
SEARCH = {
    "/clients": ("name", "contactName", "email"),
    "/expenses": ("description", "customCategory"),
    "/invoices": ("number",),
    "/members": ("name", "email"),
    "/projects": ("name", "description"),
    "/tasks": ("name", "description"),
    "/time-entries": ("note",),
}


@pytest.mark.parametrize("path", list(FIELDS))
def test_every_record_has_exactly_the_documented_fields(api: Api, path: str) -> None:
    records = collect(api(), path, archived="true") if path == "/tasks" else collect(api(), path)
    assert records
    for record in records:
        assert tuple(sorted(record)) == tuple(sorted(FIELDS[path])), path
        for name, value in record.items():
            if value is None:
                continue
            if name in MONEY:  # "decimal-preserving money strings" (features/api)
                assert isinstance(value, str) and re.fullmatch(r"\d+\.\d{2,4}", value), (name, value)
            elif name in DATES:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), (name, value)
            elif name in TIMESTAMPS:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", value), (name, value)


@pytest.mark.parametrize("path", list(SINGLE_FIELDS))
def test_identity_answers_carry_exactly_the_documented_fields(api: Api, path: str) -> None:
    for role in ("OWNER", "MEMBER"):
        assert sorted(api(role).get(path).json()["data"]) == sorted(SINGLE_FIELDS[path])


def _accepted(message: str) -> set[str]:
    """The names a 422 says are accepted ("...; allowed: a, b" or "...; this list accepts a, b")."""
    listed = re.split(r"allowed: |accepts ", message, maxsplit=1)[1]
    return {name.strip() for name in listed.split(",")}


@pytest.mark.parametrize("path", list(SORTS))
def test_each_list_sorts_by_exactly_the_documented_fields(api: Api, path: str) -> None:
    for name in SORTS[path]:
        for sort in (name, f"-{name}"):
            assert api().get(path, params={"sort": sort}).status_code == 200, (path, sort)
    refused = api().get(path, params={"sort": "orgId"})
    assert refused.status_code == 422
    assert _accepted(error_of(refused)["fields"]["sort"]) == SORTS[path]


@pytest.mark.parametrize("path", list(FILTERS))
def test_each_list_takes_exactly_the_documented_filters(api: Api, path: str) -> None:
    refused = api().get(path, params={"orgId": "x"})
    assert refused.status_code == 422
    accepted = _accepted(error_of(refused)["fields"]["orgId"])
    assert accepted == FILTERS[path] | {"limit", "cursor", "sort", "search"}


def _sample(api: Api, path: str, field: str) -> tuple[str, str]:
    records = collect(api(), path)
    record = next(r for r in records if isinstance(r.get(field), str) and len(r[field]) >= 4)
    value: str = record[field]
    return record["id"], value[1:-1].swapcase()  # a middle part, in the other case


@pytest.mark.parametrize(("path", "field"), [(p, f) for p, fields in SEARCH.items() for f in fields])
def test_search_matches_each_documented_field_in_any_case(api: Api, path: str, field: str) -> None:
    record_id, needle = _sample(api, path, field)
    found = {r["id"] for r in collect(api(), path, search=needle)}
    assert record_id in found, (path, field, needle)


def test_the_seed_answers_in_the_documented_enums(api: Api) -> None:
    assert {p["status"] for p in collect(api(), "/projects")} == {"ACTIVE", "COMPLETED", "ARCHIVED"}
    assert {p["rateType"] for p in collect(api(), "/projects")} == {"HOURLY", "FIXED", "NON_BILLABLE"}
    assert {i["status"] for i in collect(api(), "/invoices")} == {"DRAFT", "SENT", "PAID", "CANCELLED"}
    assert {i["paymentStatus"] for i in collect(api(), "/invoices")} == {
        "unpaid",
        "partially_paid",
        "paid",
        "refunded",
    }
    categories = {"TRAVEL", "MEALS", "SOFTWARE", "EQUIPMENT", "CONTRACTORS", "OTHER"}
    assert {e["category"] for e in collect(api(), "/expenses")} == categories
    assert {m["role"] for m in collect(api(), "/members")} == {"OWNER", "ADMIN", "MANAGER", "MEMBER"}
