"""The fixture REST API behind conformance.tools.yaml: four routes, started on loopback by the test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

EXPECTED_TOKEN = "conformance-fixture-token"


def _authorized(request: Request) -> bool:
    return request.headers.get("authorization") == f"Bearer {EXPECTED_TOKEN}"


async def simple_text(request: Request) -> JSONResponse:
    if not _authorized(request):
        return JSONResponse({"error": {"code": "unauthenticated", "message": "bad token"}}, status_code=401)
    return JSONResponse({"data": {"text": "This is a simple text response for testing."}})


async def error(request: Request) -> JSONResponse:
    message = "This tool always fails (conformance fixture)."
    return JSONResponse({"error": {"code": "conflict", "message": message}}, status_code=409)


async def slow(request: Request) -> JSONResponse:
    await anyio.sleep(0.3)  # long enough that progress notifications arrive before the result
    return JSONResponse({"data": {"done": True}})


async def template_data(request: Request) -> JSONResponse:
    record_id = request.path_params["id"]
    return JSONResponse(
        {"data": {"id": record_id, "templateTest": True, "data": f"Data for ID: {record_id}"}}
    )


app = Starlette(
    routes=[
        Route("/api/simple-text", simple_text),
        Route("/api/error", error),
        Route("/api/slow", slow),
        Route("/api/template/{id}", template_data),
    ]
)


@contextmanager
def start_upstream() -> Iterator[str]:
    """The fixture API on a free loopback port, in a thread; yields its base URL (…/api)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the conformance fixture upstream did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}/api"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
