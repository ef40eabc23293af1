"""The protocol's pipes read and written on the event loop (engine/serving/pipe_io.py), on real pipes."""

from __future__ import annotations

import os
import tempfile

import anyio
import pytest

from hoursmith_mcp.engine.serving.pipe_io import NonBlocking, PipeLines, PipeWriter, is_pipe

pytestmark = pytest.mark.anyio


async def read_all(lines: PipeLines) -> list[str]:
    return [line async for line in lines]


async def test_lines_arrive_whole_whatever_the_reads_cut() -> None:
    read_fd, write_fd = os.pipe()
    with NonBlocking(read_fd):
        lines = PipeLines(read_fd)
        found: list[str] = []

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
    assert found == ['{"a":1}\n', '{"b":2}\n', "\n", "\ufffd\ufffd bad bytes\n", "no newline at the end"]


async def test_a_large_answer_waits_for_a_slow_reader_and_arrives_in_order() -> None:
    read_fd, write_fd = os.pipe()
    answer = "".join(f"{i:07d}," for i in range(200_000)) + "\n"  # 1.6 MB: far over a pipe's buffer
    received = bytearray()

    async def slow_reader() -> None:
        while len(received) < len(answer):
            await anyio.sleep(0.001)
            received.extend(os.read(read_fd, 32 * 1024))

    with NonBlocking(write_fd):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(slow_reader)
            await PipeWriter(write_fd).write(answer)
            await PipeWriter(write_fd).flush()
    os.close(read_fd)
    os.close(write_fd)
    assert received.decode() == answer


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
