"""The sandbox in its own process (rate limits off): prints its base URL, serves until stdin closes.

In a child process rather than a thread of the bench, so its Python work never shares a GIL with the
client that measures.
"""

from __future__ import annotations

import sys

from hoursmith_mcp.sandbox.config import SandboxConfig
from hoursmith_mcp.sandbox.runner import start_sandbox


def main() -> None:
    with start_sandbox("127.0.0.1", 0, SandboxConfig(rate_limits=False)) as running:
        sys.stdout.write(f"{running.base_url}\n")
        sys.stdout.flush()
        sys.stdin.read()


if __name__ == "__main__":
    main()
