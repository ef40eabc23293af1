"""The deterministic seed: three workspaces, their members and tokens, and the studio's demo data.

Every id is a uuid5 of a fixed namespace, so ids are the same on every start. The only value that
depends on the clock is the running timer (started 25 minutes before the sandbox started).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .invoice_rules import billed, invoice_total, line_amount
from .shapes import new_record
from .store import Record, Store, TokenRecord
from .timeutil import format_ts, utcnow
from .validation import format_money

SEED_NAMESPACE = uuid.UUID("5b1e0f3a-9c2d-4e8b-a6f1-3d7c2b9e4a10")


def seed_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(SEED_NAMESPACE, f"{kind}:{key}"))


@dataclass(frozen=True)
class SeededToken:
    workspace: str  # "studio" | "agency" | "free"
    role: str  # "OWNER" | "ADMIN" | "MANAGER" | "MEMBER"
    name: str
    member_id: str
    token: str
    revoked: bool = False


@dataclass(frozen=True)
class _Org:
    key: str
    name: str
    plan: str
    currency: str
    prefix: str
    domain: str


_ORGS = (
    _Org("studio", "Brightline Studio", "studio", "EUR", "BLS-", "brightline.example"),
    _Org("agency", "Northstar Agency", "agency", "USD", "NSA-", "northstar.example"),
    _Org("free", "Pebble Freelance", "free", "GBP", "PF-", "pebble.example"),
)

# (workspace, role, member name, token). Fixed strings so that docs and tests can quote them.
_MEMBERS = (
    ("studio", "OWNER", "Mara Okafor", "hsk_test_fabe718d8280_LFFG7pyrl7LXx4KPZA3iffJLaKkvTY9z"),
    ("studio", "ADMIN", "Theo Lindqvist", "hsk_test_ef9d2cff1187_nmAfJNJnUJp7bEkraL22F20swFTZYttv"),
    ("studio", "MANAGER", "Priya Raman", "hsk_test_918f0b75ca9e_ndL9ZcQ7iVtONJ2j2zuFIyrmxf6Iu9XI"),
    ("studio", "MEMBER", "Sam Dupont", "hsk_test_4a05f6e66fdf_2jzWuqmyOZaUnqkFInPrjzjkLXaSg4oV"),
    ("studio", "MEMBER", "Lena Vogel", "hsk_test_5fc601b12998_pvSaTgHdZtXuDg4kAHkQO47lGBrnb6re"),
    ("agency", "OWNER", "Ravi Mehta", "hsk_test_1b3d9108d73f_a9wmvfvdN1HJzyRbkYYstk5s8jD7LGKn"),
    ("agency", "ADMIN", "Claire Moreau", "hsk_test_e2c76abb3cb7_7lkVbQ1PfQs6MauxO6QKeH9rAz9qe7hz"),
    ("agency", "MANAGER", "Diego Alvarez", "hsk_test_de0d32ccfd7b_19r2OfndwK7PEfTwAUboAfcUzZnHEMhd"),
    ("agency", "MEMBER", "Yuki Tanaka", "hsk_test_2ac83210c00f_z9LedcXnFlNfahS0uKNUzNPrdqL4IyRR"),
    ("free", "OWNER", "Nora Quinn", "hsk_test_d521d32586c7_28lbPkB8GVEQZdDmInZehZu0ihNGabvq"),
    ("free", "ADMIN", "Felix Brandt", "hsk_test_663b213c9ae4_2QmljgByiI3nn9HYdXzVFapVsLK8wEhd"),
    ("free", "MANAGER", "Ines Costa", "hsk_test_4f3dde709ee4_d0wTRKuBIbNx35XZNHjoP7wK2j2ovEvb"),
    ("free", "MEMBER", "Omar Haddad", "hsk_test_da4b29a2db17_evkUL3h9XdsoZkgTbon9EmtNwF4jnuSh"),
)


def _member_id(workspace: str, name: str) -> str:
    return seed_id("member", f"{workspace}:{name}")


def _user_id(workspace: str, name: str) -> str:
    return seed_id("user", f"{workspace}:{name}")


# Revoked tokens: the Owner's rotated-out token, and the token of a member who has been removed.
REVOKED_OWNER_TOKEN = "hsk_test_549ee24a3399_Urt6G5thsNm7fFWi0jWPHWsYj3qC6HcE"
REMOVED_MEMBER_TOKEN = "hsk_test_6e6ec2660b32_QADEhhLmPkMoLQYaJhedf48CDSKpEpTy"

SEEDED_TOKENS: list[SeededToken] = [
    SeededToken(ws, role, name, _member_id(ws, name), token) for ws, role, name, token in _MEMBERS
] + [
    SeededToken(
        "studio", "OWNER", "Mara Okafor", _member_id("studio", "Mara Okafor"), REVOKED_OWNER_TOKEN, True
    ),
    SeededToken(
        "studio", "MEMBER", "Jonas Berg", _member_id("studio", "Jonas Berg"), REMOVED_MEMBER_TOKEN, True
    ),
]


def token_for(workspace: str = "studio", role: str = "OWNER") -> str:
    """The first live seeded token of that workspace and role (role case-insensitive)."""
    for seeded in SEEDED_TOKENS:
        if seeded.workspace == workspace.lower() and seeded.role == role.upper() and not seeded.revoked:
            return seeded.token
    raise LookupError(f"no seeded token for workspace {workspace!r} and role {role!r}")


# --- well-known ids -------------------------------------------------------------------------------
STUDIO_ORG_ID = seed_id("org", "studio")
AGENCY_ORG_ID = seed_id("org", "agency")
FREE_ORG_ID = seed_id("org", "free")

STUDIO_OWNER_MEMBER_ID = _member_id("studio", "Mara Okafor")
STUDIO_ADMIN_MEMBER_ID = _member_id("studio", "Theo Lindqvist")
STUDIO_MANAGER_MEMBER_ID = _member_id("studio", "Priya Raman")
STUDIO_MEMBER_SAM_MEMBER_ID = _member_id("studio", "Sam Dupont")
STUDIO_MEMBER_LENA_MEMBER_ID = _member_id("studio", "Lena Vogel")
STUDIO_OWNER_USER_ID = _user_id("studio", "Mara Okafor")
STUDIO_ADMIN_USER_ID = _user_id("studio", "Theo Lindqvist")
STUDIO_MANAGER_USER_ID = _user_id("studio", "Priya Raman")
STUDIO_MEMBER_SAM_USER_ID = _user_id("studio", "Sam Dupont")
STUDIO_MEMBER_LENA_USER_ID = _user_id("studio", "Lena Vogel")

CLIENT_WITH_ACTIVE_PROJECT_ID = seed_id("client", "studio:acme")  # guarded: active projects + invoices
CLIENT_WITH_INVOICE_ONLY_ID = seed_id("client", "studio:umbrella")  # guarded: no projects, one invoice
CLIENT_WITH_ARCHIVED_PROJECT_ONLY_ID = seed_id("client", "studio:globex")  # deletable
DELETABLE_CLIENT_ID = seed_id("client", "studio:initech")  # deletable: no projects, no invoices

HOURLY_PROJECT_ID = seed_id("project", "studio:acme-website")  # ACTIVE, Sam and Lena on it
FIXED_PROJECT_ID = seed_id("project", "studio:acme-retainer")  # ACTIVE, FIXED, Sam on it
NORTHWIND_PROJECT_ID = seed_id("project", "studio:northwind-brand")  # ACTIVE, HOURLY, Lena on it
COMPLETED_PROJECT_ID = seed_id("project", "studio:northwind-catalogue")  # COMPLETED, FIXED
ARCHIVED_PROJECT_ID = seed_id("project", "studio:globex-pitch")  # ARCHIVED
NON_BILLABLE_PROJECT_ID = seed_id("project", "studio:hooli-podcast")  # ACTIVE, NON_BILLABLE, Sam and Lena
PROJECT_WITHOUT_MEMBERS_ID = seed_id("project", "studio:acme-mobile")  # ACTIVE, no Member on it

SAM_TASK_ID = seed_id("task", "studio:0")  # assigned to Sam
LENA_TASK_ID = seed_id("task", "studio:2")  # assigned to Lena only
ARCHIVED_TASK_ID = seed_id("task", "studio:archived")

RUNNING_TIMER_ENTRY_ID = seed_id("time-entry", "studio:running")
RUNNING_TIMER_USER_ID = STUDIO_MEMBER_SAM_USER_ID
RUNNING_TIMER_MEMBER_ID = STUDIO_MEMBER_SAM_MEMBER_ID
INVOICED_TIME_ENTRY_ID = seed_id("time-entry", "studio:0")  # Sam's, on an invoice
MEMBER_OWN_ENTRY_ID = seed_id("time-entry", "studio:75")  # Sam's, not invoiced
OTHER_MEMBERS_ENTRY_ID = seed_id("time-entry", "studio:76")  # Lena's, not invoiced
BILLED_EXPENSE_ID = seed_id("expense", "studio:0")
UNBILLED_EXPENSE_ID = seed_id("expense", "studio:10")
PAID_INVOICE_ID = seed_id("invoice", "studio:1")
DRAFT_INVOICE_ID = seed_id("invoice", "studio:4")

STUDIO_TIME_ENTRY_COUNT = 80  # plus the running timer

_BASE = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def _ts(hours: float) -> str:
    return format_ts(_BASE + timedelta(hours=hours))


# --- building the store ---------------------------------------------------------------------------


def build_store(now: datetime | None = None) -> Store:
    now = now or utcnow()
    store = Store()
    for index, org in enumerate(_ORGS):
        store.orgs[seed_id("org", org.key)] = {
            "id": seed_id("org", org.key),
            "name": org.name,
            "plan": org.plan,
            "defaultCurrency": org.currency,
            "invoicePrefix": org.prefix,
            "legalName": f"{org.name} Ltd",
            "taxId": f"TAX-{1000 + index}",
            "businessEmail": f"billing@{org.domain}",
            "businessWebsite": f"https://{org.domain}",
            "createdAt": _ts(-24 * 60 + index),
        }
    for index, (ws, role, name, token) in enumerate(_MEMBERS):
        org = next(o for o in _ORGS if o.key == ws)
        first, last = name.lower().split()
        store.members[_member_id(ws, name)] = {
            "id": _member_id(ws, name),
            "orgId": seed_id("org", ws),
            "userId": _user_id(ws, name),
            "role": role,
            "name": name,
            "email": f"{first}.{last}@{org.domain}",
            "createdAt": _ts(-24 * 50 + index * 24),
        }
        store.tokens[token] = TokenRecord(token, seed_id("org", ws), _member_id(ws, name), f"{first}-sandbox")
    owner = _member_id("studio", "Mara Okafor")
    store.tokens[REVOKED_OWNER_TOKEN] = TokenRecord(
        REVOKED_OWNER_TOKEN, STUDIO_ORG_ID, owner, "old-laptop", True
    )
    removed = _member_id("studio", "Jonas Berg")  # no member record: the member was removed
    store.tokens[REMOVED_MEMBER_TOKEN] = TokenRecord(
        REMOVED_MEMBER_TOKEN, STUDIO_ORG_ID, removed, "jonas", True
    )

    _seed_studio(store, now)
    _seed_agency(store)
    _seed_free(store)
    return store


class _Builder:
    """Adds records of one workspace with deterministic ids and increasing createdAt."""

    def __init__(self, store: Store, workspace: str) -> None:
        self.store = store
        self.ws = workspace
        self.org_id = seed_id("org", workspace)
        self.clock = 0.0

    def add(self, kind: str, id_kind: str, key: str, **values: Any) -> Record:
        self.clock += 1.5
        record = new_record(
            kind, self.org_id, seed_id(id_kind, f"{self.ws}:{key}"), _ts(self.clock), **values
        )
        return self.store.insert(kind, record)

    def on_project(self, project_id: str, *names: str) -> None:
        self.store.users_on_project(project_id).update(_user_id(self.ws, n) for n in names)


def _money(value: str) -> str:
    return format_money(Decimal(value))


def _seed_studio(store: Store, now: datetime) -> None:
    b = _Builder(store, "studio")
    eur = "EUR"
    clients = [
        ("acme", "Acme Robotics", "Wile Coyote", "120.00"),
        ("northwind", "Northwind Traders", "Nancy Davolio", "95.00"),
        ("globex", "Globex Foods", "Hank Scorpio", "110.00"),
        ("initech", "Initech Labs", "Bill Lumbergh", None),
        ("umbrella", "Umbrella Health", "Alice Abernathy", "140.00"),
        ("hooli", "Hooli Media", "Gavin Belson", "100.00"),
        ("vandelay", "Vandelay Imports", "Art Vandelay", "80.00"),
        ("soylent", "Soylent Kitchens", None, None),
        ("wonka", "Wonka Confections", "Charlie Bucket", "90.00"),
    ]
    for key, name, contact, rate in clients:
        slug = key
        b.add(
            "clients",
            "client",
            key,
            name=name,
            contactName=contact,
            email=f"hello@{slug}.example",
            currency=eur,
            defaultRate=rate,
            defaultPaymentTerms="Net 30",
            defaultTaxRate="19",
            requirePoNumber=key == "acme",
            billingCountry="DE",
            billingCity="Berlin",
            notes=f"Seeded client {name}",
        )
    client = {key: seed_id("client", f"studio:{key}") for key, *_ in clients}

    projects: list[tuple[str, str, str, str, str, dict[str, Any], tuple[str, ...]]] = [
        (
            "acme-website",
            "acme",
            "Acme Website Redesign",
            "HOURLY",
            "ACTIVE",
            {"hourlyRate": "120.00", "budgetHours": "200"},
            ("Sam Dupont", "Lena Vogel"),
        ),
        (
            "acme-retainer",
            "acme",
            "Acme Support Retainer",
            "FIXED",
            "ACTIVE",
            # A FIXED project's blank rate inherits the client's, as the API does (billing-types-and-rates).
            {"fixedFeeAmount": "4800.00", "hourlyRate": "120.00"},
            ("Sam Dupont",),
        ),
        (
            "northwind-brand",
            "northwind",
            "Northwind Brand Refresh",
            "HOURLY",
            "ACTIVE",
            {"hourlyRate": "95.00", "budgetAmount": "15000.00"},
            ("Lena Vogel",),
        ),
        (
            "northwind-catalogue",
            "northwind",
            "Northwind Catalogue 2024",
            "FIXED",
            "COMPLETED",
            {"fixedFeeAmount": "9000.00", "hourlyRate": "95.00"},
            (),
        ),
        ("globex-pitch", "globex", "Globex Pitch Deck", "HOURLY", "ARCHIVED", {"hourlyRate": "110.00"}, ()),
        (
            "hooli-podcast",
            "hooli",
            "Hooli Podcast Pilot",
            "NON_BILLABLE",
            "ACTIVE",
            {},
            ("Sam Dupont", "Lena Vogel"),
        ),
        ("hooli-style", "hooli", "Hooli Style Guide", "HOURLY", "COMPLETED", {"hourlyRate": "100.00"}, ()),
        ("acme-mobile", "acme", "Acme Mobile App", "HOURLY", "ACTIVE", {"hourlyRate": "130.00"}, ()),
    ]
    colors = ("#2563EB", "#16A34A", "#DC2626", "#9333EA", "#EA580C", "#0891B2", "#CA8A04", "#DB2777")
    for index, (key, client_key, name, rate_type, status, amounts, staffed) in enumerate(projects):
        b.add(
            "projects",
            "project",
            key,
            clientId=client[client_key],
            name=name,
            description=f"{name} for {client_key.title()}",
            color=colors[index],
            status=status,
            rateType=rate_type,
            startDate=f"2025-0{1 + index % 3}-0{1 + index}",
            dueDate=f"2025-1{index % 3}-15",
            **amounts,
        )
        b.on_project(seed_id("project", f"studio:{key}"), *staffed)
    project = {key: seed_id("project", f"studio:{key}") for key, *_ in projects}

    # Tasks: every status and priority; Sam and Lena each have some.
    sam, lena = _user_id("studio", "Sam Dupont"), _user_id("studio", "Lena Vogel")
    priya = _user_id("studio", "Priya Raman")
    task_plan = [
        ("acme-website", "Homepage wireframes", "IN_PROGRESS", "HIGH", [sam]),
        ("acme-website", "Design system tokens", "TODO", "MEDIUM", [sam, lena]),
        ("northwind-brand", "Logo explorations", "IN_PROGRESS", "HIGH", [lena]),
        ("northwind-brand", "Brand guidelines PDF", "TODO", "LOW", [lena]),
        ("acme-retainer", "Monthly maintenance", "DONE", "MEDIUM", [sam]),
        ("hooli-podcast", "Episode outline", "DONE", "LOW", [sam, lena]),
        ("hooli-podcast", "Audio editing", "TODO", "MEDIUM", [priya]),
        ("acme-mobile", "App store screenshots", "TODO", "HIGH", [priya]),
        ("acme-website", "Accessibility audit", "TODO", "MEDIUM", []),
        ("northwind-catalogue", "Print proofs", "DONE", "HIGH", [priya]),
        ("acme-website", "Content migration", "IN_PROGRESS", "LOW", [sam]),
        ("northwind-brand", "Stationery set", "IN_PROGRESS", "MEDIUM", [lena]),
        ("hooli-style", "Typography scale", "DONE", "LOW", []),
        ("acme-mobile", "Push notification copy", "TODO", "LOW", []),
    ]
    for index, (project_key, name, status, priority, assignees) in enumerate(task_plan):
        b.add(
            "tasks",
            "task",
            str(index),
            projectId=project[project_key],
            name=name,
            description=f"{name} ({project_key})",
            status=status,
            priority=priority,
            billable=project_key != "hooli-podcast",
            assigneeIds=list(assignees),
            startDate=f"2025-03-{1 + index:02d}",
            endDate=f"2025-04-{1 + index:02d}" if status == "DONE" else None,
            dueDate=f"2025-05-{1 + index:02d}",
        )
    b.add(
        "tasks",
        "task",
        "archived",
        projectId=project["acme-website"],
        name="Old sitemap draft",
        description="Superseded by the new IA",
        status="DONE",
        priority="LOW",
        billable=True,
        assigneeIds=[sam],
        archivedAt=_ts(24 * 40),
    )

    # Invoices: every status; paymentStatus values are lower-case as documented. The amounts are
    # settled once the time and expenses they bill exist (_settle_invoices): hand-made lines (fees,
    # retainers) plus what they bill, discount, then tax (invoice_rules.py).
    invoice_plan = [
        # client, status, payment, issued, due, hand-made lines, discount, amount paid when partial
        ("northwind", "SENT", "unpaid", "2025-03-31", "2025-04-30", "0", "0", None),
        ("acme", "PAID", "paid", "2025-04-01", "2025-05-01", "0", "50", None),
        ("northwind", "SENT", "partially_paid", "2025-04-15", "2025-05-15", "1900", "0", "1000"),
        ("umbrella", "CANCELLED", "unpaid", "2025-02-01", "2025-03-01", "700", "50", None),
        ("acme", "DRAFT", "unpaid", "2025-06-01", "2025-07-01", "2400", "0", None),
        ("hooli", "PAID", "refunded", "2025-01-20", "2025-02-19", "1000", "50", None),
    ]
    for index, (client_key, status, payment, issued, due, *_amounts) in enumerate(invoice_plan):
        b.add(
            "invoices",
            "invoice",
            str(index),
            clientId=client[client_key],
            number=f"BLS-{index + 1:04d}",
            status=status,
            paymentStatus=payment,
            taxRate="19",
            currency=eur,
            notes=f"Invoice for {client_key.title()}",
            billToName=dict((k, n) for k, n, *_ in clients)[client_key],
            issueDate=issued,
            dueDate=due,
            sentAt=None if status == "DRAFT" else f"{issued}T10:00:00.000Z",
            paidAt=f"{due}T08:00:00.000Z" if payment in ("paid", "refunded") else None,
        )
    invoice = {i: seed_id("invoice", f"studio:{i}") for i in range(len(invoice_plan))}

    # Time entries: 80 of them over five people; the early ones of two projects are invoiced.
    loggers = ["Sam Dupont", "Lena Vogel", "Priya Raman", "Theo Lindqvist", "Mara Okafor"]
    member_projects = {
        "Sam Dupont": ["acme-website", "acme-retainer", "hooli-podcast"],
        "Lena Vogel": ["northwind-brand", "acme-website", "hooli-podcast"],
    }
    staff_projects = ["acme-website", "northwind-brand", "acme-mobile", "hooli-podcast", "acme-retainer"]
    notes = [
        "Design review",
        "Client call",
        "Bug fixing",
        "Wireframes",
        "Copywriting",
        "Sprint planning",
        "QA pass",
        "Deploy prep",
        "Research",
        "Workshop",
    ]
    rate_types = {key: rt for key, _c, _n, rt, *_ in projects}
    tasks_by_project: dict[str, list[str]] = {}
    for index, (project_key, *_rest) in enumerate(task_plan):
        tasks_by_project.setdefault(project_key, []).append(seed_id("task", f"studio:{index}"))
    for index in range(STUDIO_TIME_ENTRY_COUNT):
        person = loggers[index % len(loggers)]
        choices = member_projects.get(person, staff_projects)
        project_key = choices[(index // len(loggers)) % len(choices)]
        day = date(2025, 3, 3) + timedelta(days=index // 2)
        invoice_id = None
        if index < 40 and project_key == "acme-website":
            invoice_id = invoice[1]
        elif index < 40 and project_key == "northwind-brand":
            invoice_id = invoice[0]
        task_ids = tasks_by_project.get(project_key, [])
        begun = datetime(day.year, day.month, day.day, 9 + index % 6, tzinfo=UTC) if index % 4 == 0 else None
        seconds = (index % 8 + 1) * 1800 + (index % 3) * 300
        b.add(
            "timeEntries",
            "time-entry",
            str(index),
            userId=_user_id("studio", person),
            projectId=project[project_key],
            taskId=task_ids[index % len(task_ids)] if task_ids and index % 3 else None,
            invoiceId=invoice_id,
            durationSeconds=seconds,
            billable=rate_types[project_key] != "NON_BILLABLE",
            note=f"{notes[index % len(notes)]} #{index}",
            entryDate=day.isoformat(),
            startedAt=format_ts(begun) if begun else None,
            stoppedAt=format_ts(begun + timedelta(seconds=seconds)) if begun else None,
        )
    started = now - timedelta(minutes=25)
    running = new_record(
        "timeEntries",
        b.org_id,
        RUNNING_TIMER_ENTRY_ID,
        format_ts(started),
        userId=sam,
        projectId=project["acme-website"],
        taskId=seed_id("task", "studio:0"),
        durationSeconds=None,
        billable=True,
        note="Timer: homepage hero",
        entryDate=started.date().isoformat(),
        startedAt=format_ts(started),
        stoppedAt=None,
    )
    store.insert("timeEntries", running)

    # Expenses: every category; the first four are billed.
    categories = ["TRAVEL", "MEALS", "SOFTWARE", "EQUIPMENT", "CONTRACTORS", "OTHER"]
    expense_clients = [("acme", "acme-website"), ("northwind", "northwind-brand"), ("hooli", None)]
    for index in range(16):
        client_key, expense_project = expense_clients[index % len(expense_clients)]
        category = categories[index % len(categories)]
        # Only Acme's own billable costs go on Acme's paid invoice (invoices/add-expenses).
        billed = index < 4 and client_key == "acme" and index % 5 != 4
        b.add(
            "expenses",
            "expense",
            str(index),
            clientId=client[client_key],
            projectId=project[expense_project] if expense_project and index % 2 == 0 else None,
            description=f"{category.title()} expense {index}",
            amount=_money(f"{12 + index * 17}.{index * 7 % 100:02d}"),
            expenseDate=f"2025-04-{1 + index:02d}",
            category=category,
            customCategory="Stock photos" if category == "OTHER" else None,
            billable=index % 5 != 4,
            invoiceId=invoice[1] if billed else None,
            currency=eur,
        )
    _settle_invoices(store, [(invoice[i], *plan[5:]) for i, plan in enumerate(invoice_plan)])


def _settle_invoices(store: Store, plans: list[tuple[str, str, str, str | None]]) -> None:
    """Each invoice's amounts from what it bills: its time (rounded up to quarter hours, at the project's
    rate) and expenses, plus its hand-made lines; discount, then tax; paid as its payment status says."""
    for invoice_id, hand_made, discount, partial in plans:
        invoice = store.tables["invoices"][invoice_id]
        subtotal = Decimal(hand_made)
        subtotal += sum(
            (
                line_amount(e, store.tables["projects"][e["projectId"]])
                for e in billed(store, "timeEntries", invoice)
            ),
            Decimal(0),
        )
        subtotal += sum((Decimal(x["amount"]) for x in billed(store, "expenses", invoice)), Decimal(0))
        total = invoice_total(subtotal, Decimal(discount), Decimal(invoice["taxRate"]))
        paid = {"unpaid": Decimal(0), "partially_paid": Decimal(partial or 0)}.get(
            invoice["paymentStatus"], total
        )
        invoice.update(
            subtotal=_money(str(subtotal)),
            discountAmount=_money(discount),
            total=_money(str(total)),
            amountPaid=_money(str(paid)),
        )


def _seed_agency(store: Store) -> None:
    b = _Builder(store, "agency")
    for key, name in (("bluth", "Bluth Company"), ("dunder", "Dunder Mifflin"), ("pied", "Pied Piper")):
        b.add(
            "clients",
            "client",
            key,
            name=name,
            currency="USD",
            defaultRate="150.00",
            email=f"ap@{key}.example",
            requirePoNumber=False,
        )
    rows = [
        ("bluth", "bluth-launch", "Bluth Launch Campaign", "HOURLY", {"hourlyRate": "150.00"}),
        (
            "dunder",
            "dunder-paper",
            "Dunder Paper Catalogue",
            "FIXED",
            {"fixedFeeAmount": "12000.00", "hourlyRate": "150.00"},
        ),
        ("pied", "pied-internal", "Pied Piper Pro Bono", "NON_BILLABLE", {}),
    ]
    for client_key, key, name, rate_type, amounts in rows:
        b.add(
            "projects",
            "project",
            key,
            clientId=seed_id("client", f"agency:{client_key}"),
            name=name,
            status="ACTIVE",
            rateType=rate_type,
            **amounts,
        )
    yuki = _user_id("agency", "Yuki Tanaka")
    b.on_project(seed_id("project", "agency:bluth-launch"), "Yuki Tanaka")
    for index, name in enumerate(("Media plan", "Launch video", "Press kit", "Catalogue layout")):
        key = "bluth-launch" if index < 3 else "dunder-paper"
        b.add(
            "tasks",
            "task",
            str(index),
            projectId=seed_id("project", f"agency:{key}"),
            name=name,
            status=("TODO", "IN_PROGRESS", "DONE")[index % 3],
            priority="MEDIUM",
            billable=True,
            assigneeIds=[yuki] if index < 2 else [],
        )
    people = ["Yuki Tanaka", "Diego Alvarez", "Ravi Mehta"]
    for index in range(12):
        person = people[index % 3]
        key = "bluth-launch" if person == "Yuki Tanaka" or index % 2 else "dunder-paper"
        b.add(
            "timeEntries",
            "time-entry",
            str(index),
            userId=_user_id("agency", person),
            projectId=seed_id("project", f"agency:{key}"),
            durationSeconds=3600 + index * 600,
            billable=True,
            note=f"Agency work {index}",
            entryDate=f"2025-05-{1 + index:02d}",
        )
    b.add(
        "invoices",
        "invoice",
        "0",
        clientId=seed_id("client", "agency:bluth"),
        number="NSA-0001",
        status="SENT",
        paymentStatus="unpaid",
        subtotal="3000.00",
        discountAmount="0.00",
        taxRate="0",
        total="3000.00",
        amountPaid="0.00",
        currency="USD",
        billToName="Bluth Company",
        issueDate="2025-05-20",
        dueDate="2025-06-19",
        sentAt="2025-05-20T12:00:00.000Z",
    )
    for index in range(3):
        b.add(
            "expenses",
            "expense",
            str(index),
            clientId=seed_id("client", "agency:bluth"),
            description=f"Agency expense {index}",
            amount=f"{40 + index}.50",
            expenseDate=f"2025-05-{10 + index}",
            category="TRAVEL",
            billable=True,
            currency="USD",
        )


def _seed_free(store: Store) -> None:
    b = _Builder(store, "free")
    b.add("clients", "client", "solo", name="Solo Client", currency="GBP", requirePoNumber=False)
    b.add(
        "projects",
        "project",
        "solo-site",
        clientId=seed_id("client", "free:solo"),
        name="Solo Site",
        status="ACTIVE",
        rateType="HOURLY",
        hourlyRate="60.00",
    )
    b.add(
        "timeEntries",
        "time-entry",
        "0",
        userId=_user_id("free", "Nora Quinn"),
        projectId=seed_id("project", "free:solo-site"),
        durationSeconds=5400,
        billable=True,
        note="Free plan work",
        entryDate="2025-05-02",
    )
