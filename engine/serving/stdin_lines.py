"""Standard input for the stdio transport, read so that a stopping server never waits for a line.

The SDK reads stdin through anyio's worker threads. A worker blocked in read() cannot be cancelled, and
anyio's workers are not daemon threads: on Ctrl-C the server was cancelled, then waited for that read to
return (Enter or Ctrl-D), and the interpreter would wait for the thread again at exit. Here a daemon
thread of our own owns the blocking read and hands each line to the event loop: a cancelled server
simply stops waiting, and the process exits while the thread may still be blocked in read().
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

_CHUNK = 64 * 1024


@contextmanager
def claimed_stdin() -> Iterator[int]:
    """A private descriptor for the protocol's input; fd 0 points at the null device meanwhile, so
    nothing else in the process (a library, a child process) can consume a protocol line.

    The private descriptor is never closed: the reader thread may still be blocked on it at exit, and
    a closed number could be reused under it."""
    private = _duplicate_above_std(0)
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
    finally:
        os.close(null)
    try:
        yield private
    finally:
        os.dup2(private, 0)


def _duplicate_above_std(fd: int) -> int:
    if sys.platform == "win32":  # pragma: no cover - the standard descriptors are open there
        return os.dup(fd)
    import fcntl

    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)


class ThreadedLines:
    """The lines of a file descriptor (text, newline kept, undecodable bytes replaced), as an async
    iterator; reading starts on first use, in a daemon thread."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._receive: MemoryObjectReceiveStream[str] | None = None

    def __aiter__(self) -> ThreadedLines:
        return self

    async def __anext__(self) -> str:
        if self._receive is None:
            send, self._receive = anyio.create_memory_object_stream[str](0)
            token = anyio.lowlevel.current_token()
            thread = threading.Thread(
                target=_read_lines, args=(self._fd, send, token), name="stdin reader", daemon=True
            )
            thread.start()
        try:
            return await self._receive.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None


def _read_lines(fd: int, send: MemoryObjectSendStream[str], token: Any) -> None:
    """The thread: blocking reads, one hand-over per line (so input waits while the server is busy)."""
    pending = b""
    try:
        while True:
            try:
                chunk = os.read(fd, _CHUNK)
            except InterruptedError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                anyio.from_thread.run(send.send, _text(line + b"\n"), token=token)
        if pending:
            anyio.from_thread.run(send.send, _text(pending), token=token)
        anyio.from_thread.run_sync(send.close, token=token)
    except Exception:  # the server has stopped (or stopped listening): nobody is left to read
        return


def _text(line: bytes) -> str:
    return line.decode("utf-8", errors="replace")
