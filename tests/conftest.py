"""Shared fixtures: a real sandbox on 127.0.0.1 and ways to reach the engine through MCP clients."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hoursmith_mcp.sandbox.config import SandboxConfig
from hoursmith_mcp.sandbox.runner import RunningSandbox, start_sandbox

from .upstreams.shelf import ShelfUpstream


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def upstream() -> Iterator[RunningSandbox]:
    """One sandbox for the engine's tests: limits off, request log and faults on."""
    config = SandboxConfig(rate_limits=False, request_log=True, faults=True)
    with start_sandbox("127.0.0.1", 0, config) as running:
        yield running


@pytest.fixture(scope="session")
def control(upstream: RunningSandbox) -> Iterator[httpx.Client]:
    """The sandbox's test controls (/_sandbox/...): reset, request log, faults."""
    with httpx.Client(base_url=upstream.root_url, timeout=10) as client:
        yield client


@pytest.fixture
def fresh(control: httpx.Client) -> httpx.Client:
    """The seed restored, with an empty request log and no faults."""
    assert control.post("/_sandbox/reset").status_code == 204
    return control


@pytest.fixture(scope="session")
def shelf_upstream() -> Iterator[ShelfUpstream]:
    """The Shelf API (examples/shelf) simulated on 127.0.0.1: another API's conventions, same engine."""
    with ShelfUpstream().running() as running:
        yield running


@pytest.fixture
def shelf(shelf_upstream: ShelfUpstream) -> ShelfUpstream:
    """The Shelf seed restored, with an empty request record."""
    shelf_upstream.reset()
    return shelf_upstream
