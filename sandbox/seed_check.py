"""Does the seed obey the rules the API enforces? Each seeded record is created again through the API's
own handlers, as its owner would create it, and must come out exactly as seeded.

The rules are not written twice: a seeded client, project, task, time entry or expense that a handler
would refuse (a 422, a 403 for a Member's entry on a project they are not on...) or would store
differently (an inherited rate, a currency snapshot, a computed stoppedAt, a Member put on a project
by a task) is a problem. What the API cannot create (invoices, and which records they bill) is checked
by invoice_rules.py; the workspaces by the plan and role rules below.

The handlers are called in process with the same Ctx the dispatcher builds, not over HTTP: a free
workspace's requests all end at the 402, and the replay needs the seed's own ids.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .auth import Principal
from .dispatch import Ctx, Reply
from .errors import ApiError
from .invoice_rules import invoice_problems
from .resources import clients, expenses, projects, tasks, time_entries
from .shapes import FIELDS_BY_KIND
from .store import Record, Store

# marketing/compare/per-seat-vs-flat-fee: "Studio ... up to 10, Agency ... up to 25", Free "up to 3".
# A Free workspace may hold more: a lapsed paid plan keeps its members (api/overview: "If your plan
# lapses, tokens stop working with a 402 error"), which is what the seeded free workspace is.
MEMBER_CAPS = {"studio": 10, "agency": 25}

# What a create request carries for each kind: the seeded values of these fields, when not null.
# Left out: read-only fields (invoiceId, and an expense's currency) and what the API derives itself
# (a time entry's stoppedAt from startedAt + duration; a task's archivedAt from the archive call).
_BODY_FIELDS = {
    "clients": FIELDS_BY_KIND["clients"],
    "projects": FIELDS_BY_KIND["projects"],
    "tasks": tuple(f for f in FIELDS_BY_KIND["tasks"] if f != "archivedAt"),
    "timeEntries": tuple(f for f in FIELDS_BY_KIND["timeEntries"] if f not in ("invoiceId", "stoppedAt")),
    "expenses": tuple(f for f in FIELDS_BY_KIND["expenses"] if f not in ("invoiceId", "currency")),
}
_CREATE: dict[str, Callable[[Ctx], Reply]] = {
    "clients": clients.create_client,
    "projects": projects.create_project,
    "tasks": tasks.create_task,
    "timeEntries": time_entries.create_entry,
    "expenses": expenses.create_expense,
}


@dataclass
class _ReplayStore(Store):
    """A store whose next new id is the seeded record's, so later records' references still hold."""

    upcoming_ids: list[str] = field(default_factory=list)

    def new_id(self) -> str:
        return self.upcoming_ids.pop()


def seed_problems(seeded: Store) -> list[str]:
    """Everything in the seed that breaks a documented rule; empty when it keeps them all."""
    return [
        *workspace_problems(seeded),
        *replay_problems(seeded),
        *(
            f"invoice {invoice['number']}: {problem}"
            for invoice in _all(seeded, "invoices")
            for problem in invoice_problems(seeded, invoice)
        ),
        *dangling_invoice_links(seeded),
    ]


def workspace_problems(seeded: Store) -> list[str]:
    problems = []
    for org in seeded.orgs.values():
        members = [m for m in seeded.members.values() if m["orgId"] == org["id"]]
        owners = [m["name"] for m in members if m["role"] == "OWNER"]
        if len(owners) != 1:  # core-concepts/workspaces: the creator becomes "the one person" Owner
            problems.append(f"workspace {org['name']}: {len(owners)} owners")
        cap = MEMBER_CAPS.get(org["plan"])
        if cap is not None and len(members) > cap:
            problems.append(f"workspace {org['name']}: {len(members)} members, its plan allows {cap}")
    return problems


def replay_problems(seeded: Store) -> list[str]:
    replay = _ReplayStore(
        orgs=copy.deepcopy(seeded.orgs),
        members=copy.deepcopy(seeded.members),
        tokens=copy.deepcopy(seeded.tokens),
        # Enrolling a Member on a project (its Members tab) is done in the app; tasks may add more.
        project_users=copy.deepcopy(seeded.project_users),
    )
    problems: list[str] = []
    for kind in _CREATE:
        for record in _all(seeded, kind):
            problems += _replay_one(replay, kind, record)
    problems += _enrolment_problems(seeded, replay)
    return problems


def _replay_one(replay: _ReplayStore, kind: str, record: Record) -> list[str]:
    name = f"{kind} {record.get('name') or record.get('note') or record.get('description')} ({record['id']})"
    body = {f: copy.deepcopy(record[f]) for f in _BODY_FIELDS[kind] if record.get(f) is not None}
    principal = _author(replay, kind, record)
    replay.upcoming_ids = [record["id"]]
    try:
        _CREATE[kind](Ctx(replay, principal, {}, [], body))
        if kind == "tasks" and record["archivedAt"] is not None:
            tasks.archive_task(Ctx(replay, principal, {"id": record["id"]}, [], {}))
    except ApiError as refused:
        return [f"{name}: the API refuses it: {refused.status} {refused.message} {refused.fields or ''}"]
    stored = replay.tables[kind][record["id"]]
    problems = []
    for field_name in FIELDS_BY_KIND[kind]:
        seeded_value, api_value = record[field_name], stored[field_name]
        if field_name == "invoiceId":
            continue  # set by the app's invoicing, checked by invoice_rules
        if field_name == "archivedAt":
            seeded_value, api_value = seeded_value is not None, api_value is not None
        if seeded_value != api_value:
            problems.append(f"{name}: {field_name} is {seeded_value!r}; the API would store {api_value!r}")
    return problems


def _author(store: Store, kind: str, record: Record) -> Principal:
    """Time is logged by its own person (a Member's rules apply to a Member's entry), the rest by the
    workspace's Owner."""
    org = store.orgs[record["orgId"]]
    members = [m for m in store.members.values() if m["orgId"] == org["id"]]
    if kind == "timeEntries":
        member = next(m for m in members if m["userId"] == record["userId"])
    else:
        member = next(m for m in members if m["role"] == "OWNER")
    return Principal(token="", token_name="seed replay", org=org, member=member)


def _enrolment_problems(seeded: Store, replay: Store) -> list[str]:
    """core-concepts/tasks: "Assigning a task to a Member adds them to the project automatically"."""
    member_users = {m["userId"] for m in seeded.members.values() if m["role"] == "MEMBER"}
    problems = []
    for project_id, users in replay.project_users.items():
        missing = (users - seeded.project_users.get(project_id, set())) & member_users
        for user in sorted(missing):
            problems.append(f"project {project_id}: a task assigns Member {user}, who is not on it")
    return problems


def dangling_invoice_links(seeded: Store) -> list[str]:
    invoices = seeded.tables["invoices"]
    return [
        f"{kind} {record['id']}: invoiceId {record['invoiceId']} is no invoice of its workspace"
        for kind in ("timeEntries", "expenses")
        for record in _all(seeded, kind)
        if record["invoiceId"] is not None
        and (record["invoiceId"] not in invoices or invoices[record["invoiceId"]]["orgId"] != record["orgId"])
    ]


def _all(store: Store, kind: str) -> Iterable[dict[str, Any]]:
    return [r for r in store.tables[kind].values() if r.get("deletedAt") is None]
