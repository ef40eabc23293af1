"""`--sandbox`: the built-in Hoursmith API simulator, started for one run, acting as a seeded member."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .engine.calls.connection import Connection, StartupError


class HoursmithSandbox:
    roles: tuple[str, ...] = ("owner", "admin", "manager", "member")
    plans: tuple[str, ...] = ("studio", "agency", "free")  # free has no API access: every call is 402
    description = "built-in Hoursmith API simulator"

    @contextmanager
    def start(self, role: str, plan: str) -> Iterator[Connection]:
        # Imported here: the sandbox (starlette, uvicorn) stays off the start-up of every other run.
        from .sandbox.runner import start_sandbox
        from .sandbox.seed import token_for

        with start_sandbox("127.0.0.1", 0) as running:
            yield Connection(base_url=running.base_url, token=token_for(plan, role))

    def attach(self, url: str, role: str, plan: str) -> Connection:
        """A sandbox already running (`hoursmith-mcp sandbox`, often with --state): checked to answer
        like one before its seeded token is used. `url` is its root or its /api/v1 base."""
        import httpx

        from .sandbox.dispatch import API_PREFIX
        from .sandbox.seed import token_for

        root = url.rstrip("/").removesuffix(API_PREFIX)
        start = "start one with `hoursmith-mcp sandbox` (add --state FILE to keep its records)"
        try:
            answer = httpx.get(f"{root}/_sandbox/tokens", timeout=5, trust_env=False)  # no proxy: loopback
            tokens = answer.json()["data"] if answer.status_code == 200 else None
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            tokens = None
        if not isinstance(tokens, list):
            raise StartupError(f"no sandbox answers at {root}: {start}")
        return Connection(base_url=root + API_PREFIX, token=token_for(plan, role))

    def run_foreground(self, argv: Sequence[str]) -> int:
        from .sandbox.cli import main

        return main(list(argv))
