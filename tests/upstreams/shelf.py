"""The Shelf API, simulated: the upstream of examples/shelf/shelf.tools.yaml on 127.0.0.1.

A small lending library with conventions unlike the sandbox's on purpose: the key travels in an
`X-Api-Key` header, lists are bare JSON arrays paged by `page`/`per_page` with a Link header (rel
next/prev/first/last), and every error is a `{"errors": [{code, title, detail, source}]}` envelope.
The seed is fixed (12 authors, 130 books), so tests can name records. Every request is recorded
(the key replaced by `<key>`), and any path with an `echo-key` segment answers 500 with the key it
was given echoed back, as a careless API might, for the canary tests.

Run it alone with `python tests/upstreams/shelf.py [PORT]` (prints its base URL and key).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

KEY = "shk_test_k3y_0123456789abcdefABCDEF"
PREFIX = "/v2"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 30

_AUTHORS = [
    ("ada-lovelace", "Ada Lovelace", 1815),
    ("alan-turing", "Alan Turing", 1912),
    ("grace-hopper", "Grace Hopper", 1906),
    ("donald-knuth", "Donald Knuth", 1938),
    ("barbara-liskov", "Barbara Liskov", 1939),
    ("edsger-dijkstra", "Edsger Dijkstra", 1930),
    ("margaret-hamilton", "Margaret Hamilton", 1936),
    ("john-mccarthy", "John McCarthy", 1927),
    ("frances-allen", "Frances Allen", 1932),
    ("tony-hoare", "Tony Hoare", 1934),
    ("leslie-lamport", "Leslie Lamport", 1941),
    ("radia-perlman", "Radia Perlman", 1951),
]
BOOK_COUNT = 130


@dataclass(frozen=True)
class Recorded:
    method: str
    raw_path: str  # as sent, percent-encoding kept
    query: str
    headers: dict[str, str]  # lower-case names; the key's value replaced by <key>
    body: Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, pointer: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.pointer = status, code, detail, pointer

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "title": self.code.replace("_", " "),
            "detail": self.detail,
        }
        if self.pointer:
            error["source"] = {"pointer": self.pointer}
        return {"errors": [error]}


class Library:
    """The records, rebuilt from the seed by reset()."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.authors = {
            slug: {"slug": slug, "name": name, "born": born, "books_count": 0}
            for slug, name, born in _AUTHORS
        }
        self.books: dict[int, dict[str, Any]] = {}
        for number in range(1, BOOK_COUNT + 1):
            author = _AUTHORS[(number - 1) % len(_AUTHORS)][0]
            self.books[number] = {
                "id": number,
                "title": f"Volume {number:03d}",
                "author_slug": author,
                "year": 1950 + number % 70,
                "isbn": f"978-0-{number:05d}-000-{number % 10}",
                "status": "available",
                "created_at": f"2025-01-{1 + number % 28:02d}T09:00:00Z",
            }
            self.authors[author]["books_count"] += 1
        self.loans: dict[int, dict[str, Any]] = {}
        self.next_book = BOOK_COUNT + 1
        self.next_loan = 1


class ShelfUpstream:
    def __init__(self, key: str = KEY) -> None:
        self.key = key
        self.library = Library()
        self.requests: list[Recorded] = []
        # API drift, for the live-check tests: each record passes through `reshape`, and routes under
        # a first segment in `gone` answer 404, as after a change upstream that the manifest missed.
        self.reshape: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.gone: set[str] = set()
        self._server: ThreadingHTTPServer | None = None

    @property
    def root_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.root_url + PREFIX

    def reset(self) -> None:
        with self.library.lock:
            self.library.reset()
            self.requests.clear()
            self.reshape = None
            self.gone = set()

    @contextmanager
    def running(self, port: int = 0) -> Iterator[ShelfUpstream]:
        upstream = self

        class Handler(_Handler):
            shelf = upstream

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    shelf: ShelfUpstream
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the record instead
        return

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        given_key = self.headers.get("X-Api-Key", "")
        headers = {k.lower(): ("<key>" if v == self.shelf.key else v) for k, v in self.headers.items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.shelf.requests.append(Recorded(self.command, parts.path, parts.query, headers, body))
        try:
            if given_key != self.shelf.key:
                raise ApiError(401, "unauthorized", "Missing or unknown API key: send it in X-Api-Key.")
            if not parts.path.startswith(PREFIX + "/"):
                raise ApiError(404, "not_found", f"No route {parts.path}.")
            segments = [unquote(s) for s in parts.path[len(PREFIX) + 1 :].split("/")]
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if "echo-key" in segments:  # the careless-API fault: the key echoed back
                raise ApiError(500, "internal", f"upstream failure for key {given_key}")
            if segments[0] in self.shelf.gone:
                raise ApiError(404, "not_found", f"No route {parts.path}.")
            with self.shelf.library.lock:
                status, payload, link = _route(self.shelf.library, self.command, segments, query, body)
        except ApiError as exc:
            self._send(exc.status, exc.envelope())
            return
        reshape = self.shelf.reshape
        if reshape is not None:
            payload = [reshape(dict(r)) for r in payload] if isinstance(payload, list) else payload
            payload = reshape(dict(payload)) if isinstance(payload, dict) else payload
        extra = (
            {"Link": _link_header(self.shelf.base_url + "/" + "/".join(segments), query, link)}
            if link
            else {}
        )
        self._send(status, payload, extra)

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


@dataclass(frozen=True)
class PageInfo:
    page: int
    per_page: int
    last: int


def _route(
    lib: Library, method: str, segments: list[str], query: dict[str, str], body: Any
) -> tuple[int, Any, PageInfo | None]:
    match (method, segments):
        case ("GET", ["authors"]):
            return _page(list(lib.authors.values()), query)
        case ("GET", ["authors", slug]):
            return 200, _found(lib.authors, slug, "author"), None
        case ("GET", ["books"]):
            books = list(lib.books.values())
            if "author" in query:
                books = [b for b in books if b["author_slug"] == query["author"]]
            if "status" in query:
                books = [b for b in books if b["status"] == query["status"]]
            if "q" in query:
                books = [b for b in books if query["q"].lower() in b["title"].lower()]
            return _page(books, query)
        case ("GET", ["books", book_id]):
            return 200, _found(lib.books, _int_id(book_id), "book"), None
        case ("POST", ["books"]):
            fields = _object(body)
            title = fields.get("title")
            if not isinstance(title, str) or not title.strip():
                raise ApiError(422, "invalid_field", "title must be a non-empty string.", "/title")
            author = fields.get("author_slug")
            if author not in lib.authors:
                raise ApiError(422, "invalid_field", f"no author {author!r}.", "/author_slug")
            year = fields.get("year")
            if year is not None and not isinstance(year, int):
                raise ApiError(422, "invalid_field", "year must be an integer.", "/year")
            book = {
                "id": lib.next_book,
                "title": title,
                "author_slug": author,
                "year": year,
                "isbn": fields.get("isbn"),
                "status": "available",
                "created_at": "2026-03-02T09:15:00Z",
            }
            lib.books[lib.next_book] = book
            lib.authors[author]["books_count"] += 1
            lib.next_book += 1
            return 201, book, None
        case ("PATCH", ["books", book_id]):
            book = _found(lib.books, _int_id(book_id), "book")
            fields = _object(body)
            if "title" in fields and (not isinstance(fields["title"], str) or not fields["title"].strip()):
                raise ApiError(422, "invalid_field", "title must be a non-empty string.", "/title")
            for name in ("title", "year", "isbn"):
                if name in fields:
                    book[name] = fields[name]
            return 200, book, None
        case ("DELETE", ["books", book_id]):
            book = _found(lib.books, _int_id(book_id), "book")
            if book["status"] == "on_loan":
                raise ApiError(409, "on_loan", "A book on loan cannot be deleted; return it first.")
            del lib.books[book["id"]]
            lib.authors[book["author_slug"]]["books_count"] -= 1
            return 204, None, None
        case ("GET", ["loans"]):
            loans = list(lib.loans.values())
            if "status" in query:
                loans = [loan for loan in loans if loan["status"] == query["status"]]
            return _page(loans, query)
        case ("POST", ["books", book_id, "loans"]):
            book = _found(lib.books, _int_id(book_id), "book")
            fields = _object(body)
            borrower = fields.get("borrower")
            if not isinstance(borrower, str) or "@" not in borrower:
                raise ApiError(422, "invalid_field", "borrower must be an email address.", "/borrower")
            if book["status"] == "on_loan":
                raise ApiError(409, "on_loan", f"Book {book['id']} is already on loan.")
            loan = {
                "id": lib.next_loan,
                "book_id": book["id"],
                "borrower": borrower,
                "due": fields.get("due", "2026-04-01"),
                "status": "open",
            }
            lib.loans[lib.next_loan] = loan
            lib.next_loan += 1
            book["status"] = "on_loan"
            return 201, loan, None
        case ("POST", ["loans", loan_id, "return"]):
            loan = _found(lib.loans, _int_id(loan_id), "loan")
            if loan["status"] == "returned":
                raise ApiError(409, "already_returned", f"Loan {loan['id']} was already returned.")
            loan["status"] = "returned"
            lib.books[loan["book_id"]]["status"] = "available"
            return 200, loan, None
    raise ApiError(404, "not_found", f"No route {method} /{'/'.join(segments)}.")


def _int_id(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise ApiError(404, "not_found", f"No record {text!r}.")
    return int(text)


def _found(table: dict[Any, dict[str, Any]], key: Any, kind: str) -> dict[str, Any]:
    record = table.get(key)
    if record is None:
        raise ApiError(404, "not_found", f"No {kind} {key!r}.")
    return record


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object.")
    return body


def _positive(query: dict[str, str], name: str, default: int, maximum: int | None = None) -> int:
    text = query.get(name, str(default))
    if not text.isdigit() or int(text) < 1 or (maximum is not None and int(text) > maximum):
        bound = f" from 1 to {maximum}" if maximum else " of 1 or more"
        raise ApiError(422, "invalid_parameter", f"{name} must be an integer{bound}.", f"?{name}")
    return int(text)


def _page(records: list[dict[str, Any]], query: dict[str, str]) -> tuple[int, Any, PageInfo]:
    page = _positive(query, "page", 1)
    per_page = _positive(query, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    last = max(1, -(-len(records) // per_page))
    start = (page - 1) * per_page
    return 200, records[start : start + per_page], PageInfo(page, per_page, last)


def _link_header(url: str, query: dict[str, str], info: PageInfo) -> str:
    def to(page: int) -> str:
        params = {**query, "page": str(page), "per_page": str(info.per_page)}
        return "<" + url + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items()) + ">"

    links = []
    if info.page < info.last:
        links.append(f'{to(info.page + 1)}; rel="next"')
    if info.page > 1:
        links.append(f'{to(info.page - 1)}; rel="prev"')
    links += [f'{to(1)}; rel="first"', f'{to(info.last)}; rel="last"']
    return ", ".join(links)


if __name__ == "__main__":
    with ShelfUpstream().running(int(sys.argv[1]) if len(sys.argv) > 1 else 0) as shelf:
        print(f"Shelf API at {shelf.base_url}  (X-Api-Key: {shelf.key})", flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
