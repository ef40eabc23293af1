"""The APIs the end-to-end checks run against: the same checks, parametrized over each manifest.

Each `ServedApi` says only what differs between APIs: its manifest, its local upstream, a token, a
tool that takes a string path argument, and how to read what reached the wire. The server is launched
as a client launches it, with the token and base URL in the variables the manifest itself names.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import StdioServerParameters

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.model import Manifest
from hoursmith_mcp.sandbox.runner import RunningSandbox

from ..upstreams.shelf import KEY as SHELF_KEY
from ..upstreams.shelf import ShelfUpstream
from .support import request_log, role_token

ROOT = Path(__file__).resolve().parents[2]
SHELF_MANIFEST = ROOT / "examples" / "shelf" / "shelf.tools.yaml"


@dataclass(frozen=True)
class WireEntry:
    method: str
    raw_path: str
    query: str
    headers: dict[str, str]  # lower-case names; the token shown as the upstream redacts it


@dataclass(frozen=True)
class ServedApi:
    name: str
    manifest_path: Path
    base_url: str
    token: str
    get_tool: str  # a read tool whose one path argument is a string
    get_argument: str
    wire_prefix: str  # the raw path before that argument's value, on the wire
    good_call: tuple[str, dict[str, Any]]  # a call that succeeds
    echo_call: tuple[str, dict[str, Any]]  # a call whose upstream error echoes the token back
    auth_on_wire: tuple[str, str]  # the header carrying the token, as the upstream records it
    wire: Callable[[], list[WireEntry]]
    arm_echo: Callable[[], None]  # makes echo_call's upstream answer carry the token

    @property
    def manifest(self) -> Manifest:
        return load_manifest(self.manifest_path)

    def server_args(self, *extra: str) -> list[str]:
        # The wire checks count each tool call's requests, so no identity lookup at start (role-aware
        # listing has its own tests: test_role_listing.py).
        manifest = ["--manifest", str(self.manifest_path), "--no-role-filter"]
        return ["-m", "hoursmith_mcp", *manifest, "--log-level", "debug", *extra]

    def server_env(self) -> dict[str, str]:
        api = self.manifest.api
        assert api.base_url_env is not None
        return {
            "PATH": os.environ.get("PATH", ""),
            api.auth.token_env: self.token,
            api.base_url_env: self.base_url,
        }

    def server_params(self, *extra: str) -> StdioServerParameters:
        return StdioServerParameters(
            command=sys.executable, args=self.server_args(*extra), env=self.server_env()
        )


def hoursmith(upstream: RunningSandbox, control: httpx.Client) -> ServedApi:
    def wire() -> list[WireEntry]:
        return [
            WireEntry(e["method"], e["rawPath"], e["query"], {k.lower(): v for k, v in e["headers"].items()})
            for e in request_log(control)
        ]

    def arm_echo() -> None:
        message = f"echo {role_token('OWNER')}"
        fault = {"method": "GET", "path": "/api/v1/clients", "times": 3, "status": 500, "message": message}
        assert control.post("/_sandbox/faults", json=fault).status_code == 201

    return ServedApi(
        name="hoursmith",
        manifest_path=default_manifest_path(),
        base_url=upstream.base_url,
        token=role_token("OWNER"),
        get_tool="get_client",
        get_argument="client_id",
        wire_prefix="/api/v1/clients/",
        good_call=("get_me", {}),
        echo_call=("list_clients", {}),
        auth_on_wire=("authorization", "Bearer <redacted>"),
        wire=wire,
        arm_echo=arm_echo,
    )


def shelf(upstream: ShelfUpstream) -> ServedApi:
    def wire() -> list[WireEntry]:
        return [WireEntry(r.method, r.raw_path, r.query, r.headers) for r in upstream.requests]

    return ServedApi(
        name="shelf",
        manifest_path=SHELF_MANIFEST,
        base_url=upstream.base_url,
        token=SHELF_KEY,
        get_tool="get_author",
        get_argument="author_slug",
        wire_prefix="/v2/authors/",
        good_call=("get_book", {"book_id": 7}),
        echo_call=("get_author", {"author_slug": "echo-key"}),
        auth_on_wire=("x-api-key", "<key>"),
        wire=wire,
        arm_echo=lambda: None,  # a path segment `echo-key` always echoes
    )


API_NAMES = ("hoursmith", "shelf")


@contextmanager
def served_api(name: str, request: pytest.FixtureRequest) -> Iterator[ServedApi]:
    """The named API with its upstream reset (seed restored, nothing recorded, no faults)."""
    if name == "hoursmith":
        control = request.getfixturevalue("fresh")
        yield hoursmith(request.getfixturevalue("upstream"), control)
    else:
        yield shelf(request.getfixturevalue("shelf"))
