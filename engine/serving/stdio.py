"""The stdio transport: the protocol on stdin/stdout, nothing else ever written to stdout.

Our own, around the SDK's session (`Server.run` on two message streams), because the SDK's stdio
transport drops malformed input unanswered and stops writing for good at the first message it cannot
encode; jsonrpc_lines.py says what is answered and how. The pipes are served non-blocking on the event
loop when they are pipes (pipe_io.py, as MCP clients spawn servers), else by daemon threads
(stdin_lines.py, a person's terminal), so Ctrl-C or a client that hangs up ends the server at once.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

import anyio
from anyio.abc import ObjectReceiveStream, ObjectSendStream
from mcp.shared.message import SessionMessage

from ..calls.connection import Connection
from ..calls.redaction import Redactor
from ..manifest.model import Manifest
from .filtering import FilterSettings
from .jsonrpc_lines import MAX_MESSAGE_BYTES, Unencodable, encode, judge_line, judge_oversized
from .pipe_io import NonBlocking, PipeLines, PipeWriter, is_pipe
from .runtime import Engine, running_engine, settle_heap
from .stdin_lines import ThreadedLines, ThreadedWriter, claimed_stdin, claimed_stdout

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0  # at the end, how long answers already made may take to reach a slow client


class LineWriter(Protocol):
    async def write(self, data: bytes) -> None: ...


Lines = PipeLines | ThreadedLines


async def serve_stdio(
    manifest: Manifest,
    connection: Connection,
    redactor: Redactor,
    filters: FilterSettings | None = None,
    watch: Path | None = None,
    on_ready: Callable[[Engine], None] | None = None,
) -> None:
    """`on_ready` runs once the server reads its input (a person's terminal gets the banner then)."""
    with claimed_stdin() as protocol_input, claimed_stdout() as protocol_output:
        to_session, from_client = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        to_client, from_session = anyio.create_memory_object_stream[SessionMessage](0)
        async with (
            protocol_pipes(protocol_input, protocol_output) as (lines, output),
            running_engine(manifest, connection, redactor, filters, by_role=True) as engine,
            anyio.create_task_group() as wire,  # ends once input has ended and every answer is out
        ):
            settle_heap()
            wire.start_soon(read_input, lines, to_session, output, redactor)
            wire.start_soon(write_output, from_session, output, redactor)
            async with anyio.create_task_group() as extras:
                if watch is not None:
                    from .reload import watch_manifest

                    extras.start_soon(watch_manifest, watch, engine)
                if on_ready is not None:
                    on_ready(engine)
                await engine.server.run(from_client, to_client, engine.initialization_options())
                extras.cancel_scope.cancel()  # the client hung up: stop watching too


@asynccontextmanager
async def protocol_pipes(
    protocol_input: int, protocol_output: int
) -> AsyncIterator[tuple[Lines, LineWriter]]:
    """Pipes (as MCP clients spawn servers) served non-blocking on the loop; anything else (a terminal,
    a file: not ours to set non-blocking, its state is shared) by daemon threads."""
    if sys.platform == "win32" or not (is_pipe(protocol_input) and is_pipe(protocol_output)):
        writer = ThreadedWriter(protocol_output)
        yield ThreadedLines(protocol_input, MAX_MESSAGE_BYTES), writer
        await writer.drain(DRAIN_SECONDS)
        return
    with NonBlocking(protocol_input), NonBlocking(protocol_output):
        yield PipeLines(protocol_input, MAX_MESSAGE_BYTES), PipeWriter(protocol_output)


async def read_input(
    lines: Lines,
    to_session: ObjectSendStream[SessionMessage | Exception],
    output: LineWriter,
    redactor: Redactor,
) -> None:
    """Each line to the session, or answered here; closing the session's input at end of input."""
    async with to_session:
        number = 0
        async for line in lines:
            number += 1
            judged = judge_line(line) if isinstance(line, bytes) else judge_oversized(line.head, line.size)
            if judged.problem:  # the start of the line helps find the client at fault (redacted as logged)
                start = line[:120] if isinstance(line, bytes) else line.head[:120]
                log.warning("stdin line %d: %s; it began %r", number, judged.problem, start)
            for answer in judged.answers:
                await output.write(encode(answer, redactor))
            if judged.message is not None:
                await to_session.send(SessionMessage(judged.message))


async def write_output(
    from_session: ObjectReceiveStream[SessionMessage], output: LineWriter, redactor: Redactor
) -> None:
    async with from_session:
        async for outgoing in from_session:
            try:
                await output.write(encode(outgoing.message, redactor))
            except Unencodable as exc:
                log.error("dropped an outgoing %s that cannot be encoded as JSON", exc)
