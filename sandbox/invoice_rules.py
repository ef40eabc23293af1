"""What the documentation says an invoice is, as checks on a stored invoice and what it bills.

Invoices are made and settled in the app, never over the API, so no handler enforces these: the seed
builds its invoices with `line_amount` and `invoice_total`, and `invoice_problems` checks every
seeded invoice (tests/sandbox/test_seed_rules.py). Sources, by rule:
- core-concepts/invoices: statuses Draft/Sent/Paid/Cancelled; payment status unpaid, partially paid,
  paid or refunded; "Overdue isn't a stored status"; a snapshot of bill-to details and prices.
- invoices/overview: "Cancelled — voided; linked time and expenses are released".
- invoices/mark-sent-and-paid: Draft -> Sent -> Paid; "Paid invoices can't be cancelled".
- marketing/features/invoicing: each time entry "rounds up to the nearest quarter hour", "priced at
  each project's rate"; "tax computes on (subtotal - discount)"; "Negative balances are impossible".
- time-tracking/billable-vs-nonbillable: "Invoices only ever draw from billable, un-invoiced time".
- expenses/add-to-invoice and invoices/add-expenses: that client's billable expenses, non-zero, in the
  invoice's currency, billed "at the amount you logged".
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .store import Record, Store

QUARTER_HOUR_SECONDS = 15 * 60
CENT = Decimal("0.01")
# paymentStatus values each status allows.
PAYMENT_STATUSES_BY_STATUS = {
    "DRAFT": ("unpaid",),
    "SENT": ("unpaid", "partially_paid"),
    "PAID": ("paid", "refunded"),
    "CANCELLED": ("unpaid", "partially_paid"),  # "Paid invoices can't be cancelled"
}


def line_amount(entry: Record, project: Record) -> Decimal:
    """A time line: the entry rounded up to whole quarter hours, at its project's hourly rate. A FIXED
    project bills its fee as a line of its own, so its time adds nothing here."""
    if project["rateType"] != "HOURLY" or project["hourlyRate"] is None:
        return Decimal(0)
    quarters = math.ceil(int(entry["durationSeconds"]) / QUARTER_HOUR_SECONDS)
    return (Decimal(project["hourlyRate"]) * quarters / 4).quantize(CENT, ROUND_HALF_UP)


def invoice_total(subtotal: Decimal, discount: Decimal, tax_rate: Decimal) -> Decimal:
    """Discount first, then tax on what remains, to the cent."""
    return ((subtotal - discount) * (1 + tax_rate / 100)).quantize(CENT, ROUND_HALF_UP)


def billed(store: Store, kind: str, invoice: Record) -> list[Record]:
    return [r for r in store.rows(kind, invoice["orgId"]) if r.get("invoiceId") == invoice["id"]]


def invoice_problems(store: Store, invoice: Record) -> list[str]:
    """Every way this invoice breaks the documented rules (empty when it keeps them all)."""
    problems: list[str] = []
    org = store.orgs[invoice["orgId"]]
    client = store.get("clients", invoice["clientId"], invoice["orgId"])
    if client is None:
        return [f"no client {invoice['clientId']} in its workspace"]
    if not str(invoice["number"]).startswith(org["invoicePrefix"]):
        problems.append(f"number {invoice['number']} lacks the workspace prefix {org['invoicePrefix']}")
    if invoice["currency"] != (client["currency"] or org["defaultCurrency"]):
        problems.append(f"currency {invoice['currency']} is not its client's")
    if invoice["billToName"] != client["name"]:
        problems.append(f"billToName {invoice['billToName']!r} is not its client's name")
    problems += _status_problems(invoice)
    problems += _amount_problems(invoice)
    problems += _line_problems(store, invoice, client)
    return problems


def _status_problems(invoice: Record) -> list[str]:
    status, payment = invoice["status"], invoice["paymentStatus"]
    problems = []
    if payment not in PAYMENT_STATUSES_BY_STATUS.get(status, ()):
        problems.append(f"status {status} cannot have paymentStatus {payment}")
    if status == "DRAFT" and invoice["sentAt"] is not None:
        problems.append("a draft has not been sent, yet has sentAt")
    if status in ("SENT", "PAID") and invoice["sentAt"] is None:
        problems.append(f"a {status} invoice has no sentAt")
    if (payment in ("paid", "refunded")) != (invoice["paidAt"] is not None):
        problems.append("paidAt is set exactly when the invoice was paid")
    if invoice["dueDate"] < invoice["issueDate"]:
        problems.append("dueDate is before issueDate")
    return problems


def _amount_problems(invoice: Record) -> list[str]:
    subtotal, discount = Decimal(invoice["subtotal"]), Decimal(invoice["discountAmount"])
    total, paid = Decimal(invoice["total"]), Decimal(invoice["amountPaid"])
    problems = []
    if not Decimal(0) <= discount <= subtotal:
        problems.append("the discount exceeds the subtotal (a negative balance)")
    expected = invoice_total(subtotal, discount, Decimal(invoice["taxRate"]))
    if total != expected:
        problems.append(f"total {total} is not (subtotal - discount) plus tax = {expected}")
    payment = invoice["paymentStatus"]
    if payment == "unpaid" and paid != 0:
        problems.append(f"unpaid with amountPaid {paid}")
    if payment == "partially_paid" and not Decimal(0) < paid < total:
        problems.append(f"partially paid with amountPaid {paid} of {total}")
    if payment in ("paid", "refunded") and paid != total:  # a refund keeps the payment's record
        problems.append(f"{payment} with amountPaid {paid} of {total}")
    return problems


def _line_problems(store: Store, invoice: Record, client: Record) -> list[str]:
    entries, expenses = billed(store, "timeEntries", invoice), billed(store, "expenses", invoice)
    if invoice["status"] == "CANCELLED" and (entries or expenses):
        return ["a cancelled invoice still holds time or expenses (cancelling releases them)"]
    problems = []
    lines = Decimal(0)
    for entry in entries:
        project: dict[str, Any] = store.tables["projects"][entry["projectId"]]
        if project["clientId"] != client["id"]:
            problems.append(f"time entry {entry['id']} belongs to another client's project")
        if not entry["billable"] or (entry["stoppedAt"] is None and entry["startedAt"] is not None):
            problems.append(f"time entry {entry['id']} is not billable, finished time")
        else:
            lines += line_amount(entry, project)
    for expense in expenses:
        if expense["clientId"] != client["id"]:
            problems.append(f"expense {expense['id']} belongs to another client")
        if not expense["billable"] or Decimal(expense["amount"]) <= 0:
            problems.append(f"expense {expense['id']} is not a billable, non-zero cost")
        if expense["currency"] != invoice["currency"]:
            problems.append(
                f"expense {expense['id']} is in {expense['currency']}, the invoice in {invoice['currency']}"
            )
        lines += Decimal(expense["amount"])
    if Decimal(invoice["subtotal"]) < lines:
        problems.append(
            f"subtotal {invoice['subtotal']} is less than the time and expenses it bills ({lines})"
        )
    return problems
