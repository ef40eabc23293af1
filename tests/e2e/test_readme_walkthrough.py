"""README's "Adding a tool" walk-through stays true: its get_member snippet, appended to tools.yaml
alone, validates and serves a working tool against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.calls.tool_call import SilentReporter, ToolRunner
from hoursmith_mcp.engine.calls.transport import Upstream
from hoursmith_mcp.engine.manifest.loader import check_manifest
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.anyio


def readme_snippet() -> str:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Adding a tool", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, "the Adding a tool section has no yaml block"
    return match.group(1)


async def test_the_get_member_walkthrough_validates_and_serves(
    upstream: RunningSandbox, tmp_path: Path
) -> None:
    manifest_path = tmp_path / "tools.yaml"
    manifest_path.write_text((ROOT / "tools.yaml").read_text(encoding="utf-8") + "\n" + readme_snippet())
    checked = check_manifest(manifest_path)
    assert checked.errors == [], checked.errors
    assert checked.manifest is not None and len(checked.manifest.tools) == 32
    tool = checked.manifest.tool("get_member")
    assert tool is not None and not tool.destructive and tool.read_only

    token = seed.token_for("studio", "OWNER")
    connection = Connection(base_url=upstream.base_url, token=token)
    client = Upstream(checked.manifest.api, connection)
    try:
        runner = ToolRunner(checked.manifest, client, connection.base_url, Redactor([token], "hsk_"))
        outcome = await runner.call(tool, {"member_id": seed.STUDIO_MANAGER_MEMBER_ID}, SilentReporter())
    finally:
        await client.aclose()
    assert not outcome.is_error, outcome.text
    assert outcome.structured["id"] == seed.STUDIO_MANAGER_MEMBER_ID
    assert outcome.structured["role"] == "MANAGER"
    assert set(outcome.structured) == {"id", "user_id", "name", "email", "role", "created_at"}
