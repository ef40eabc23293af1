"""Start-up settings: the token and the base URL, from the environment, checked before serving.

A mistake here ends the process with one clear stderr line and exit code 2. The token's value is
never echoed, not even in part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..manifest.hosts import is_allowed_base_url
from ..manifest.model import Api

# What `config` writes where the token goes, for the person to replace: refused as a token.
TOKEN_PLACEHOLDER = "REPLACE_WITH_YOUR_TOKEN"


class StartupError(Exception):
    """A configuration mistake the user must fix; the message is one actionable line."""


@dataclass(frozen=True)
class Connection:
    base_url: str
    # None in per-user token mode: each request brings its own (engine/calls/request_token.py).
    token: str | None = field(repr=False)


def shown_url(url: str) -> str:
    """The URL as safe to print: no user, password, query or fragment, which may hold credentials."""
    head, _, _ = url.partition("#")
    head, _, _ = head.partition("?")
    scheme, slashes, rest = head.partition("//")
    if not slashes:  # no scheme: the authority comes first
        scheme, rest = "", head
    authority, slash, path = rest.partition("/")
    host = authority.rpartition("@")[2]
    shown = f"{scheme}{slashes}{host}{slash}{path}"
    return shown if shown == url else f"{shown} (credentials, query and fragment not shown)"


def resolve_base_url(api: Api, environ: Mapping[str, str]) -> str:
    name = api.base_url_env
    override = environ.get(name, "").strip() if name else ""
    base_url = (override or api.base_url).rstrip("/")
    where = name if override else "the manifest's api.base_url"
    try:
        _ = urlsplit(base_url).port  # a bad port or bracketed host raises here, not at the first call
    except ValueError as exc:
        raise StartupError(f"{where} is not a valid URL ({exc}); got {shown_url(base_url)}") from None
    if not is_allowed_base_url(base_url):
        raise StartupError(
            f"{where} must be an https:// URL (plain http:// only for loopback hosts); "
            f"got {shown_url(base_url)}"
        )
    parts = urlsplit(base_url)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise StartupError(f"{name or 'api.base_url'} must not carry credentials, a query or a fragment")
    return base_url


def resolve_token(api: Api, environ: Mapping[str, str]) -> str:
    name = api.auth.token_env
    token = environ.get(name, "")
    if not token.strip():
        raise StartupError(
            f"{name} is not set: put your API token in the MCP client's config (env), "
            "then restart the client; or run with --sandbox to try the built-in sandbox"
        )
    if TOKEN_PLACEHOLDER in token:
        raise StartupError(
            f"{name} is still the placeholder from the config snippet: replace it with your API token "
            "in the MCP client's config, then restart the client"
        )
    if token != token.strip() or any(ch.isspace() or not ch.isprintable() for ch in token):
        raise StartupError(
            f"{name} contains spaces or control characters; paste the token alone (value not shown)"
        )
    prefix = api.auth.token_prefix
    if prefix and not token.startswith(prefix):
        raise StartupError(
            f"{name} does not look like an API token: it must start with {prefix!r} (value not shown)"
        )
    return token


def resolve_connection(api: Api, environ: Mapping[str, str]) -> Connection:
    return Connection(base_url=resolve_base_url(api, environ), token=resolve_token(api, environ))
