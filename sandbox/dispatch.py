"""The /api/v1 front door: auth, rate limits, plan, routing, body parsing, idempotency, envelopes."""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .auth import Principal, authenticate, check_plan, require_staff
from .errors import ApiError, json_response
from .idempotency import IdempotencyCache, check_key, fingerprint
from .ratelimit import RateLimiter
from .store import Store
from .timeutil import utcnow

API_PREFIX = "/api/v1"
log = logging.getLogger("sandbox")


@dataclass
class Ctx:
    """What a handler sees: the caller, the path parameters, the query and the parsed body."""

    store: Store
    principal: Principal
    params: dict[str, str]
    query: list[tuple[str, str]]
    body: dict[str, Any]
    now: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Reply:
    status: int
    payload: Any = None  # None -> empty body (204)


Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # e.g. "/clients/{id}"
    handler: Handler
    # When set, the MEMBER role gets 403 with "may not <staff_only>" before anything else.
    staff_only: str | None = None
    regex: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        object.__setattr__(self, "regex", re.compile(f"^{pattern}$"))


@dataclass
class ApiState:
    """Everything one sandbox instance remembers; ``reset`` restores the seed."""

    store: Store
    limiter: RateLimiter
    idempotency: IdempotencyCache
    routes: list[Route]


def _match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]]:
    allowed: list[str] = []
    for route in routes:
        found = route.regex.match(path)
        if found is None:
            continue
        if route.method == method:
            return route, found.groupdict()
        allowed.append(route.method)
    if allowed:
        raise ApiError(
            405, f"{method} is not allowed on {API_PREFIX}{path}", headers={"Allow": ", ".join(allowed)}
        )
    raise ApiError(404, f"no such route: {method} {API_PREFIX}{path}")


async def _read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise ApiError(400, "the body must be JSON sent with Content-Type: application/json")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"malformed JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the JSON body must be an object")
    return body


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def handle_api(state: ApiState, request: Request) -> Response:
    """One /api/v1 request, in the order: 401 → 429 → 402 → 404/405 → 403 → 400 → 422 key → handler."""
    rate_headers: dict[str, str] = {}
    try:
        try:
            principal = authenticate(state.store, request.headers.get("authorization"))
        except ApiError as unauthenticated:
            decision = state.limiter.check_anonymous(_client_ip(request))
            rate_headers = decision.headers
            if not decision.allowed:
                raise _rate_limited(decision.retry_after) from None
            raise unauthenticated
        decision = state.limiter.check_token(principal.token, principal.plan)
        rate_headers = decision.headers
        if not decision.allowed:
            raise _rate_limited(decision.retry_after)
        check_plan(principal)
        path = request.url.path.removeprefix(API_PREFIX) or "/"
        route, params = _match(state.routes, request.method, path)
        if route.staff_only:
            require_staff(principal, route.staff_only)
        body = await _read_json(request) if request.method in ("POST", "PATCH", "PUT") else {}
        ctx = Ctx(state.store, principal, params, list(request.query_params.multi_items()), body)
        if request.method == "POST":
            reply, replayed = _run_idempotent(state, ctx, route, request, path)
        else:
            with state.store.lock:
                reply, replayed = route.handler(ctx), False
        headers = dict(rate_headers)
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        if reply.payload is None:
            return Response(status_code=reply.status, headers=headers)
        return json_response(reply.status, reply.payload, headers)
    except ApiError as error:
        error.headers = {**rate_headers, **error.headers}
        return error.to_response()
    except Exception:
        log.exception("sandbox handler failed")
        return ApiError(500, "internal sandbox error", headers=rate_headers).to_response()


def _run_idempotent(
    state: ApiState, ctx: Ctx, route: Route, request: Request, path: str
) -> tuple[Reply, bool]:
    key = check_key(request.headers.get("idempotency-key"))
    scope = (ctx.principal.token, "POST", path, key)
    body_print = fingerprint(ctx.body)
    # Lookup, create and remember happen under one lock with no await in between, so two
    # concurrent requests with the same key cannot both create a record.
    with state.store.lock:
        remembered = state.idempotency.lookup(scope, body_print)
        if remembered is not None:
            return Reply(remembered.status, copy.deepcopy(remembered.payload)), True
        reply = route.handler(ctx)
        if 200 <= reply.status < 300:
            state.idempotency.remember(scope, body_print, reply.status, copy.deepcopy(reply.payload))
        return reply, False


def _rate_limited(retry_after: int) -> ApiError:
    return ApiError(
        429,
        f"rate limit reached for this token; retry after {retry_after} s",
        headers={"Retry-After": str(retry_after)},
    )
