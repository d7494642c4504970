"""Readable causes and next steps for failed attempts, shared by the retry log,
the timeout error and the final transport error."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import urllib3

ORG_URL_HINT = (
    "check --org-url or QLIK_ORG_URL: for example https://console.qlikcloud.com, "
    "or the URL that `qlik-drift simulate` prints for a local simulator"
)
NETWORK_HINT = "check the network and any proxy settings, then run again"
SERVER_HINT = (
    "the Organization API failed: run again later, and quote the traceId "
    "to Qlik support if it persists"
)
RATE_LIMIT_HINT = (
    "lower the concurrency or the client rate budget, or run again later"
)
SLOW_READ_HINT = (
    "raise the timeout, or use the subscriptions scope for a large organization"
)


@dataclass(frozen=True)
class Failure:
    """One failed attempt: what went wrong (``cause``) and the next step (``hint``)."""

    cause: str
    hint: str


def is_refused(error: BaseException | None) -> bool:
    """Return whether ``error`` or an exception it wraps is a refused connection."""
    return _wraps(error, (ConnectionRefusedError,))


def is_unresolved(error: BaseException | None) -> bool:
    """Return whether ``error`` or an exception it wraps is a host name that
    did not resolve."""
    return _wraps(error, (urllib3.exceptions.NameResolutionError, socket.gaierror))


def _wraps(
    error: BaseException | None, kinds: tuple[type[BaseException], ...]
) -> bool:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, kinds):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def attempt_failure(status: int | None, error: BaseException | None) -> Failure:
    """Describe a failed attempt from its HTTP status or its exception."""
    if status:
        if status == 429:
            return Failure("HTTP 429", RATE_LIMIT_HINT)
        if status >= 500:
            return Failure(f"HTTP {status}", SERVER_HINT)
        return Failure(f"HTTP {status}", SLOW_READ_HINT)
    if is_refused(error):
        return Failure(
            "connection refused",
            "check that the server is running and accepts connections, and "
            + ORG_URL_HINT,
        )
    if is_unresolved(error):
        return Failure("host name not resolved", ORG_URL_HINT)
    if isinstance(error, urllib3.exceptions.ConnectTimeoutError) and not isinstance(
        error, urllib3.exceptions.NewConnectionError
    ):
        return Failure("connect timeout", NETWORK_HINT)
    if isinstance(error, urllib3.exceptions.ReadTimeoutError):
        return Failure("read timeout", NETWORK_HINT)
    if isinstance(error, urllib3.exceptions.ProtocolError):
        return Failure("connection broke off", NETWORK_HINT)
    if error is not None:
        return Failure(f"connection error ({type(error).__name__})", NETWORK_HINT)
    return Failure("an error", SLOW_READ_HINT)


BROKEN_BODY = Failure("the connection broke off mid-response", NETWORK_HINT)
