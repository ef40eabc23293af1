"""A minimal stdio JSON-RPC peer: spawns an MCP server and speaks newline-delimited JSON to it.

Written by hand rather than with the SDK client so the client's own cost stays small and equal for
every server measured, and so the child's pid is ours to read /proc/<pid>/status.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

PROTOCOL_VERSION = "2025-11-25"
LINE_LIMIT = 256 * 1024 * 1024  # a 5,000-tool tools/list answer is one very long line


class PeerError(Exception):
    """The server died, answered with a JSON-RPC error, or did not answer in time."""


@dataclass(frozen=True)
class Answer:
    message: dict[str, Any]
    size: int  # bytes of the answer's line on the wire, newline excluded

    @property
    def result(self) -> dict[str, Any]:
        result = self.message.get("result")
        if not isinstance(result, dict):
            raise PeerError(f"no result: {str(self.message.get('error'))[:300]}")
        return result


class StdioPeer:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Answer]] = {}
        self._reader = asyncio.create_task(self._read_loop())

    @classmethod
    async def spawn(
        cls, argv: Sequence[str], env: Mapping[str, str], stderr: IO[bytes] | None = None
    ) -> StdioPeer:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr if stderr is not None else asyncio.subprocess.DEVNULL,
            env=dict(env),
            limit=LINE_LIMIT,
        )
        return cls(process)

    @property
    def pid(self) -> int:
        return self.process.pid

    async def _read_loop(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            line = await stdout.readline()
            if not line:
                break
            message = json.loads(line)
            future = self._pending.pop(message.get("id"), None) if "id" in message else None
            if future is not None and not future.done():
                future.set_result(Answer(message, len(line.rstrip(b"\n"))))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(PeerError(f"the server exited (code {await self.process.wait()})"))
        self._pending.clear()

    def _send(self, message: dict[str, Any]) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    async def request(self, method: str, params: dict[str, Any] | None = None, timeout: float = 60) -> Answer:
        if self._reader.done():
            raise PeerError("the server has exited")
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise PeerError(f"{method}: no answer within {timeout:g}s") from None

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    async def handshake(self, timeout: float = 60) -> Answer:
        answer = await self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "hoursmith-bench", "version": "1"},
            },
            timeout=timeout,
        )
        answer.result  # noqa: B018 - raises PeerError when initialize failed
        await self.notify("notifications/initialized")
        return answer

    async def call_tool(self, name: str, arguments: dict[str, Any], timeout: float = 60) -> Answer:
        return await self.request("tools/call", {"name": name, "arguments": arguments}, timeout=timeout)

    def memory_kib(self) -> dict[str, int]:
        """VmHWM (peak resident set) and VmRSS of the server process, in KiB."""
        wanted = {"VmHWM", "VmRSS"}
        found: dict[str, int] = {}
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in wanted:
                    found[key] = int(value.split()[0])
        return found

    async def close(self, timeout: float = 10) -> int:
        """Close stdin (the MCP way to stop a stdio server), then wait; kill if it hangs."""
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            code = await self.process.wait()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        return code


def python_env(extra: Mapping[str, str]) -> dict[str, str]:
    """What an MCP client passes: a small environment plus the server's config."""
    keep = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, **extra}
