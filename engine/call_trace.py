"""The steps of one tool call as the client sees them: increasing progress, each mirrored as a debug log.

The runner reports "request sent" and "answer received"; this adds "result ready" (or "failed") and
renumbers them 1, 2, 3 of 3, because the protocol wants progress to increase with every notification.
A client that asked for debug logs (logging/setLevel debug) sees the same steps as log lines.
"""

from __future__ import annotations

import time

from engine.outcome import ToolOutcome
from engine.tool_call import CallReporter

STEPS = 3  # request sent, answer received, result ready


class TracedCall:
    def __init__(self, inner: CallReporter, tool_name: str) -> None:
        self._inner = inner
        self._tool = tool_name
        self._step = 0
        self._started = time.monotonic()

    async def progress(self, done: float, total: float | None, message: str) -> None:
        await self._advance(message)

    async def log(self, level: str, message: str) -> None:
        await self._inner.log(level, message)

    async def finish(self, outcome: ToolOutcome) -> None:
        elapsed_ms = round((time.monotonic() - self._started) * 1000)
        if outcome.is_error:
            first_line = outcome.text.split("\n", 1)[0]
            await self._advance(f"failed after {elapsed_ms} ms: {first_line[:200]}", last=True)
        else:
            await self._advance(f"result ready in {elapsed_ms} ms", last=True)

    async def _advance(self, message: str, *, last: bool = False) -> None:
        step = STEPS if last else min(self._step + 1, STEPS - 1)
        if step <= self._step:
            return  # never repeat or go back: progress must strictly increase
        self._step = step
        await self._inner.progress(step, STEPS, message)
        await self._inner.log("debug", f"{self._tool}: {message}")
