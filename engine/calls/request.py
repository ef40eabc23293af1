"""Request building: a pure function from (tool, arguments) to the HTTP request to send.

No I/O and no secrets here (the Authorization header is added by the transport), so every rule
about where an argument goes can be tested alone.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ..manifest.model import PLACEHOLDER, Api, Tool


class RequestBuildError(Exception):
    """An argument value cannot be placed safely (e.g. an empty or dot-segment path value)."""


@dataclass(frozen=True)
class OutgoingRequest:
    method: str
    url: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    body: bytes | None  # serialised once, so a retry sends byte-identical content
    idempotency_key: str | None = field(default=None)
    template: str = ""  # the URL path with its placeholders, e.g. /api/v1/clients/{client_id} (for traces)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


def build_request(
    tool: Tool, api: Api, base_url: str, arguments: dict[str, Any], client_key: str | None = None
) -> OutgoingRequest:
    """`client_key`: the idempotency key the MCP client chose for this call (so that its own retry of
    the call, perhaps through another server replica, replays instead of acting twice); else a new one."""
    url = base_url.rstrip("/") + _fill_path(tool, arguments)
    _check_stays_under(base_url, url)
    query = _query(tool, arguments)
    _check_url_length(tool, arguments, url, query)
    headers = dict(api.headers)
    idempotency_key = None
    if api.idempotency and tool.method in api.idempotency.methods:
        # One per tool call, reused by every retry of this request.
        idempotency_key = client_key or str(uuid.uuid4())
        headers[api.idempotency.header] = idempotency_key
    body = _body(tool, arguments)
    if body is not None:
        headers["Content-Type"] = "application/json"
    template = urlsplit(base_url).path.rstrip("/") + tool.path
    return OutgoingRequest(tool.method, url, query, headers, body, idempotency_key, template)


def _fill_path(tool: Tool, arguments: dict[str, Any]) -> str:
    def replace(match: Any) -> str:
        name = match.group(1)
        value = arguments.get(name)
        text = _scalar_text(value) if value is not None else ""
        if text.strip() == "":
            raise RequestBuildError(f"argument '{name}' must not be empty")
        if text in (".", ".."):
            raise RequestBuildError(f"argument '{name}' must not be '.' or '..'")
        # No safe characters: '/', '?', '#', '%' and '..' inside a value stay inside its segment.
        return quote(text, safe="")

    return PLACEHOLDER.sub(replace, tool.path)


def _check_stays_under(base_url: str, url: str) -> None:
    base, final = urlsplit(base_url), urlsplit(url)
    base_path = base.path.rstrip("/") + "/"
    segments = final.path.split("/")
    if (final.scheme, final.netloc) != (base.scheme, base.netloc) or not final.path.startswith(base_path):
        raise RequestBuildError("the request would leave the API's base URL")
    if any(segment in (".", "..") for segment in segments):
        raise RequestBuildError("the request path would contain a dot segment")


# The longest URL the HTTP client sends (httpx refuses longer ones with an error that names nothing).
MAX_URL_LENGTH = 65_536


def _check_url_length(
    tool: Tool, arguments: dict[str, Any], url: str, query: tuple[tuple[str, str], ...]
) -> None:
    length = len(url) + 1 + len(urlencode(query))
    if length <= MAX_URL_LENGTH:
        return
    in_url = [arg.name for arg in tool.arguments if arg.location != "body" and arg.name in arguments]
    longest = max(in_url, key=lambda name: len(_scalar_text(arguments[name])), default="?")
    raise RequestBuildError(
        f"argument '{longest}' makes the URL {length:,} characters long; "
        f"a URL holds at most {MAX_URL_LENGTH:,}"
    )


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return str(value)


def _query(tool: Tool, arguments: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    query: list[tuple[str, str]] = []
    for arg in tool.arguments_in("query"):
        value = arguments.get(arg.name)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None or item == "":
                continue  # never send ?x= for an absent optional value
            query.append((arg.api_name, _scalar_text(item)))
    return tuple(query)


def _body(tool: Tool, arguments: dict[str, Any]) -> bytes | None:
    body_args = tool.arguments_in("body")
    if not body_args:
        return None
    body = {arg.api_name: arguments[arg.name] for arg in body_args if arg.name in arguments}
    try:  # only valid JSON goes upstream (arguments.py refuses NaN and infinity first, by name)
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError:
        raise RequestBuildError("a body argument is NaN or infinite, which JSON cannot carry") from None
