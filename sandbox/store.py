"""In-memory records of every workspace, with one lock for read-modify-write sections."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]

# Record tables by resource kind; identity data (orgs, members, tokens) is kept apart.
KINDS = ("clients", "projects", "tasks", "timeEntries", "expenses", "invoices")


@dataclass
class TokenRecord:
    token: str
    org_id: str
    member_id: str
    name: str
    revoked: bool = False


@dataclass
class Store:
    """All sandbox state. Handlers run their whole read-check-write under ``lock`` without awaiting."""

    orgs: dict[str, Record] = field(default_factory=dict)
    members: dict[str, Record] = field(default_factory=dict)
    tokens: dict[str, TokenRecord] = field(default_factory=dict)
    tables: dict[str, dict[str, Record]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    # project id -> user ids who are "on" the project (what a Member may see).
    project_users: dict[str, set[str]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def get(self, kind: str, record_id: str, org_id: str) -> Record | None:
        """A live record of this workspace, or None (other workspaces' records do not exist here)."""
        record = self.tables[kind].get(record_id)
        if record is None or record["orgId"] != org_id or record.get("deletedAt") is not None:
            return None
        return record

    def rows(self, kind: str, org_id: str) -> list[Record]:
        return [r for r in self.tables[kind].values() if r["orgId"] == org_id and r.get("deletedAt") is None]

    def insert(self, kind: str, record: Record) -> Record:
        self.tables[kind][record["id"]] = record
        return record

    def member_by_user(self, org_id: str, user_id: str) -> Record | None:
        for member in self.members.values():
            if member["orgId"] == org_id and member["userId"] == user_id:
                return member
        return None

    def users_on_project(self, project_id: str) -> set[str]:
        return self.project_users.setdefault(project_id, set())

    def projects_of_user(self, org_id: str, user_id: str) -> list[str]:
        return [
            p["id"]
            for p in self.rows("projects", org_id)
            if user_id in self.project_users.get(p["id"], set())
        ]
