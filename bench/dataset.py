"""Real-sized answers for the fixture upstream, made by the sandbox itself: records created through its API.

The sandbox seeds few records (81 time entries), so the bench creates more through the API (POST, with
an idempotency key, as a client would) and keeps what the API then answers: every record exactly as the
sandbox shapes it. The fixture upstream (bench/upstream.py) serves these answers during the measurement,
so the sandbox's own cost stays out of every figure, and every server measured sees the same bytes.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from hoursmith_mcp.sandbox.config import SandboxConfig
from hoursmith_mcp.sandbox.runner import start_sandbox
from hoursmith_mcp.sandbox.seed import token_for

API_PREFIX = "/api/v1"
LIST_SIZES = (50, 200)  # the list workloads: one page of each size
CREATED_ENTRIES = 220  # enough for a full page of 200 beside the seeded ones

_NOTES = (
    "Wireframes: hero and pricing sections",
    "Brand book typography pages",
    "Client call: sprint review and next steps",
    "Bug triage",
    "Design QA on staging, mobile breakpoints",
    "Copy edits",
    "Icon set: 24 px grid, export to SVG",
    "Weekly planning",
    "Accessibility audit of the checkout flow (contrast, focus order, labels)",
    "Prototype handoff notes",
)


@dataclass(frozen=True)
class Dataset:
    """What the fixture upstream serves: single records by path, and collections it pages through."""

    records: dict[str, Any]  # path -> the API's answer ({"data": record})
    collections: dict[str, list[dict[str, Any]]]  # path -> every record, in the API's default order
    client_id: str  # the record of the single-record workload (get_client)

    def write(self, path: Path) -> Path:
        data = {"records": self.records, "collections": self.collections, "client_id": self.client_id}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    @staticmethod
    def read(path: Path) -> Dataset:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Dataset(data["records"], data["collections"], data["client_id"])


def build(seed: int = 15) -> Dataset:
    """A sandbox in this process, real-sized through its API, then read back as a client would."""
    rng = random.Random(seed)
    with start_sandbox("127.0.0.1", 0, SandboxConfig(rate_limits=False)) as sandbox:
        headers = {"Authorization": f"Bearer {token_for('studio', 'OWNER')}", "Accept": "application/json"}
        with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=30) as api:
            _create_entries(api, rng, CREATED_ENTRIES)
            entries = _all(api, "/time-entries")
            client = _all(api, "/clients")[0]
            record = api.get(f"/clients/{client['id']}")
            record.raise_for_status()
    return Dataset(
        records={f"{API_PREFIX}/clients/{client['id']}": record.json()},
        collections={f"{API_PREFIX}/time-entries": entries},
        client_id=client["id"],
    )


def _create_entries(api: httpx.Client, rng: random.Random, count: int) -> None:
    projects = [p for p in _all(api, "/projects") if p.get("status") == "ACTIVE"]
    members = _all(api, "/members")
    tasks = _all(api, "/tasks")
    first_day = date(2026, 3, 2)
    for index in range(count):
        project = projects[index % len(projects)]
        on_project = [t["id"] for t in tasks if t.get("projectId") == project["id"]]
        body: dict[str, Any] = {
            "projectId": project["id"],
            "userId": members[index % len(members)]["userId"],
            "entryDate": (first_day + timedelta(days=index % 28)).isoformat(),
            "durationSeconds": rng.choice((900, 1800, 2700, 3600, 5400, 7200)),
            "billable": rng.random() < 0.8,
            "note": rng.choice(_NOTES),
        }
        if on_project and rng.random() < 0.7:
            body["taskId"] = rng.choice(on_project)
        answer = api.post("/time-entries", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        if answer.status_code != 201:
            raise RuntimeError(f"the sandbox refused a time entry: {answer.status_code} {answer.text[:300]}")


def _all(api: httpx.Client, path: str) -> list[dict[str, Any]]:
    """Every record of a collection, following the cursor."""
    records: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200}
    while True:
        answer = api.get(path, params=params)
        answer.raise_for_status()
        page = answer.json()
        records += page["data"]
        cursor = page["pagination"]["nextCursor"]
        if cursor is None:
            return records
        params["cursor"] = cursor
