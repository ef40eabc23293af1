"""Per-user token mode's gate: every MCP request must carry `Authorization: Bearer <token>`.

The token is checked only for shape (the scheme, the manifest's `api.auth.token_prefix`, the characters
RFC 6750 allows, a sane length), never for validity: whether it is live, revoked, or allowed to do
something is the API's to say, and its answer is passed on. A missing or malformed header is answered
here with 401 and a `WWW-Authenticate` challenge, before anything reaches the MCP server, so no upstream
call can happen without a token. Neither the header nor the token is ever logged or echoed.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from ..manifest.model import Auth

# RFC 6750's b64token: the characters a bearer token may have on the wire.
_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
MAX_TOKEN_LENGTH = 1024  # far above any real API token; a header this long is not one


def token_problem(auth: Auth, header: str | None) -> str | None:
    """Why `header` (the Authorization value) is not a usable token for this API, or None."""
    if header is None or not header.strip():
        return "missing"
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return "malformed"
    if not _TOKEN_CHARACTERS.fullmatch(token):
        return "malformed"
    if auth.token_prefix and not token.startswith(auth.token_prefix):
        return "malformed"
    return None


def bearer_token(header: str) -> str:
    """The token of an Authorization value that passed `token_problem`."""
    return header.partition(" ")[2]


class BearerGate:
    """ASGI middleware for the MCP path: refuses requests without a well-formed bearer token."""

    def __init__(self, app: ASGIApp, auth: Auth, path: str, realm: str) -> None:
        self._app = app
        self._auth = auth
        self._path = path
        self._realm = realm.replace('"', "'")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self._path:
            await self._app(scope, receive, send)
            return
        values = [value for key, value in scope["headers"] if key == b"authorization"]
        # Sent twice is malformed: which of the two would the user mean?
        problem = (
            token_problem(self._auth, values[0].decode("latin-1"))
            if len(values) == 1
            else ("malformed" if values else "missing")
        )
        if problem is None:
            await self._app(scope, receive, send)
            return
        await self._refuse(problem, send)

    async def _refuse(self, problem: str, send: Send) -> None:
        prefix = f" starting with {self._auth.token_prefix}" if self._auth.token_prefix else ""
        if problem == "missing":
            # RFC 6750 3.1: no error code when the request carried no credentials at all.
            challenge = f'Bearer realm="{self._realm}"'
            message = (
                "this endpoint acts with each user's own API token: send it as "
                f"'Authorization: Bearer <token>' (a token{prefix})"
            )
        else:
            description = f"expected 'Bearer <token>' with a token{prefix}"
            challenge = (
                f'Bearer realm="{self._realm}", error="invalid_token", error_description="{description}"'
            )
            message = f"the Authorization header is malformed: {description} (value not shown)"
        body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32001, "message": message}})
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", challenge.encode("latin-1", "replace")),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode("utf-8")})
