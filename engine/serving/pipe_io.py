"""The protocol's pipes read and written on the event loop itself, without a thread hop per message.

The SDK's stdio transport reads each line and writes and flushes each answer through anyio's worker
threads: three hand-overs between threads per call, each a wake-up of another thread and a wait for
the GIL, which on a busy machine costs more than the engine's own work on a small answer. When the
protocol's input and output are pipes or sockets (as every MCP client spawns a server), they are set
non-blocking and served here: a read or a write is one system call, and the loop waits for readiness
only when a pipe is empty (input) or full (output, the client not reading: back-pressure as before).
Anything else (a terminal, a file) is not ours to set non-blocking (its state is shared with other
processes) and stays with the blocking transport.
"""

from __future__ import annotations

import os
import stat

import anyio

from .stdin_lines import KEPT_HEAD, Oversized

_CHUNK = 64 * 1024


def is_pipe(fd: int) -> bool:
    """Only pipes and sockets: their non-blocking flag belongs to this end alone."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


class NonBlocking:
    """`fd` non-blocking while the context lasts, its flag restored after."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._was_blocking = os.get_blocking(fd)

    def __enter__(self) -> int:
        os.set_blocking(self._fd, False)
        return self._fd

    def __exit__(self, *exc: object) -> None:
        os.set_blocking(self._fd, self._was_blocking)


class PipeLines:
    """The lines of a non-blocking descriptor (bytes, without the newline; over `limit` bytes: an
    Oversized, its rest skipped as it arrives), as serving/stdio.py reads them."""

    def __init__(self, fd: int, limit: int) -> None:
        self._fd = fd
        self._limit = limit
        self._pending = bytearray()
        self._scanned = 0  # no newline before this offset of _pending
        self._skipping: Oversized | None = None  # the line over the limit, while its rest is skipped
        self._ended = False

    def __aiter__(self) -> PipeLines:
        return self

    async def __anext__(self) -> bytes | Oversized:
        while True:
            end = self._pending.find(b"\n", self._scanned)
            if end >= 0:
                line = bytes(self._pending[:end])
                del self._pending[: end + 1]
                self._scanned = 0
                if self._skipping is not None:
                    skipped, self._skipping = self._skipping, None
                    return Oversized(skipped.head, skipped.size + len(line))
                return line
            if self._skipping is not None:
                self._skipping = Oversized(self._skipping.head, self._skipping.size + len(self._pending))
                self._pending.clear()
            elif len(self._pending) > self._limit:
                self._skipping = Oversized(bytes(self._pending[:KEPT_HEAD]), len(self._pending))
                self._pending.clear()
            self._scanned = len(self._pending)
            if self._ended:
                if self._skipping is not None:
                    skipped, self._skipping = self._skipping, None
                    return skipped
                if not self._pending:
                    raise StopAsyncIteration
                rest = bytes(self._pending)
                self._pending.clear()
                return rest
            await self._fill()

    async def _fill(self) -> None:
        try:
            chunk = os.read(self._fd, _CHUNK)
        except BlockingIOError:
            await anyio.wait_readable(self._fd)
            return
        except InterruptedError:
            return
        except OSError:
            chunk = b""
        if chunk:
            self._pending += chunk
        else:
            self._ended = True


class PipeWriter:
    """Lines written straight to the non-blocking pipe."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    async def write(self, line: bytes) -> None:
        data = memoryview(line)
        while data:
            try:
                written = os.write(self._fd, data)
            except BlockingIOError:
                # The client is not reading: wait, as a blocking write would (back-pressure).
                await anyio.wait_writable(self._fd)
                continue
            except InterruptedError:
                continue
            data = data[written:]
