"""The instant upstream: a minimal HTTP/1.1 keep-alive server answering every request with one canned JSON.

Run as `python bench/responder.py BODY.json`; it prints its port on stdout, then serves until stdin
closes. Raw asyncio streams, no framework, so the upstream costs close to nothing and the engine's own
cost is not hidden behind it.
"""

from __future__ import annotations

import asyncio
import sys


def canned(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, response: bytes) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            writer.write(response)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(body: bytes) -> None:
    response = canned(body)
    server = await asyncio.start_server(lambda r, w: handle(r, w, response), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    # Serve until the bench closes our stdin (or dies): no orphan survives the run.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main() -> None:
    with open(sys.argv[1], "rb") as file:
        asyncio.run(serve(file.read()))


if __name__ == "__main__":
    main()
