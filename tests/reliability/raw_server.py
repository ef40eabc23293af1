"""The installed server as a subprocess, driven over raw pipes the way a client's stdio transport drives it.

Every stdout line is kept (tests check that each is one JSON-RPC message) and stderr is drained on a
thread so a chatty server never blocks. `peak_rss_kib` reads the process's high-water mark, which
`reset_peak` sets back to the current size (Linux), so one call's memory can be measured on its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from queue import Empty, Queue
from typing import Any

INITIALIZE = {
    "protocolVersion": "2025-11-25",
    "capabilities": {},
    "clientInfo": {"name": "raw", "version": "0"},
}


class RawServer:
    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hoursmith_mcp", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"PATH": os.environ.get("PATH", ""), **env},
        )
        self.stdout_lines: list[str] = []
        self.stderr_chunks: list[bytes] = []
        self._lines: Queue[str] = Queue()
        self._readers = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=self._drain_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8")  # invalid UTF-8 on stdout fails the test right here
            self.stdout_lines.append(line)
            self._lines.put(line)

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for chunk in iter(lambda: self.process.stderr.read1(65536), b""):  # type: ignore[union-attr]
            self.stderr_chunks.append(chunk)

    def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send_line(self, line: str | bytes) -> None:
        self.send_bytes((line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line) + b"\n")

    def request(self, request_id: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send_line(json.dumps(message))
        return self.wait_for(request_id)

    def call(self, request_id: int, name: str, arguments: Any) -> dict[str, Any]:
        return self.request(request_id, "tools/call", {"name": name, "arguments": arguments})

    def start(self) -> dict[str, Any]:
        answer = self.request(0, "initialize", INITIALIZE)
        self.send_line(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        return answer

    def wait_for(self, request_id: Any, timeout: float = 30) -> dict[str, Any]:
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except Empty:
                raise AssertionError(f"no answer to request {request_id!r}") from None
            message = json.loads(line)
            if "method" not in message and message.get("id") == request_id:
                return dict(message)

    def answers(self) -> list[dict[str, Any]]:
        """Every response (result or error) written so far."""
        return [m for m in map(json.loads, self.stdout_lines) if "method" not in m]

    def peak_rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])

    def reset_peak(self) -> None:
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def stderr_text(self) -> str:
        return b"".join(self.stderr_chunks).decode("utf-8", "replace")

    def finish(self, timeout: float = 20) -> str:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for reader in self._readers:
                reader.join(timeout=5)
        return self.stderr_text()
