"""The protocol's pipes read and written on the event loop (engine/serving/pipe_io.py), on real pipes."""

from __future__ import annotations

import os
import tempfile

import anyio
import pytest

from hoursmith_mcp.engine.serving.pipe_io import NonBlocking, PipeLines, PipeWriter, is_pipe
from hoursmith_mcp.engine.serving.stdin_lines import Oversized

pytestmark = pytest.mark.anyio


async def read_all(lines: PipeLines) -> list[bytes | Oversized]:
    return [line async for line in lines]


async def test_lines_arrive_whole_whatever_the_reads_cut() -> None:
    read_fd, write_fd = os.pipe()
    with NonBlocking(read_fd):
        lines = PipeLines(read_fd, limit=1024)
        found: list[bytes | Oversized] = []

        async def reader() -> None:
            found.extend(await read_all(lines))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(reader)
            pieces = (b'{"a":', b'1}\n{"b"', b":2}\n\n", b"\xff\xfe bad bytes\n", b"no newline at the end")
            for piece in pieces:
                os.write(write_fd, piece)
                await anyio.sleep(0.01)  # each piece arrives alone: the reader waits in between
            os.close(write_fd)
    os.close(read_fd)
    # Bytes, without the newline: deciding what bad bytes mean is jsonrpc_lines.py's job.
    assert found == [b'{"a":1}', b'{"b":2}', b"", b"\xff\xfe bad bytes", b"no newline at the end"]


async def test_a_line_over_the_limit_is_skipped_as_it_arrives_keeping_its_start() -> None:
    read_fd, write_fd = os.pipe()
    with NonBlocking(read_fd):
        lines = PipeLines(read_fd, limit=100_000)
        found: list[bytes | Oversized] = []

        async def reader() -> None:
            found.extend(await read_all(lines))

        async def write(data: bytes) -> None:  # from a thread: a full pipe blocks the writer, not the loop
            await anyio.to_thread.run_sync(os.write, write_fd, data)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(reader)
            await write(b'{"id":5,' + b" " * 60_000)
            for _ in range(20):  # 1.2 MB more of the same line, never held whole
                await write(b" " * 60_000)
            await write(b"}\nnext\n")
            for _ in range(4):  # the last line over the limit too, and never ended
                await write(b"x" * 50_000)
            os.close(write_fd)
    os.close(read_fd)
    first, second, third = found
    assert isinstance(first, Oversized) and first.head.startswith(b'{"id":5,') and first.size == 1_260_009
    assert second == b"next"
    assert isinstance(third, Oversized) and third.size == 200_000


async def test_a_large_answer_waits_for_a_slow_reader_and_arrives_in_order() -> None:
    read_fd, write_fd = os.pipe()
    answer = ("".join(f"{i:07d}," for i in range(200_000)) + "\n").encode()  # 1.6 MB: over a pipe's buffer
    received = bytearray()

    async def slow_reader() -> None:
        while len(received) < len(answer):
            await anyio.sleep(0.001)
            received.extend(os.read(read_fd, 32 * 1024))

    with NonBlocking(write_fd):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(slow_reader)
            await PipeWriter(write_fd).write(answer)
    os.close(read_fd)
    os.close(write_fd)
    assert received == answer


async def test_non_blocking_is_undone_after() -> None:
    read_fd, write_fd = os.pipe()
    assert os.get_blocking(read_fd)
    with NonBlocking(read_fd):
        assert not os.get_blocking(read_fd)
    assert os.get_blocking(read_fd)
    os.close(read_fd)
    os.close(write_fd)


def test_only_pipes_and_sockets_are_served_non_blocking() -> None:
    read_fd, write_fd = os.pipe()
    assert is_pipe(read_fd) and is_pipe(write_fd)
    os.close(read_fd)
    os.close(write_fd)
    with tempfile.TemporaryFile() as file:
        assert not is_pipe(file.fileno())  # a file (or a terminal) is shared: never set non-blocking
    assert not is_pipe(read_fd)  # a closed descriptor
