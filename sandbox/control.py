"""The /_sandbox/... control routes: reset, request log, faults, token table. Never under /api/v1."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .dispatch import ApiState
from .errors import ApiError, json_response
from .hooks import Hooks, parse_json_body
from .seed import SEEDED_TOKENS, build_store


def control_routes(state: ApiState, hooks: Hooks) -> list[BaseRoute]:
    async def reset(request: Request) -> Response:
        """Restore the seed and forget idempotency keys, rate buckets, the request log and faults."""
        fresh = build_store()
        with state.store.lock:
            state.store = fresh
        state.idempotency.clear()
        state.limiter.reset()
        hooks.log.clear()
        hooks.faults.clear()
        return Response(status_code=204)

    async def tokens(request: Request) -> Response:
        return json_response(200, {"data": [asdict(t) for t in SEEDED_TOKENS]})

    async def requests(request: Request) -> Response:
        if not hooks.log_enabled:
            return _off("the request log", "request_log=True (CLI: --request-log)")
        if request.method == "DELETE":
            hooks.log.clear()
            return Response(status_code=204)
        return json_response(200, {"data": hooks.log.entries()})

    async def faults(request: Request) -> Response:
        if not hooks.faults_enabled:
            return _off("fault injection", "faults=True (CLI: --faults)")
        if request.method == "DELETE":
            hooks.faults.clear()
            return Response(status_code=204)
        if request.method == "GET":
            return json_response(200, {"data": hooks.faults.active()})
        try:
            fault = hooks.faults.add(parse_json_body(await request.body()))
        except ApiError as error:
            return error.to_response()
        return json_response(201, {"data": fault.to_json()})

    return [
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/tokens", tokens, methods=["GET"]),
        Route("/_sandbox/requests", requests, methods=["GET", "DELETE"]),
        Route("/_sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
    ]


def _off(what: str, how: str) -> Response:
    return ApiError(404, f"{what} is off; start the sandbox with {how}").to_response()
