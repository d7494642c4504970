"""Responses of the simulated API and the Qlik error envelope."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

RATE_LIMIT_TITLE = "API rate limit reached."


class JsonText(str):
    """A value of a payload that is already JSON text, sent as it is."""


def encode_payload(payload: Any) -> bytes:
    """Serialize a payload as ``json.dumps`` would, ``JsonText`` values verbatim.

    Only the values of a top-level object may be ``JsonText``: that is where a
    page puts its pre-serialized tenants.
    """
    if isinstance(payload, dict) and any(
        isinstance(value, JsonText) for value in payload.values()
    ):
        members = (
            f"{json.dumps(key)}: "
            f"{value if isinstance(value, JsonText) else json.dumps(value)}"
            for key, value in payload.items()
        )
        return ("{" + ", ".join(members) + "}").encode()
    return json.dumps(payload).encode()


@dataclass
class ApiResponse:
    """A response before it is written; ``payload`` is JSON-serializable."""

    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)


class ApiFailure(Exception):
    """Stop handling a request and send ``response``, an error envelope."""

    def __init__(self, response: ApiResponse) -> None:
        super().__init__(response.status)
        self.response = response


def new_trace_id() -> str:
    """Return a trace id shaped like Qlik's: 32 hexadecimal digits."""
    return secrets.token_hex(16)


def error_response(
    status: int,
    detail: str | None = None,
    *,
    parameter: str | None = None,
    pointer: str | None = None,
    headers: dict[str, str] | None = None,
) -> ApiResponse:
    """Build the Qlik error envelope: ``{"errors": [...], "traceId": ...}``.

    ``status`` inside the error object is a string, as the reference
    documents. ``parameter`` or ``pointer`` fill ``source`` to name the
    offending query parameter or JSON body field.
    """
    error: dict[str, Any] = {
        "code": f"HTTP-{status}",
        "title": HTTPStatus(status).phrase,
        "status": str(status),
    }
    if detail:
        error["detail"] = detail
    source = {}
    if pointer is not None:
        source["pointer"] = pointer
    if parameter is not None:
        source["parameter"] = parameter
    if source:
        error["source"] = source
    return ApiResponse(
        status, {"errors": [error], "traceId": new_trace_id()}, dict(headers or {})
    )


def rate_limited(retry_after: int) -> ApiResponse:
    """Build the documented 429 response; its error object has no ``status``."""
    error = {
        "code": "HTTP-429",
        "title": RATE_LIMIT_TITLE,
        "detail": f"You need to wait {retry_after} seconds until limit is lifted.",
    }
    return ApiResponse(
        429,
        {"errors": [error], "traceId": new_trace_id()},
        {"Retry-After": str(retry_after)},
    )


def fail(status: int, detail: str | None = None, **kwargs: Any) -> ApiFailure:
    """Return an ApiFailure carrying an error envelope, for ``raise fail(...)``."""
    return ApiFailure(error_response(status, detail, **kwargs))
