"""A base URL with the API's path left off, end to end: `call` says the base URL looks wrong (not "no
such record"), through the real command against the sandbox's host, which answers like a website there."""

from __future__ import annotations

import os
import subprocess
import sys

from hoursmith_mcp.sandbox.runner import RunningSandbox
from hoursmith_mcp.sandbox.seed import token_for


def test_call_with_the_api_path_left_off_names_the_base_url(upstream: RunningSandbox) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "call", "get_client", "--arg", "client_id=c1"],
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOURSMITH_API_TOKEN": token_for("studio", "OWNER"),
            "HOURSMITH_API_URL": upstream.root_url,  # without /api/v1
        },
        timeout=60,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    first, *rest = run.stderr.splitlines()
    assert first == (
        f"404 from something that is not the API: {upstream.root_url} answered with a web page titled "
        "'Page not found · Hoursmith'; the base URL looks wrong"
    )
    assert any("like https://hoursmith.app/api/v1; HOURSMITH_API_URL sets it" in line for line in rest)
    assert "record" not in run.stderr
