"""Logging for the server process: stderr only (stdout carries the protocol), always redacted.

Only the engine's own loggers speak below WARNING, even at --log-level debug: libraries log payloads
there (sse_starlette logs every SSE chunk, so every tool result, at debug; httpx and httpcore log
headers; uvicorn's trace logs ASGI messages), and which library does so changes with versions. A rule
on the logger's name holds for all of them, including ones added later.
"""

from __future__ import annotations

import logging
import sys

from ..calls.redaction import RedactingFilter, Redactor

LEVELS = ("debug", "info", "warning", "error")

# The package the engine is installed under (the product's import name): its loggers are ours.
OWN_LOGGERS = __name__.split(".")[0]


class OwnRecordsBelowWarning(logging.Filter):
    """Lets every record at WARNING or above through, and lower ones only from our own loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return record.name == OWN_LOGGERS or record.name.startswith(OWN_LOGGERS + ".")


def configure_logging(level: str, redactor: Redactor) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(OwnRecordsBelowWarning())  # first: a dropped record is never even formatted
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Spare the busiest libraries the cost of building records the filter would drop anyway.
    for noisy in ("httpx", "httpcore", "mcp", "uvicorn", "sse_starlette", "anyio", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)
