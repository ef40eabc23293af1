"""Helpers for the sandbox tests (a module with a unique name, so it cannot clash with other conftests)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from hoursmith_mcp.sandbox.runner import RunningSandbox

Api = Callable[..., httpx.Client]


def token_client(sandbox: RunningSandbox, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=5)


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": str(uuid.uuid4())}


def post(client: httpx.Client, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
    return client.post(path, json=body if body is not None else {}, headers=key(), **kwargs)


def error_of(response: httpx.Response) -> dict[str, Any]:
    payload = response.json()
    assert set(payload) == {"error"}, payload
    error: dict[str, Any] = payload["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    return error


def collect(
    client: httpx.Client, path: str, limit: int = 200, max_pages: int = 100, **params: Any
) -> list[dict[str, Any]]:
    """Every record of a list, page by page (bounded)."""
    records: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(max_pages):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        records.extend(body["data"])
        cursor = body["pagination"]["nextCursor"]
        if cursor is None:
            return records
    raise AssertionError("pagination did not end")
