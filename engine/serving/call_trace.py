"""The steps of one tool call as the client sees them: increasing progress, each mirrored as a debug log.

The runner reports steps 1 and 2 of CALL_STEPS ("request sent", "answer received"); this adds the last
one ("result ready" or "failed"). A client that asked for debug logs sees the same steps as log lines.
"""

from __future__ import annotations

import time

from ..calls.outcome import ToolOutcome
from ..calls.reporting import CallReporter
from ..calls.tool_call import CALL_STEPS


class TracedCall:
    def __init__(self, inner: CallReporter, tool_name: str) -> None:
        self._inner = inner
        self._tool = tool_name
        self._step = 0.0
        self._started = time.monotonic()

    async def progress(self, done: float, total: float | None, message: str) -> None:
        await self._report(done, message)

    async def log(self, level: str, message: str) -> None:
        await self._inner.log(level, message)

    async def finish(self, outcome: ToolOutcome) -> None:
        elapsed_ms = round((time.monotonic() - self._started) * 1000)
        if outcome.is_error:
            first_line = outcome.text.split("\n", 1)[0]
            await self._report(CALL_STEPS, f"failed after {elapsed_ms} ms: {first_line[:200]}")
        else:
            await self._report(CALL_STEPS, f"result ready in {elapsed_ms} ms")

    async def _report(self, step: float, message: str) -> None:
        if step <= self._step:
            return  # the protocol wants progress to increase with every notification
        self._step = step
        await self._inner.progress(step, CALL_STEPS, message)
        await self._inner.log("debug", f"{self._tool}: {message}")
