"""Liveness and readiness for load balancers and orchestrators, and the drain that SIGTERM starts.

- `GET /healthz` (liveness): 200 while the process serves HTTP at all.
- `GET /readyz` (readiness): 200 once the MCP endpoint serves and until SIGTERM; 503 while draining,
  so a balancer that polls it sends no new work to a replica that is about to go.

On SIGTERM (or Ctrl-C) the server stops accepting connections, lets the calls in flight finish for up
to `drain_seconds`, cancels what is still running after that, and exits. Neither endpoint calls the
API: one replica's upstream trouble is every replica's, and taking them all out of rotation would
turn a slow API into no endpoint at all.
"""

from __future__ import annotations

import logging
from types import FrameType

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .admission import Admission

log = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


class Readiness:
    def __init__(self) -> None:
        self.serving = False  # set once the MCP endpoint's lifespan has started
        self.draining = False
        self.admission: Admission | None = None  # its load is part of the readiness answer

    @property
    def ready(self) -> bool:
        return self.serving and not self.draining

    def watching(self, app: ASGIApp) -> ASGIApp:
        """`app`, with readiness turned on when its lifespan has started (the MCP endpoint serves)."""

        async def watched(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "lifespan":
                await app(scope, receive, send)
                return

            async def observe(message: Message) -> None:
                if message["type"] == "lifespan.startup.complete":
                    self.serving = True
                await send(message)

            await app(scope, receive, observe)

        return watched

    def routes(self) -> list[Route]:
        async def liveness(request: Request) -> JSONResponse:
            return JSONResponse({"status": "alive"})

        async def readiness(request: Request) -> JSONResponse:
            admission = self.admission
            load = (
                {"calls_in_flight": admission.calls_in_flight, "max_calls": admission.max_calls}
                if admission
                else {}
            )
            if self.ready:
                return JSONResponse({"status": "ready", **load})
            state = "draining" if self.draining else "starting"
            return JSONResponse({"status": state, **load}, status_code=503, headers={"Retry-After": "1"})

        return [
            Route(LIVENESS_PATH, liveness, methods=["GET"]),
            Route(READINESS_PATH, readiness, methods=["GET"]),
        ]


class DrainingServer(uvicorn.Server):
    """uvicorn's server, telling readiness when a signal starts the drain.

    uvicorn already drains (no new connections; in-flight requests get `timeout_graceful_shutdown`
    seconds, then are cancelled). It would then re-raise the signal and end the process before our own
    clean-up (the upstream client, trace export) ran; the drain is the signal's whole meaning here, so
    the process ends normally instead."""

    def __init__(self, config: uvicorn.Config, readiness: Readiness) -> None:
        super().__init__(config)
        self._readiness = readiness
        # sse-starlette (under the SDK's streaming answers) would cut every SSE stream at the signal,
        # a tool call's answer among them; the drain is for those to finish. A stream that outlives
        # the drain (a listen stream) is still cancelled by uvicorn when timeout_graceful_shutdown ends.
        from sse_starlette.sse import AppStatus

        AppStatus.disable_automatic_graceful_drain()  # type: ignore[no-untyped-call]

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self._readiness.draining:
            log.info(
                "signal %d: draining (up to %gs for calls in flight)",
                sig,
                self.config.timeout_graceful_shutdown,
            )
        self._readiness.draining = True
        super().handle_exit(sig, frame)
        self._captured_signals.clear()
