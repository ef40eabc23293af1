"""Transport: one shared httpx client, the token on the wire, retries tied to safety, bounded bodies.

Retries follow the manifest's policy:
- 429 waits Retry-After (capped by retry_after_max_seconds) and retries any method: the API did
  not act on a rate-limited request.
- 5xx statuses in `on_status`, connection errors and timeouts retry with exponential backoff and
  jitter only when repeating is safe: GET, or a method that carries its idempotency key (the same key
  and byte-identical body on every attempt, so the API replays instead of acting twice).
- Nothing else is retried (other 4xx are answers, not faults), and everything stays inside the
  call's overall deadline.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, replace
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any

import anyio

from .. import __version__
from ..manifest.model import Api
from . import request_token, tracing
from .bounded_json import JsonRejected, loads_strict
from .connection import Connection
from .decoding import ACCEPTED, BoundedDecoder, BudgetExceeded, UndecodableBody
from .request import OutgoingRequest

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: Any  # parsed JSON, or None for an empty or unreadable body
    text: str  # the raw text when the body was not JSON ("" otherwise)
    attempts: int
    # An earlier attempt was lost in transit and may have acted; this answer does not say it did not.
    outcome_unknown: bool = False
    problem: str | None = None  # why a non-empty body could not be read as JSON

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def retry_after_seconds(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))


class UpstreamFailure(Exception):
    """No usable answer: the connection failed, timed out, or the answer was unusable."""

    def __init__(self, kind: str, message: str, *, attempts: int, outcome_unknown: bool) -> None:
        super().__init__(message)
        self.kind = kind  # "timeout" | "connection" | "too_large" | "deadline"
        self.message = message
        self.attempts = attempts
        # True when the request may have reached the API and acted (a write whose answer was lost).
        self.outcome_unknown = outcome_unknown


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds)


class Upstream:
    """The API as seen by the engine: sends requests with the token, only to the base URL's origin."""

    def __init__(
        self, api: Api, connection: Connection, user_agent: str = f"mcp-engine/{__version__}"
    ) -> None:
        self._api = api
        self._user_agent = user_agent
        self._connection = connection
        self._policy = api.retry
        self._max_bytes = api.limits.max_response_bytes
        self._client: httpx.AsyncClient | None = None  # made at the first call: httpx stays off start-up

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            _remember_missing("sniffio")
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self._api.timeout_seconds),
                follow_redirects=False,  # a redirect elsewhere must not carry the token
                # Only the encodings decoding.py decodes within the body limit.
                headers={"User-Agent": self._user_agent, "Accept-Encoding": ACCEPTED},
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
                # No cookie is ever kept: with one client serving many users (per-user token mode), a
                # cookie one user's answer set would go out with the next user's requests.
                cookies=_no_cookies(),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def is_safe_to_repeat(self, request: OutgoingRequest) -> bool:
        return request.method == "GET" or request.idempotency_key is not None

    async def send(self, request: OutgoingRequest) -> UpstreamResponse:
        import httpx

        policy = self._policy
        deadline = time.monotonic() + policy.deadline_seconds
        safe = self.is_safe_to_repeat(request)
        # Whether an earlier attempt may have reached the API without our hearing its answer.
        lost = False
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise UpstreamFailure(
                    "deadline",
                    f"no answer within the call's deadline of {policy.deadline_seconds:g}s",
                    attempts=attempt - 1,
                    outcome_unknown=lost,
                )
            try:
                # httpx's timeouts bound each read, not the whole answer: an upstream that trickles a
                # byte now and then would outlive the deadline without this wall-clock bound.
                with anyio.fail_after(remaining):
                    response = await self._traced_attempt(
                        request, min(self._api.timeout_seconds, remaining), attempt
                    )
            except TimeoutError:
                raise UpstreamFailure(
                    "deadline",
                    f"no complete answer within the call's deadline of {policy.deadline_seconds:g}s",
                    attempts=attempt,
                    outcome_unknown=lost or request.method != "GET",
                ) from None
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
                lost = lost or (request.method != "GET" and _may_have_arrived(exc))
                delay = self._backoff(attempt)
                if not safe or attempt >= policy.max_attempts or time.monotonic() + delay >= deadline:
                    raise UpstreamFailure(
                        kind, _describe_network_error(kind, exc), attempts=attempt, outcome_unknown=lost
                    ) from None
                log.info("%s %s: %s on attempt %d; retrying in %.2fs", request.method, request.path, kind,
                         attempt, delay)  # fmt: skip
                await anyio.sleep(delay)
                continue
            wait = self._retry_delay(response, attempt, safe)
            if wait is None or time.monotonic() + wait >= deadline:
                return replace(response, outcome_unknown=lost and not response.ok)
            log.info("%s %s: HTTP %d on attempt %d; retrying in %.2fs", request.method, request.path,
                     response.status, attempt, wait)  # fmt: skip
            await anyio.sleep(wait)

    def _retry_delay(self, response: UpstreamResponse, attempt: int, safe: bool) -> float | None:
        """How long to wait before the next attempt, or None to stop and answer with this response."""
        policy = self._policy
        if response.status not in policy.on_status or attempt >= policy.max_attempts:
            return None
        if response.status == 429:
            retry_after = response.retry_after_seconds()
            if retry_after is None:
                return self._backoff(attempt)
            return retry_after if retry_after <= policy.retry_after_max_seconds else None
        return self._backoff(attempt) if safe else None

    def _backoff(self, attempt: int) -> float:
        policy = self._policy
        ceiling = min(policy.backoff_max_seconds, policy.backoff_initial_seconds * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # jitter spreads retries of concurrent calls

    async def _traced_attempt(
        self, request: OutgoingRequest, timeout: float, attempt: int
    ) -> UpstreamResponse:
        """One attempt, in a span of its own when tracing is on (engine/calls/tracing.py)."""
        if tracing.tracer is None:
            return await self._attempt(request, timeout, attempt)
        with tracing.http_span(request.method, request.url, request.template, attempt) as span:
            response = await self._attempt(request, timeout, attempt)
            tracing.finish_http(span, response.status)
            return response

    async def _attempt(self, request: OutgoingRequest, timeout: float, attempt: int) -> UpstreamResponse:
        if not request.url.startswith(self._connection.base_url):
            raise UpstreamFailure(
                "connection",
                "refused to send the token outside the API's base URL",
                attempts=attempt,
                outcome_unknown=False,
            )
        # Set on this request only: the shared client never holds a token (nor cookies) between requests.
        auth_name, auth_value = self._api.auth.header_for(self._token(attempt))
        headers = {**request.headers, auth_name: auth_value}
        started = time.monotonic()
        async with self._http().stream(
            request.method,
            request.url,
            params=request.query,
            headers=headers,
            content=request.body,
            timeout=timeout,
        ) as response:
            raw, problem = await self._read_bounded(response, attempt, request.method)
        log.debug(
            "%s %s -> %d (%d bytes, %.1f ms, attempt %d)",
            request.method,
            request.path,
            response.status_code,
            len(raw),
            (time.monotonic() - started) * 1000,
            attempt,
        )
        body, text, unreadable = _decode(raw)
        headers = {name.lower(): value for name, value in response.headers.items()}
        return UpstreamResponse(
            response.status_code, headers, body, text, attempt, problem=problem or unreadable
        )

    def _token(self, attempt: int) -> str:
        """The environment's token, or (per-user mode) the token of the request being served; not both."""
        configured, acting = self._connection.token, request_token.current()
        if configured is not None and acting is None:
            return configured
        if configured is None and acting is not None:
            return acting
        problem = "two tokens (the server's and the request's)" if acting else "no token for this request"
        raise UpstreamFailure(
            "connection", f"refused to send: {problem}", attempts=attempt, outcome_unknown=False
        )

    async def _read_bounded(
        self, response: httpx.Response, attempt: int, method: str
    ) -> tuple[bytes, str | None]:
        """The decoded body, never more than max_response_bytes of it, raw or decoded, in memory at once.

        Returns the body and, for an encoding that cannot be decoded, why (the status still counts)."""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self._max_bytes:
            raise _too_large(self._max_bytes, attempt, method)
        try:
            decoder = BoundedDecoder(response.headers.get("Content-Encoding"), self._max_bytes)
            received = 0
            async for raw in response.aiter_raw():
                received += len(raw)
                if received > self._max_bytes:
                    raise BudgetExceeded
                decoder.feed(raw)
            return decoder.finish(), None
        except BudgetExceeded:
            raise _too_large(self._max_bytes, attempt, method) from None
        except UndecodableBody as exc:
            return b"", str(exc)


def _remember_missing(module: str) -> None:
    """httpcore imports `sniffio` (if installed) several times per request to learn the event loop; a
    module that is not installed is looked for on the whole import path at every attempt (Python
    remembers only successes), about a tenth of a small call's cost. Marking it absent in sys.modules
    makes each attempt fail at once, as it would anyway; an installed sniffio is left alone."""
    import importlib.util
    import sys

    if module not in sys.modules and importlib.util.find_spec(module) is None:
        sys.modules[module] = None  # type: ignore[assignment]


def _no_cookies() -> CookieJar:
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def _too_large(limit: int, attempt: int, method: str) -> UpstreamFailure:
    return UpstreamFailure(
        "too_large",
        f"the API's answer is larger than {limit // 1024} KiB and was refused; narrow the request "
        "(filters, a smaller limit)",
        attempts=attempt,
        outcome_unknown=method != "GET",
    )


NOT_JSON = "the body is not JSON"


def _decode(raw: bytes) -> tuple[Any, str, str | None]:
    """(parsed JSON, "", None), or (None, the text, why it is not usable JSON)."""
    if not raw.strip():
        return None, "", None
    text = raw.decode("utf-8", errors="replace")
    try:
        return loads_strict(text), "", None
    except JsonRejected as exc:
        return None, text, f"the body is {exc}"


def _may_have_arrived(exc: Exception) -> bool:
    """False only when the request surely never reached the API (no connection was made)."""
    import httpx

    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _describe_network_error(kind: str, exc: Exception) -> str:
    if kind == "timeout":
        return "the API did not answer in time"
    # httpx's text names the host and errno but never headers; the redactor still passes over it.
    detail = str(exc) or type(exc).__name__
    return f"could not reach the API: {detail}"
