"""A tiny programmable HTTP/1.1 upstream on 127.0.0.1 for transport tests.

Each test sets `handler`, a function from the recorded request to a `Reply` (or `HANG` to hold the
connection open until the client goes away, or `DROP` to close it without answering). Every request
and every client disconnect is recorded, so tests can check what was sent and what was aborted.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Recorded:
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        payload = (
            self.body
            if isinstance(self.body, bytes)
            else b""
            if self.body is None
            else json.dumps(self.body).encode()
        )
        lines = [f"HTTP/1.1 {self.status} X", f"Content-Length: {len(payload)}"]
        if not isinstance(self.body, bytes) and self.body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


@dataclass(frozen=True)
class Trickle:
    """A 200 whose body arrives one byte every `interval` seconds: each read is quick, the whole slow."""

    body: bytes
    interval: float


@dataclass(frozen=True)
class Raw:
    """Bytes written as they are (status line, headers and body: anything), then the connection closed."""

    data: bytes


HANG = "hang"
DROP = "drop"
Handler = Callable[[Recorded], Reply | Trickle | Raw | str]


class FixtureUpstream:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.disconnects = 0
        self.handler: Handler = lambda request: Reply(200, {"data": {}})
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FixtureUpstream:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("fixture upstream did not start")
        return self

    def stop(self) -> None:
        # End open keep-alive connections first, so no coroutine is left pending when the loop stops.
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _shutdown(self) -> None:
        self._server.close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def reset(self, handler: Handler) -> None:
        self.requests.clear()
        self.disconnects = 0
        self.handler = handler

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: one connection, many requests
                request = await _read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                reply = self.handler(request)
                if reply == DROP:
                    writer.transport.abort()
                    return
                if reply == HANG:
                    await reader.read()  # returns at EOF: the client gave up
                    self.disconnects += 1
                    return
                if isinstance(reply, Raw):
                    writer.write(reply.data)
                    await writer.drain()
                    return
                if isinstance(reply, Trickle):
                    writer.write(f"HTTP/1.1 200 X\r\nContent-Length: {len(reply.body)}\r\n\r\n".encode())
                    for byte in reply.body:
                        writer.write(bytes([byte]))
                        await writer.drain()
                        await asyncio.sleep(reply.interval)
                    continue
                assert isinstance(reply, Reply)
                writer.write(reply.encode())
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            self.disconnects += 1
        except asyncio.CancelledError:
            pass  # the fixture is stopping
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Recorded | None:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return None
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Recorded(method, target, headers, body)
