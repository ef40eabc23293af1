"""The stdio transport's file descriptors: input read so that a stopping server never waits for a line,
lines bounded in size, output written so a stopping server never waits for a reader.

The SDK read stdin through anyio's worker threads. A worker blocked in read() cannot be cancelled, and
anyio's workers are not daemon threads: on Ctrl-C the server was cancelled, then waited for that read to
return (Enter or Ctrl-D), and the interpreter would wait for the thread again at exit. Here a daemon
thread of our own owns each blocking call (the read of stdin, the write of stdout) and hands over to
the event loop: a cancelled server simply stops waiting, and the process exits while a thread may
still be blocked.

A line is kept up to a limit; past it, only its start is kept (to answer it by its id) and the rest is
skipped as it arrives, so a client that never sends a newline costs at most the limit in memory.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

_CHUNK = 64 * 1024
KEPT_HEAD = 1024  # of a line over the limit: enough to read the id of a request
_WAIT_FOR_ROOM = 0.005


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


@contextmanager
def claimed_stdout() -> Iterator[int]:
    """A private descriptor for the protocol's output; fd 1 points at stderr meanwhile, so a stray
    print (ours, a library's, a child process's) lands in the log instead of corrupting the protocol.
    Never closed, like the input's: the writer thread may still be blocked on it at exit."""
    sys.stdout.flush()
    private = _duplicate_above_std(1)
    os.dup2(2, 1)
    try:
        yield private
    finally:
        sys.stdout.flush()
        os.dup2(private, 1)


def _duplicate_above_std(fd: int) -> int:
    if sys.platform == "win32":  # pragma: no cover - the standard descriptors are open there
        return os.dup(fd)
    import fcntl

    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)


@dataclass(frozen=True)
class Oversized:
    """A line longer than the limit: its first bytes, and its full length."""

    head: bytes
    size: int


class ThreadedLines:
    """The lines of a file descriptor (bytes, without the newline; over `limit` bytes: an Oversized),
    as an async iterator; reading starts on first use, in a daemon thread."""

    def __init__(self, fd: int, limit: int) -> None:
        self._fd = fd
        self._limit = limit
        self._receive: MemoryObjectReceiveStream[bytes | Oversized] | None = None

    def __aiter__(self) -> ThreadedLines:
        return self

    async def __anext__(self) -> bytes | Oversized:
        if self._receive is None:
            send, self._receive = anyio.create_memory_object_stream[bytes | Oversized](0)
            token = anyio.lowlevel.current_token()
            thread = threading.Thread(
                target=_read_lines,
                args=(self._fd, self._limit, send, token),
                name="stdin reader",
                daemon=True,
            )
            thread.start()
        try:
            return await self._receive.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None


def _read_lines(fd: int, limit: int, send: MemoryObjectSendStream[bytes | Oversized], token: Any) -> None:
    """The thread: blocking reads, one hand-over per line (so input waits while the server is busy).
    Each byte is looked at once: a line without a newline never makes the reading quadratic."""
    pending = bytearray()
    skipped: Oversized | None = None  # the line being skipped, once it went over the limit

    def hand_over(line: bytes | Oversized) -> None:
        anyio.from_thread.run(send.send, line, token=token)

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
            start = 0
            while start <= len(chunk):
                newline = chunk.find(b"\n", start)
                piece = chunk[start:] if newline < 0 else chunk[start:newline]
                if skipped is not None:
                    skipped = Oversized(skipped.head, skipped.size + len(piece))
                else:
                    pending += piece
                    if len(pending) > limit:
                        skipped = Oversized(bytes(pending[:KEPT_HEAD]), len(pending))
                        pending.clear()
                if newline < 0:
                    break
                hand_over(skipped if skipped is not None else bytes(pending))
                skipped = None
                pending.clear()
                start = newline + 1
        if skipped is not None or pending:
            hand_over(skipped if skipped is not None else bytes(pending))
        anyio.from_thread.run_sync(send.close, token=token)
    except BaseException:  # the server has stopped (or stopped listening): nobody is left to read
        return


class ThreadedWriter:
    """Writes to a file descriptor from a daemon thread, in order, with backpressure: `write` waits
    while `queued` lines are not yet written (a client that stops reading stops the server's output,
    not its memory). The thread never calls into the event loop, so a loop that stops (Ctrl-C) leaves
    nothing of it pending. `drain` waits until everything handed over is written, or `seconds` pass."""

    def __init__(self, fd: int, queued: int = 16) -> None:
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._room = threading.Semaphore(queued)
        self._done = threading.Event()
        threading.Thread(target=self._write_lines, args=(fd,), name="stdout writer", daemon=True).start()

    async def write(self, data: bytes) -> None:
        while not self._room.acquire(blocking=False):  # only while the client is not reading
            await anyio.sleep(_WAIT_FOR_ROOM)
        self._lines.put(data)

    async def drain(self, seconds: float) -> None:
        self._lines.put(None)
        with anyio.move_on_after(seconds):
            while not self._done.is_set():
                await anyio.sleep(_WAIT_FOR_ROOM)

    def _write_lines(self, fd: int) -> None:
        try:
            while (data := self._lines.get()) is not None:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                self._room.release()
        except OSError:  # the client closed its end (EPIPE): nothing more can be written
            pass
        finally:
            self._done.set()
