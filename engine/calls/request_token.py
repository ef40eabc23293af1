"""The token of the request being served, in per-user token mode (one HTTP endpoint for a whole team).

In that mode the server holds no token of its own: each MCP request brings its user's token in its
`Authorization` header, and the tool call it makes acts with that token alone. The serving layer
sets it here for the duration of one tool call (`acting_with`); the transport reads it when it puts
the header on the wire, and redaction removes it from whatever the call produces.

A context variable, not an attribute: it belongs to the task serving the request (and the tasks that
task starts), so concurrent calls of different users never see each other's token, and it is gone
when the call ends. Nothing keeps it: no cache, no session, no log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_token: ContextVar[str | None] = ContextVar("request_token", default=None)


@contextmanager
def acting_with(token: str) -> Iterator[None]:
    """Everything the block does upstream acts with `token`; afterwards the previous value returns."""
    reset = _token.set(token)
    try:
        yield
    finally:
        _token.reset(reset)


def current() -> str | None:
    """The token of the request being served, or None outside a per-user call."""
    return _token.get()
