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
from collections.abc import Iterator
from contextlib import contextmanager

import anyio

_CHUNK = 64 * 1024


def is_pipe(fd: int) -> bool:
    """Only pipes and sockets: their non-blocking flag belongs to this end alone."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


@contextmanager
def claimed_stdout() -> Iterator[int]:
    """A private descriptor for the protocol's output; fd 1 points at stderr meanwhile, so nothing else
    in the process (a stray print, a child process) can write into the protocol stream. (The SDK claims
    fd 1 the same way when it owns stdout.)"""
    import fcntl  # POSIX only, as pipes served here are

    private = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 3)
    os.dup2(2, 1)
    try:
        yield private
    finally:
        os.dup2(private, 1)
        os.close(private)


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
    """The lines of a non-blocking descriptor (text, newline kept, undecodable bytes replaced), as the
    SDK's transport iterates its stdin."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pending = bytearray()
        self._scanned = 0  # no newline before this offset of _pending
        self._ended = False

    def __aiter__(self) -> PipeLines:
        return self

    async def __anext__(self) -> str:
        while True:
            end = self._pending.find(b"\n", self._scanned)
            if end >= 0:
                line = bytes(self._pending[: end + 1])
                del self._pending[: end + 1]
                self._scanned = 0
                return line.decode("utf-8", errors="replace")
            self._scanned = len(self._pending)
            if self._ended:
                if not self._pending:
                    raise StopAsyncIteration
                rest = bytes(self._pending)
                self._pending.clear()
                return rest.decode("utf-8", errors="replace")
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
    """Answers written as the SDK's transport writes them (UTF-8 text), straight to the pipe."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    async def write(self, text: str) -> None:
        data = memoryview(text.encode("utf-8"))
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

    async def flush(self) -> None:
        return None  # nothing is buffered here: every write went to the pipe
