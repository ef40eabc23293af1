"""The sandbox ASGI app: /api/v1 (the simulated API), /_sandbox (test controls), a web page's 404
elsewhere."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .config import SandboxConfig
from .control import control_routes
from .dispatch import API_PREFIX, ApiState, handle_api
from .hooks import FaultBook, Hooks, RequestLog
from .idempotency import IdempotencyCache
from .ratelimit import RateLimiter
from .resources import all_routes
from .seed import build_store
from .state_file import StateFile

_WEBSITE_404 = "<!doctype html><title>Page not found · Hoursmith</title><h1>This page does not exist.</h1>\n"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class SandboxApp(Starlette):
    """A Starlette app whose requests pass the test hooks first (outside every middleware, so that a
    dropped-connection fault reaches the server's own connection)."""

    def __init__(self, state: ApiState, hooks: Hooks, config: SandboxConfig) -> None:
        async def api(request: Request) -> Response:
            return await handle_api(state, request)

        async def not_the_api(request: Request) -> Response:
            # Outside /api/v1 the real host serves its website, not the API: a page, not the envelope
            # (what a client with the API's path left off its base URL meets).
            return HTMLResponse(_WEBSITE_404, status_code=404)

        routes = [
            Route(API_PREFIX, api, methods=ALL_METHODS),
            Route(API_PREFIX + "/{rest:path}", api, methods=ALL_METHODS),
            *control_routes(state, hooks),
            Route("/{rest:path}", not_the_api, methods=ALL_METHODS),
        ]
        super().__init__(routes=routes)
        self.sandbox_state = state
        self.sandbox_hooks = hooks
        self.sandbox_config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.sandbox_hooks(scope, receive, send, super().__call__)
        if self.state_file is not None and _may_change_records(scope):
            self.state_file.save(self.sandbox_state.store)

    @property
    def state_file(self) -> StateFile | None:
        path = self.sandbox_config.state_file
        return StateFile(path) if path is not None else None


def _may_change_records(scope: Scope) -> bool:
    """A write to the API (even a refused one: cheap to save again), or a reset to the seed."""
    if scope.get("type") != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        return False
    path = str(scope.get("path", ""))
    return path.startswith(API_PREFIX) or path == "/_sandbox/reset"


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """One app = one independent in-memory state, seeded from the deterministic seed, or loaded from
    the state file (raises StateFileError when that file is not a sandbox state)."""
    config = config or SandboxConfig()
    store = None
    if config.state_file is not None:
        state_file = StateFile(config.state_file)
        store = state_file.load()
        if store is None:  # a new state: the seed, written at once so the file is there to see
            store = build_store()
            state_file.save(store)
    state = ApiState(
        store=store or build_store(),
        limiter=RateLimiter(enabled=config.rate_limits, scale=config.rate_limit_scale),
        idempotency=IdempotencyCache(),
        routes=all_routes(),
    )
    hooks = Hooks(config.request_log, config.faults, RequestLog(), FaultBook())
    return SandboxApp(state, hooks, config)
