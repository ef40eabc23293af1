"""The stdio transport's lines, judged by the JSON-RPC 2.0 rules; its messages, written so they always encode.

The SDK's stdio reader handed every line that was not a valid JSON-RPC message (not JSON, a batch,
`params` as a list, an id of the wrong type, a message nested too deep...) to the session, which
dropped it with at most a debug log: a client waiting for its answer waited forever. Its writer died
for good on a string UTF-8 cannot encode, and the server never answered again. Here:
- every line that is a request with an id gets exactly one answer: the session's, or a parse error
  (-32700, id null: a line that is not JSON has no id to read), an invalid request (-32600) or invalid
  params (-32602, params by position, or nested deeper than bounded_json.MAX_DEPTH);
- a line that cannot be answered (a notification, a response, a blank line) is logged, never answered;
- every outgoing message encodes: a lone surrogate becomes U+FFFD, and an answer that still cannot be
  encoded (nesting pydantic cannot follow) is replaced by an internal error for the same id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from mcp.types import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    PARSE_ERROR,
    ErrorData,
    JSONRPCError,
    JSONRPCMessage,
    JSONRPCResponse,
    jsonrpc_message_adapter,
)
from pydantic import ValidationError

from ..calls.bounded_json import JsonRejected, JsonTooDeep, envelope_only, loads_lenient
from ..calls.redaction import Redactor

# The largest message read: the SDK's limit for an HTTP request body, so both transports agree.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The id of an over-long request, when it comes first as clients write it ({"jsonrpc":"2.0","id":7,...).
_LEADING_ID = re.compile(
    r'\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,256}")\s*[,}]'
)


@dataclass(frozen=True)
class Judged:
    """What to do with one line: hand a message to the session, write answers back, log a problem."""

    message: JSONRPCMessage | None = None
    answers: tuple[JSONRPCError, ...] = ()
    problem: str | None = None


def _error(request_id: Any, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))


def _is_request_id(value: Any) -> bool:
    return type(value) is str or type(value) is int  # not bool, not a float, not null


def _refuse(data: Any, code: int, reason: str) -> Judged:
    """Answer a bad message by the JSON-RPC rules: a request with a usable id gets its answer; a
    notification (a method, no id) is never answered, only logged; anything else is answered to id null."""
    if isinstance(data, dict) and "method" in data and "id" not in data:
        return Judged(problem=f"dropped a notification: {reason}")
    request_id = data.get("id") if isinstance(data, dict) and _is_request_id(data.get("id")) else None
    return Judged(answers=(_error(request_id, code, reason),), problem=f"answered {code}: {reason}")


def judge_line(line: bytes) -> Judged:
    """One line of input, without its newline."""
    # Undecodable bytes survive as lone surrogates: the request is still answered, and the argument
    # check names the argument that holds them (calls/arguments.py).
    text = line.decode("utf-8", "surrogateescape").lstrip("\ufeff")
    if not text.strip():
        return Judged()
    try:
        data = loads_lenient(text)
    except JsonTooDeep as exc:
        return _judge_too_deep(text, str(exc))
    except JsonRejected:
        return Judged(
            answers=(_error(None, PARSE_ERROR, "Parse error: the line is not JSON"),),
            problem="answered a parse error: the line is not JSON",
        )
    if isinstance(data, list):
        return _judge_batch(data)
    return _judge_message(data)


def judge_oversized(head: bytes, size: int) -> Judged:
    """A line over MAX_MESSAGE_BYTES, of which only the start was kept."""
    reason = f"the message is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB ({size:,} bytes)"
    found = _LEADING_ID.match(head.decode("utf-8", "replace"))
    request_id = json.loads(found.group(1)) if found else None
    return Judged(answers=(_error(request_id, INVALID_REQUEST, reason),), problem=f"answered: {reason}")


def _judge_too_deep(text: str, reason: str) -> Judged:
    try:
        envelope = envelope_only(text)
    except JsonRejected:
        envelope = None
    code = INVALID_PARAMS if isinstance(envelope, dict) and "method" in envelope else INVALID_REQUEST
    return _refuse(envelope, code, f"the message is {reason}")


def _judge_batch(items: list[Any]) -> Judged:
    reason = "batches are not supported: send each message on its own line"
    if not items:
        return _refuse(None, INVALID_REQUEST, "an empty batch")
    answers = tuple(
        _error(item["id"], INVALID_REQUEST, reason)
        for item in items
        if isinstance(item, dict) and "method" in item and _is_request_id(item.get("id"))
    )
    if not answers:
        return _refuse(None, INVALID_REQUEST, reason)
    return Judged(answers=answers, problem=f"answered {len(answers)} request(s) of a batch: {reason}")


def _judge_message(data: Any) -> Judged:
    if not isinstance(data, dict):
        return _refuse(None, INVALID_REQUEST, "a JSON-RPC message is an object")
    if "id" in data and not _is_request_id(data["id"]):
        return _refuse(None, INVALID_REQUEST, "the id must be a string or an integer")
    if data.get("jsonrpc") != "2.0":
        return _refuse(data, INVALID_REQUEST, 'jsonrpc must be "2.0"')
    if "method" in data:
        if not isinstance(data["method"], str):
            return _refuse(data, INVALID_REQUEST, "the method must be a string")
        params = data.get("params", {})
        if isinstance(params, list):
            return _refuse(data, INVALID_PARAMS, "params must be an object (named parameters)")
        if not isinstance(params, dict):
            return _refuse(data, INVALID_REQUEST, "params must be an object")
    elif "result" not in data and "error" not in data:
        return _refuse(data, INVALID_REQUEST, "a request needs a method")
    try:
        return Judged(message=jsonrpc_message_adapter.validate_python(data, by_name=False))
    except ValidationError:
        if "method" not in data:
            return Judged(problem="dropped a response that is not a valid JSON-RPC response")
        return _refuse(data, INVALID_REQUEST, "not a valid JSON-RPC request")


class Unencodable(Exception):
    """A notification or server request that cannot be written; it is dropped (and logged)."""


def encode(message: JSONRPCMessage, redactor: Redactor) -> bytes:
    """One line of output. Raises Unencodable only for a message that is not an answer."""
    try:
        text = message.model_dump_json(by_alias=True, exclude_unset=True)
    except Exception:  # a lone surrogate, or nesting pydantic cannot follow
        text = _fallback(message)
    if isinstance(message, JSONRPCError):
        text = redactor.json_text(text)[0]  # errors may echo what the client sent (a method, a name)
    # Valid JSON either way; escaped so a reader that splits lines on them (str.splitlines) cannot.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")
    return text.encode("utf-8") + b"\n"


def _fallback(message: JSONRPCMessage) -> str:
    try:
        data = message.model_dump(mode="json", by_alias=True, exclude_unset=True)
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return _LONE_SURROGATE.sub("\ufffd", text)
    except (ValueError, TypeError, RecursionError):
        if not isinstance(message, JSONRPCResponse | JSONRPCError):
            raise Unencodable(type(message).__name__) from None
        request_id = _LONE_SURROGATE.sub("\ufffd", message.id) if isinstance(message.id, str) else message.id
        failed = _error(request_id, INTERNAL_ERROR, "the answer could not be encoded as JSON")
        return failed.model_dump_json(by_alias=True, exclude_unset=True)
