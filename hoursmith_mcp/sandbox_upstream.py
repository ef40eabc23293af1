"""`--sandbox`: the built-in Hoursmith API simulator, started for one run, acting as a seeded member."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .engine.calls.connection import Connection


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

    def run_foreground(self, argv: Sequence[str]) -> int:
        from .sandbox.cli import main

        return main(list(argv))
