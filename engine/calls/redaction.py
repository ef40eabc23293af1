"""Secret hygiene by value: the configured token, and anything shaped like one, never leaves in text.

Applied to stderr logs, MCP log notifications, exception text and tool results. Header-name based
redaction is not enough: tokens leak through exception messages, echoed upstream bodies and URLs.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[REDACTED]"


class Redactor:
    def __init__(self, secrets: list[str] | None = None, token_prefix: str | None = None) -> None:
        self._secrets = sorted({s for s in (secrets or []) if len(s) >= 8}, key=len, reverse=True)
        # Anything shaped like this API's tokens (the prefix, then token characters), even unseen ones.
        self._shape = re.compile(re.escape(token_prefix) + r"[A-Za-z0-9_\-]+") if token_prefix else None

    def add_secret(self, secret: str) -> None:
        if len(secret) >= 8 and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        if self._shape is not None:
            value = self._shape.sub(REDACTED, value)
        return value

    def data(self, value: Any) -> Any:
        """A JSON-like value with every string (keys included) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value


class RedactingFilter(logging.Filter):
    """Redacts each record's final message (arguments merged in) and its exception text."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = self.redactor.text(message)
        record.args = None
        return True
