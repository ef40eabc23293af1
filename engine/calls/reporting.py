"""Where a call reports progress and log lines: the MCP session, nothing (the CLI), or an outer call."""

from __future__ import annotations

from typing import Protocol


class CallReporter(Protocol):
    """Where a call reports progress and log lines (the MCP session, or nothing on the CLI)."""

    async def progress(self, done: float, total: float | None, message: str) -> None: ...

    async def log(self, level: str, message: str) -> None: ...


class LogsOnly:
    """Passes a nested call's log lines on; its progress steps are not the outer call's."""

    def __init__(self, inner: CallReporter) -> None:
        self._inner = inner

    async def progress(self, done: float, total: float | None, message: str) -> None:
        return None

    async def log(self, level: str, message: str) -> None:
        await self._inner.log(level, message)


class SilentReporter:
    async def progress(self, done: float, total: float | None, message: str) -> None:
        return None

    async def log(self, level: str, message: str) -> None:
        return None
