"""What the pages describe as the app's, not the API's: v1 has no route or field for it, and the
sandbox answers as the API does for anything it does not have (api/overview: "Invoice creation,
sending, and team management are not exposed by the API in v1 — those stay in the app").
sandbox/FIDELITY.md cites these for every app-only and webhook behaviour."""

from __future__ import annotations

from typing import Any

import pytest
from sbx_helpers import Api, error_of, key

from hoursmith_mcp.sandbox import seed

ACME = seed.CLIENT_WITH_ACTIVE_PROJECT_ID
INVOICE = seed.PAID_INVOICE_ID

# (method, path, status): 404 for a route the API lacks, 405 for a method a known route lacks.
APP_ONLY = [
    ("POST", "/invoices", 405),  # creating, grouping, discounts: the invoice builder
    ("PATCH", f"/invoices/{INVOICE}", 405),  # editing a draft
    ("DELETE", f"/invoices/{INVOICE}", 405),  # deleting (which releases time and expenses)
    ("POST", f"/invoices/{INVOICE}/send", 404),  # sending from your own domain
    ("POST", f"/invoices/{INVOICE}/mark-sent", 404),  # mark sent / mark paid by hand
    ("POST", f"/invoices/{INVOICE}/payments", 404),  # recording payments and refunds
    ("GET", f"/invoices/{INVOICE}/pdf", 404),  # PDF and print
    ("GET", f"/invoices/{INVOICE}/public-link", 404),  # public pay page, views
    ("POST", f"/expenses/{seed.UNBILLED_EXPENSE_ID}/bill", 404),  # "bill expense to invoice"
    ("GET", "/expenses/summary", 404),  # the category breakdown on /expenses
    ("POST", f"/clients/{ACME}/archive", 404),  # archiving and restoring a client
    ("GET", f"/clients/{ACME}/contacts", 404),  # client contacts
    ("GET", f"/projects/{seed.HOURLY_PROJECT_ID}/members", 404),  # a project's Members tab
    ("GET", f"/tasks/{seed.SAM_TASK_ID}/comments", 404),  # comments, mentions, attachments
    ("GET", f"/tasks/{seed.SAM_TASK_ID}/checklist", 404),  # checklists
    ("PATCH", "/time-entries", 405),  # bulk edit (up to 200, locked rows skipped)
    ("DELETE", "/time-entries", 405),  # bulk delete
    ("GET", "/time-entries.csv", 404),  # CSV export
    ("GET", "/reports", 404),  # reports, dashboards, the timesheet's money tiles
    ("GET", "/audit-log", 404),  # Agency's activity and audit log
    ("POST", "/members", 405),  # inviting, removing, changing roles
    ("PATCH", f"/members/{seed.STUDIO_MEMBER_SAM_MEMBER_ID}", 405),
    ("PATCH", "/organization", 405),  # workspace settings, branding, invoice defaults
    ("GET", "/api-tokens", 404),  # minting and revoking tokens: Settings → API
    ("GET", "/billing", 404),  # plans and prices
    ("GET", "/webhooks", 404),  # webhook endpoints, events, signatures, retries, rotation
    ("POST", "/webhooks", 404),
]


@pytest.mark.parametrize(
    ("method", "path", "status"), APP_ONLY, ids=[f"{m} {p[:40]}" for m, p, _ in APP_ONLY]
)
def test_app_only_features_have_no_api_route(api: Api, method: str, path: str, status: int) -> None:
    for role in ("OWNER", "MANAGER"):
        headers = key() if method == "POST" else {}
        response = api(role).request(method, path, json={} if method != "GET" else None, headers=headers)
        assert response.status_code == status, response.text
        assert error_of(response)["code"] == ("not_found" if status == 404 else "method_not_allowed")


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "field"),
    [
        # edit-a-client: per-client invoice payment methods and a status are the edit page's
        ("PATCH", f"/clients/{ACME}", None, {"paymentMethods": {"card": True}}, "paymentMethods"),
        ("PATCH", f"/clients/{ACME}", None, {"status": "ARCHIVED"}, "status"),
        # archive-and-delete: "There is no force-delete"
        ("DELETE", f"/clients/{ACME}", {"force": "true"}, None, "force"),
        # expenses/overview: the Billed (yes/no) filter is the list page's; listExpenses has none
        ("GET", "/expenses", {"billed": "true"}, None, "billed"),
        # core-concepts/expenses: "There's no receipt upload"
        ("PATCH", f"/expenses/{seed.UNBILLED_EXPENSE_ID}", None, {"receipt": "scan.pdf"}, "receipt"),
        # project budgets' warning thresholds are the app's
        (
            "PATCH",
            f"/projects/{seed.HOURLY_PROJECT_ID}",
            None,
            {"budgetWarningPercent": 80},
            "budgetWarningPercent",
        ),
    ],
)
def test_app_only_fields_and_options_are_unknown_to_the_api(
    api: Api, method: str, path: str, params: dict[str, str] | None, body: dict[str, Any] | None, field: str
) -> None:
    response = api().request(method, path, params=params, json=body)
    assert response.status_code == 422, response.text
    assert field in error_of(response)["fields"]
