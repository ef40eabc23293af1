"""The fields of each record kind, and blank records built from them."""

from __future__ import annotations

from typing import Any

from .store import Record

CLIENT_FIELDS = (
    "name",
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
    "requirePoNumber",
    "billingEmail",
)
PROJECT_FIELDS = (
    "clientId",
    "name",
    "description",
    "color",
    "status",
    "rateType",
    "hourlyRate",
    "fixedFeeAmount",
    "budgetHours",
    "budgetAmount",
    "startDate",
    "dueDate",
)
TASK_FIELDS = (
    "projectId",
    "name",
    "description",
    "status",
    "priority",
    "billable",
    "assigneeIds",
    "startDate",
    "endDate",
    "dueDate",
    "archivedAt",
)
TIME_ENTRY_FIELDS = (
    "userId",
    "projectId",
    "taskId",
    "invoiceId",
    "durationSeconds",
    "billable",
    "note",
    "entryDate",
    "startedAt",
    "stoppedAt",
)
EXPENSE_FIELDS = (
    "clientId",
    "projectId",
    "description",
    "amount",
    "expenseDate",
    "category",
    "customCategory",
    "billable",
    "invoiceId",
    "currency",
)
INVOICE_FIELDS = (
    "clientId",
    "number",
    "status",
    "paymentStatus",
    "subtotal",
    "discountAmount",
    "taxRate",
    "total",
    "amountPaid",
    "currency",
    "notes",
    "billToName",
    "issueDate",
    "dueDate",
    "sentAt",
    "paidAt",
)

FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    "clients": CLIENT_FIELDS,
    "projects": PROJECT_FIELDS,
    "tasks": TASK_FIELDS,
    "timeEntries": TIME_ENTRY_FIELDS,
    "expenses": EXPENSE_FIELDS,
    "invoices": INVOICE_FIELDS,
}

# Fields every record carries but no request may set.
SYSTEM_FIELDS = ("id", "orgId", "createdAt", "updatedAt", "deletedAt")

# Money fields Members never see on projects ([decided] money-blindness).
PROJECT_MONEY_FIELDS = ("hourlyRate", "fixedFeeAmount", "budgetAmount")


def new_record(kind: str, org_id: str, record_id: str, created_at: str, **values: Any) -> Record:
    """A record with every field of its kind present (null unless given)."""
    unknown = set(values) - set(FIELDS_BY_KIND[kind])
    if unknown:
        raise KeyError(f"unknown {kind} fields: {sorted(unknown)}")
    record: Record = {"id": record_id, "orgId": org_id}
    record.update(dict.fromkeys(FIELDS_BY_KIND[kind]))
    record.update(values)
    record.update(createdAt=created_at, updatedAt=created_at, deletedAt=None)
    return record
