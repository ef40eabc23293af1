"""The seed obeys the documented rules: every seeded record comes out of the API's own handlers exactly
as seeded, every invoice keeps the invoice rules, every workspace the plan and role rules
(sandbox/seed_check.py, sandbox/invoice_rules.py). And each check can fail: a broken copy of the seed
is caught for what is broken, so a pass means something."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.invoice_rules import invoice_total, line_amount
from hoursmith_mcp.sandbox.seed_check import seed_problems
from hoursmith_mcp.sandbox.store import Store


def test_the_whole_seed_obeys_the_documented_rules() -> None:
    assert seed_problems(seed.build_store()) == []


def test_seeded_invoices_bill_their_own_client_s_time_and_expenses_at_documented_prices() -> None:
    store = seed.build_store()
    paid = store.tables["invoices"][seed.PAID_INVOICE_ID]
    entries = [e for e in store.tables["timeEntries"].values() if e["invoiceId"] == paid["id"]]
    expenses = [x for x in store.tables["expenses"].values() if x["invoiceId"] == paid["id"]]
    assert entries and expenses
    lines = sum(
        (line_amount(e, store.tables["projects"][e["projectId"]]) for e in entries), Decimal(0)
    ) + sum((Decimal(x["amount"]) for x in expenses), Decimal(0))
    assert Decimal(paid["subtotal"]) == lines  # this invoice has no hand-made line
    assert (
        paid["total"]
        == paid["amountPaid"]
        == str(invoice_total(lines, Decimal(paid["discountAmount"]), Decimal(paid["taxRate"])))
    )


def _break(mutate: Callable[[Store], None]) -> list[str]:
    store = seed.build_store()
    mutate(store)
    return seed_problems(store)


BREAKAGES: dict[str, tuple[Callable[[Store], None], str]] = {
    "payment terms as days": (
        lambda s: s.tables["clients"][seed.CLIENT_WITH_ACTIVE_PROJECT_ID].update(defaultPaymentTerms=30),
        "defaultPaymentTerms",
    ),
    "a FIXED project without its inherited rate": (
        lambda s: s.tables["projects"][seed.FIXED_PROJECT_ID].update(hourlyRate=None),
        "hourlyRate is None; the API would store '120.00'",
    ),
    "a Member's time on a project they are not on": (
        lambda s: s.tables["timeEntries"][seed.MEMBER_OWN_ENTRY_ID].update(
            projectId=seed.NORTHWIND_PROJECT_ID, taskId=None
        ),
        "the API refuses it: 422",
    ),
    "a task assigning a Member who is not on its project": (
        lambda s: s.tables["tasks"][seed.LENA_TASK_ID]["assigneeIds"].append(seed.STUDIO_MEMBER_SAM_USER_ID),
        "a task assigns Member",
    ),
    "another client's expense on an invoice": (
        lambda s: next(
            x for x in s.tables["expenses"].values() if x["clientId"] != seed.CLIENT_WITH_ACTIVE_PROJECT_ID
        ).update(invoiceId=seed.PAID_INVOICE_ID),
        "belongs to another client",
    ),
    "a total off by a cent": (
        lambda s: s.tables["invoices"][seed.DRAFT_INVOICE_ID].update(
            total=str(Decimal(s.tables["invoices"][seed.DRAFT_INVOICE_ID]["total"]) + Decimal("0.01"))
        ),
        "is not (subtotal - discount) plus tax",
    ),
    "a paid invoice not paid in full": (
        lambda s: s.tables["invoices"][seed.PAID_INVOICE_ID].update(amountPaid="1.00"),
        "paid with amountPaid 1.00",
    ),
    "time still on a cancelled invoice": (
        lambda s: s.tables["timeEntries"][seed.MEMBER_OWN_ENTRY_ID].update(
            invoiceId=next(i["id"] for i in s.tables["invoices"].values() if i["status"] == "CANCELLED")
        ),
        "cancelling releases them",
    ),
    "non-billable time on an invoice": (
        lambda s: s.tables["timeEntries"][seed.INVOICED_TIME_ENTRY_ID].update(billable=False),
        "is not billable, finished time",
    ),
    "two owners": (
        lambda s: s.members[seed.STUDIO_ADMIN_MEMBER_ID].update(role="OWNER"),
        "2 owners",
    ),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_seed_is_caught_for_what_is_broken(breakage: str) -> None:
    mutate, expected = BREAKAGES[breakage]
    problems = _break(mutate)
    assert problems and any(expected in problem for problem in problems), problems
