"""Idempotency-Key: required on POST, replay for the same body, 409 for another body, race-safe."""

from __future__ import annotations

import threading
import uuid

import httpx
from sbx_helpers import Api, error_of, token_client

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

BODY = {"name": "Idempotent Ltd"}


def count_clients(api: Api, name: str) -> int:
    return len(api().get("/clients", params={"search": name, "limit": 200}).json()["data"])


def test_post_without_key_is_422(api: Api) -> None:
    response = api().post("/clients", json=BODY)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error" and "Idempotency-Key" in error["fields"]
    archive = api().post(f"/projects/{seed.HOURLY_PROJECT_ID}/archive")
    assert archive.status_code == 422
    assert count_clients(api, "Idempotent") == 0


def test_key_longer_than_255_is_422(api: Api) -> None:
    response = api().post("/clients", json=BODY, headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 422


def test_same_key_same_body_replays_without_a_new_record(api: Api) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = api().post("/clients", json=BODY, headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    # Same JSON, different spacing and key order: still the same body.
    again = api().post(
        "/clients",
        content=b'{ "name" : "Idempotent Ltd" }',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert count_clients(api, "Idempotent") == 1


def test_same_key_different_body_is_409(api: Api) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    assert api().post("/clients", json=BODY, headers=headers).status_code == 201
    response = api().post("/clients", json={"name": "Other Ltd"}, headers=headers)
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert count_clients(api, "Other Ltd") == 0


def test_keys_are_scoped_to_token_and_route(api: Api) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    assert api("OWNER").post("/clients", json=BODY, headers=headers).status_code == 201
    # Another token, same key: a separate key space, so a second record.
    other = api("ADMIN").post("/clients", json=BODY, headers=headers)
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers
    # Same token, another route, same key: not a conflict either.
    task = api("OWNER").post(
        "/tasks", json={"projectId": seed.HOURLY_PROJECT_ID, "name": "T"}, headers=headers
    )
    assert task.status_code == 201
    assert count_clients(api, "Idempotent") == 2


def test_failures_are_not_remembered(api: Api) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    assert api().post("/clients", json={"name": ""}, headers=headers).status_code == 422
    fixed = api().post("/clients", json=BODY, headers=headers)
    assert fixed.status_code == 201 and "idempotent-replayed" not in fixed.headers


def test_archive_replays_too(api: Api) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = api().post(f"/projects/{seed.HOURLY_PROJECT_ID}/archive", headers=headers)
    second = api().post(f"/projects/{seed.HOURLY_PROJECT_ID}/archive", headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.headers["idempotent-replayed"] == "true"
    assert first.json()["data"]["status"] == "ARCHIVED"


def test_concurrent_requests_with_one_key_create_one_record(sandbox: RunningSandbox, api: Api) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    body = {
        "projectId": seed.HOURLY_PROJECT_ID,
        "entryDate": "2025-06-03",
        "durationSeconds": 777,
        "note": "race",
    }
    results: list[httpx.Response] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def fire() -> None:
        with token_client(sandbox, seed.token_for()) as client:
            start.wait(timeout=5)
            response = client.post("/time-entries", json=body, headers=headers)
        with lock:
            results.append(response)

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 8
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["data"]["id"] for r in results}) == 1
    assert sum(1 for r in results if r.headers.get("idempotent-replayed") == "true") == 7
    found = api().get("/time-entries", params={"search": "race", "limit": 200}).json()["data"]
    assert len(found) == 1
