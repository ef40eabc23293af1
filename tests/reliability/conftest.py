"""Fixtures for the reliability tests: the programmable fixture upstream and an engine runner on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.calls.tool_call import ToolRunner
from hoursmith_mcp.engine.calls.transport import Upstream
from hoursmith_mcp.engine.manifest.loader import load_manifest

from .fixture_upstream import FixtureUpstream

FIXTURE_MANIFEST = Path(__file__).parent / "fixture.yaml"
CANARY = "hsk_test_c4a7a7c4a7a7_CANARYcanaryCANARYcanaryCANARY12"


@pytest.fixture(scope="session")
def fixture_upstream() -> Iterator[FixtureUpstream]:
    upstream = FixtureUpstream().start()
    yield upstream
    upstream.stop()


@asynccontextmanager
async def fixture_runner(upstream: FixtureUpstream, token: str | None = CANARY) -> AsyncIterator[ToolRunner]:
    """A runner acting with `token`, or with none of its own (None: per-user token mode)."""
    manifest = load_manifest(FIXTURE_MANIFEST)
    connection = Connection(base_url=upstream.root_url + "/v1", token=token)
    client = Upstream(manifest.api, connection)
    try:
        yield ToolRunner(manifest, client, connection.base_url, Redactor([token] if token else [], "hsk_"))
    finally:
        await client.aclose()
