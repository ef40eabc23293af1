"""The start-up every serving command shares (serve, call, tools, config): the manifest, logging, and
which upstream to talk to. A mistake here is one stderr line naming the command, and exit code 2."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..calls.clock import resolve_clock
from ..calls.connection import Connection, StartupError, resolve_base_url, resolve_connection
from ..calls.redaction import Redactor
from ..manifest import check_cache
from ..manifest.hosts import is_loopback_host
from ..manifest.loader import ManifestUnreadable, load_manifest
from ..manifest.model import Manifest
from ..manifest.problems import ManifestError
from ..serving.logs import configure_logging
from .product import Product

EXIT_CONFIG = 2


# Environment variables whose values start-up output must never show, whatever the manifest says (it
# may not even load): the token, and anything else named like a credential.
_SECRET_NAMES = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "CREDENTIAL")


def startup_redactor() -> Redactor:
    """What start-up messages pass through before the manifest has named its token variable."""
    secrets = [
        value for name, value in os.environ.items() if any(word in name.upper() for word in _SECRET_NAMES)
    ]
    return Redactor(secrets)


def say(message: str) -> None:
    """One line of start-up output on stderr, redacted (a manifest's problem may quote a value)."""
    sys.stderr.write(startup_redactor().text(message) + "\n")


def fail(product: Product, message: str) -> int:
    say(f"{product.command}: {message}")
    return EXIT_CONFIG


def check_cache_dir(product: Product) -> Path:
    """Where vouched-for manifests are remembered: {COMMAND}_CACHE_DIR, else the user's cache folder."""
    configured = os.environ.get(product.command.upper().replace("-", "_") + "_CACHE_DIR")
    return Path(configured) if configured else check_cache.default_dir(product.command)


def load_for_serving(product: Product, path: Path) -> Manifest:
    """The manifest, or StartupError with one line to act on (the problems follow on stderr)."""
    manifest = load_checked(product, path)
    resolve_clock(manifest.clock, os.environ)  # a bad time zone variable stops here, before anything starts
    return manifest


def load_checked(product: Product, path: Path) -> Manifest:
    """The manifest alone, without the settings serving reads from the environment beside it."""
    try:
        manifest = load_manifest(path, check_cache_dir=check_cache_dir(product))
    except ManifestUnreadable as exc:
        raise StartupError(f"cannot read the manifest: {exc}") from None
    except ManifestError as exc:
        for problem in exc.problems:
            say(str(problem))
        count = len(exc.errors)
        raise StartupError(
            f"{path} is invalid ({count} error{'s' if count != 1 else ''} above); "
            f"run '{product.command} validate {path}' after fixing it"
        ) from None
    return manifest


def load_with_logging(product: Product, path: Path, log_level: str) -> tuple[Manifest, Redactor]:
    """Logging to stderr from the first line on; redaction by the token prefix once the manifest names it."""
    configure_logging(log_level, startup_redactor())
    manifest = load_for_serving(product, path)
    redactor = Redactor(token_prefix=manifest.api.auth.token_prefix)
    redactor.add_secret(os.environ.get(manifest.api.auth.token_env, ""))  # even one start-up will refuse
    configure_logging(log_level, redactor)
    return manifest, redactor


@dataclass(frozen=True)
class UpstreamChoice:
    """The real API (from the environment), or the product's local simulator as one seeded identity."""

    sandbox: bool = False
    sandbox_role: str = ""
    sandbox_plan: str = ""
    sandbox_url: str = ""  # a simulator already running there (`sandbox` in another terminal)


@contextmanager
def upstream_connection(
    product: Product, manifest: Manifest, choice: UpstreamChoice, per_user_tokens: bool = False
) -> Iterator[Connection]:
    """The base URL and token to use for the block.

    With `per_user_tokens` the connection has no token (each request brings its own), and a token in
    the environment is refused rather than ignored: a team endpoint must never act as one person."""
    if per_user_tokens and os.environ.get(manifest.api.auth.token_env, "").strip():
        raise StartupError(
            f"--per-user-tokens takes each request's own token, but {manifest.api.auth.token_env} is also "
            "set: unset it, so that no call can ever act with that one token"
        )
    if not choice.sandbox:
        if per_user_tokens:
            yield Connection(base_url=resolve_base_url(manifest.api, os.environ), token=None)
        else:
            yield resolve_connection(manifest.api, os.environ)
        return
    if product.local_upstream is None:
        raise StartupError(f"{product.command} has no built-in sandbox")
    if choice.sandbox_url:
        host = urlsplit(choice.sandbox_url).hostname or ""
        if not choice.sandbox_url.startswith("http://") or not is_loopback_host(host):
            # Its tokens are sent there: never to anything but this machine.
            raise StartupError(
                f"--sandbox-url must be http:// on this machine (127.0.0.1, localhost, ::1); "
                f"got {choice.sandbox_url!r}"
            )
        yield product.local_upstream.attach(choice.sandbox_url, choice.sandbox_role, choice.sandbox_plan)
        return
    with product.local_upstream.start(choice.sandbox_role, choice.sandbox_plan) as connection:
        yield Connection(connection.base_url, None) if per_user_tokens else connection
