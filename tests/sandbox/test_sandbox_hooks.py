"""Test hooks: request log (with the token redacted), fault injection, reset; off unless enabled."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from sbx_helpers import Api, collect, error_of

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import start_sandbox


def test_request_log_records_requests_without_the_token(api: Api, control: httpx.Client) -> None:
    api().post("/clients", json={"name": "Logged Ltd"}, headers={"Idempotency-Key": "log-1"})
    api().get("/clients", params={"search": "logged"})
    entries = control.get("/_sandbox/requests").json()["data"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/api/v1/clients", 201),
        ("GET", "/api/v1/clients", 200),
    ]
    assert entries[1]["query"] == "search=logged"
    assert json.loads(entries[0]["body"]) == {"name": "Logged Ltd"}
    assert entries[0]["headers"]["authorization"] == "Bearer <redacted>"
    assert entries[0]["headers"]["idempotency-key"] == "log-1"
    assert seed.token_for() not in json.dumps(entries)
    assert control.delete("/_sandbox/requests").status_code == 204
    assert control.get("/_sandbox/requests").json()["data"] == []


def test_status_fault_fails_the_next_n_matching_requests(api: Api, control: httpx.Client) -> None:
    fault = control.post(
        "/_sandbox/faults", json={"method": "get", "path": "/api/v1/clients*", "status": 503, "times": 2}
    )
    assert fault.status_code == 201
    assert control.get("/_sandbox/faults").json()["data"][0]["times"] == 2
    assert api().get("/projects").status_code == 200  # another path is untouched
    first, second = api().get("/clients"), api().get(f"/clients/{seed.DELETABLE_CLIENT_ID}")
    assert first.status_code == second.status_code == 503
    assert error_of(first)["code"] == "unavailable"
    assert api().get("/clients").status_code == 200
    assert control.get("/_sandbox/faults").json()["data"] == []


def test_429_fault_carries_retry_after(api: Api, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"path": "/api/v1/me", "status": 429, "retryAfter": 2})
    response = api().get("/me")
    assert response.status_code == 429 and response.headers["retry-after"] == "2"
    assert error_of(response)["code"] == "rate_limited"


def test_dropped_connection(api: Api, control: httpx.Client, sandbox: object) -> None:
    control.post("/_sandbox/faults", json={"method": "GET", "path": "/api/v1/me", "drop": True})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api().get("/me")
    assert api().get("/me").status_code == 200


def test_delay_fault(api: Api, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"path": "/api/v1/organization", "delaySeconds": 0.3})
    started = time.monotonic()
    response = api().get("/organization")
    assert response.status_code == 200 and time.monotonic() - started >= 0.3


def test_after_commit_fault_loses_the_response_but_keeps_the_write(api: Api, control: httpx.Client) -> None:
    control.post(
        "/_sandbox/faults",
        json={"method": "POST", "path": "/api/v1/clients", "status": 500, "afterCommit": True},
    )
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    lost = api().post("/clients", json={"name": "Committed Ltd"}, headers=headers)
    assert lost.status_code == 500 and error_of(lost)["code"] == "internal"
    assert [c["name"] for c in collect(api(), "/clients", search="Committed")] == ["Committed Ltd"]
    # A retry with the same key replays the committed result instead of creating a duplicate.
    retry = api().post("/clients", json={"name": "Committed Ltd"}, headers=headers)
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert len(collect(api(), "/clients", search="Committed")) == 1


def test_after_commit_drop(api: Api, control: httpx.Client) -> None:
    control.post(
        "/_sandbox/faults",
        json={"method": "POST", "path": "/api/v1/time-entries*", "drop": True, "afterCommit": True},
    )
    body = {
        "projectId": seed.HOURLY_PROJECT_ID,
        "entryDate": "2025-06-02",
        "durationSeconds": 61,
        "note": "dropped",
    }
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api().post("/time-entries", json=body, headers={"Idempotency-Key": "drop-1"})
    assert len(collect(api(), "/time-entries", search="dropped")) == 1


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({}, "path"),
        ({"path": "/api/v1/me"}, "status"),
        ({"path": "/api/v1/me", "status": 200}, "status"),
        ({"path": "/api/v1/me", "status": 500, "drop": True}, "drop"),
        ({"path": "/api/v1/me", "delaySeconds": 99}, "delaySeconds"),
        ({"path": "/api/v1/me", "status": 500, "times": 0}, "times"),
        ({"path": "/api/v1/me", "status": 500, "when": "later"}, "when"),
    ],
)
def test_bad_fault_specs(control: httpx.Client, spec: dict[str, object], field: str) -> None:
    response = control.post("/_sandbox/faults", json=spec)
    assert response.status_code == 422 and field in error_of(response)["fields"]


def test_reset_restores_the_seed(api: Api, control: httpx.Client) -> None:
    assert api().delete(f"/clients/{seed.DELETABLE_CLIENT_ID}").status_code == 204
    control.post("/_sandbox/faults", json={"path": "/api/v1/me", "status": 500})
    assert control.post("/_sandbox/reset").status_code == 204
    assert api().get(f"/clients/{seed.DELETABLE_CLIENT_ID}").status_code == 200
    assert api().get("/me").status_code == 200


def test_token_table_route(control: httpx.Client) -> None:
    tokens = control.get("/_sandbox/tokens").json()["data"]
    assert {t["token"] for t in tokens} == {t.token for t in seed.SEEDED_TOKENS}


def test_hooks_are_off_unless_enabled() -> None:
    with start_sandbox() as plain:
        for path in ("/_sandbox/requests", "/_sandbox/faults"):
            response = httpx.get(plain.root_url + path)
            assert response.status_code == 404 and "is off" in error_of(response)["message"]
        assert (
            httpx.post(plain.root_url + "/_sandbox/faults", json={"path": "/x", "status": 500}).status_code
            == 404
        )
