"""The API's error envelope and the exception that carries it out of a handler."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

# HTTP status -> envelope code, as listed in the contract's error table.
CODE_FOR_STATUS: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    402: "forbidden_plan",
    403: "forbidden_scope",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "rate_limited",
    500: "internal",
    502: "bad_gateway",
    503: "unavailable",
    504: "gateway_timeout",
}


class ApiError(Exception):
    """An API failure; the dispatcher turns it into the error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        extra: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODE_FOR_STATUS.get(status, "internal" if status >= 500 else "bad_request")
        self.message = message
        self.fields = fields
        self.extra = extra or {}
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = dict(self.fields)
        error.update(self.extra)
        return {"error": error}

    def to_response(self) -> Response:
        return json_response(self.status, self.envelope(), self.headers)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def not_found(kind: str) -> ApiError:
    return ApiError(404, f"no such {kind}, or it is not visible to this token")


def conflict(message: str) -> ApiError:
    return ApiError(409, message)


def invalid(fields: dict[str, str], message: str | None = None) -> ApiError:
    if message is None:
        names = ", ".join(sorted(fields))
        message = f"invalid input: {names}"
    return ApiError(422, message, fields=fields)
