"""Fixtures for the sandbox's black-box tests: one sandbox per session on 127.0.0.1, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sbx_helpers import Api, token_client

from hoursmith_mcp.sandbox.config import SandboxConfig
from hoursmith_mcp.sandbox.runner import RunningSandbox, start_sandbox
from hoursmith_mcp.sandbox.seed import token_for


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    # Limits raised 100x so the suite never trips them; the rate-limit tests start their own sandbox.
    config = SandboxConfig(rate_limit_scale=100.0, request_log=True, faults=True)
    with start_sandbox(config=config) as running:
        yield running


@pytest.fixture(scope="session")
def _clients(sandbox: RunningSandbox) -> Iterator[dict[tuple[str, str], httpx.Client]]:
    clients: dict[tuple[str, str], httpx.Client] = {}
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture(autouse=True)
def _fresh_state(sandbox: RunningSandbox) -> None:
    """Every test starts from the seed (and with no faults, log entries or idempotency keys)."""
    response = httpx.post(f"{sandbox.root_url}/_sandbox/reset", timeout=5)
    assert response.status_code == 204


@pytest.fixture
def api(sandbox: RunningSandbox, _clients: dict[tuple[str, str], httpx.Client]) -> Api:
    """``api(role, workspace)`` -> an httpx.Client for that seeded token, rooted at /api/v1."""

    def make(role: str = "OWNER", workspace: str = "studio") -> httpx.Client:
        key = (workspace, role.upper())
        if key not in _clients:
            _clients[key] = token_client(sandbox, token_for(workspace, role))
        return _clients[key]

    return make


@pytest.fixture
def control(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.root_url, timeout=5) as client:
        yield client
