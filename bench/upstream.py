"""The fixture upstream: a minimal HTTP/1.1 keep-alive server answering from a dataset (bench/dataset.py).

Run as `python bench/upstream.py DATASET.json`; it prints its port on stdout, then serves until stdin
closes. Raw asyncio streams, no framework, every answer rendered once and then served from memory, so
the upstream costs close to nothing and the servers' own costs are not hidden behind it:
- a record's path (`/api/v1/clients/ID`) answers the API's `{"data": record}`;
- a collection's path pages through its records as the API does: `limit` (default 50, at most 200) and
  an opaque `cursor`, answering `{"data": [...], "pagination": {"nextCursor", "limit"}}`; query
  parameters naming a record field filter by equality, `<field>From` / `<field>To` by an inclusive range;
- anything else is the API's 404 envelope.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Answers:
    def __init__(self, dataset: dict[str, Any]) -> None:
        self._records: dict[str, Any] = dataset["records"]
        self._collections: dict[str, list[dict[str, Any]]] = dataset["collections"]
        self._rendered: dict[bytes, bytes] = {}

    def answer(self, target: bytes) -> bytes:
        rendered = self._rendered.get(target)
        if rendered is None:
            status, body = self._answer(target.decode("utf-8", "replace"))
            rendered = self._rendered[target] = canned(status, json.dumps(body).encode("utf-8"))
        return rendered

    def _answer(self, target: str) -> tuple[int, Any]:
        parts = urlsplit(target)
        if parts.path in self._records:
            return 200, self._records[parts.path]
        collection = self._collections.get(parts.path)
        if collection is None:
            collection_path, _, record_id = parts.path.rpartition("/")
            for record in self._collections.get(collection_path, []):
                if record.get("id") == record_id:
                    return 200, {"data": record}
            return 404, {"error": {"code": "not_found", "message": f"no such record: {parts.path}"}}
        query = dict(parse_qsl(parts.query))
        limit = min(MAX_LIMIT, int(query.pop("limit", DEFAULT_LIMIT)))
        offset = int(query.pop("cursor", "0") or 0)
        query.pop("sort", None)  # served in the dataset's order (the API's default)
        chosen = [record for record in collection if _matches(record, query)]
        page = chosen[offset : offset + limit]
        next_cursor = str(offset + limit) if offset + limit < len(chosen) else None
        return 200, {"data": page, "pagination": {"nextCursor": next_cursor, "limit": limit}}


def _matches(record: dict[str, Any], query: dict[str, str]) -> bool:
    for name, wanted in query.items():
        if name.endswith("From") and name[:-4] in record:
            if str(record[name[:-4]]) < wanted:
                return False
        elif name.endswith("To") and name[:-2] in record:
            if str(record[name[:-2]])[: len(wanted)] > wanted:
                return False
        elif name in record and _text(record[name]) != wanted:
            return False
    return True


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def canned(status: int, body: bytes) -> bytes:
    reason = {200: "OK", 404: "Not Found"}.get(status, "OK")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, answers: Answers) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            target = lines[0].split(b" ")[1]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            writer.write(answers.answer(target))
    except (asyncio.IncompleteReadError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


async def serve(answers: Answers) -> None:
    server = await asyncio.start_server(lambda r, w: handle(r, w, answers), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    # Serve until the bench closes our stdin (or dies): no orphan survives the run.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        asyncio.run(serve(Answers(json.load(file))))


if __name__ == "__main__":
    main()
