"""Logging for the server process: stderr only (stdout carries the protocol), always redacted."""

from __future__ import annotations

import logging
import sys

from ..calls.redaction import RedactingFilter, Redactor

LEVELS = ("debug", "info", "warning", "error")


def configure_logging(level: str, redactor: Redactor) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries' debug logs carry request lines and headers; keep them out unless asked for by name.
    for noisy in ("httpx", "httpcore", "mcp", "uvicorn", "uvicorn.error", "anyio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)
