"""Turn Organization API responses and transport failures into readable errors,
and check the shape of response bodies."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from checker.errors import (
    ApiError,
    AuthError,
    IncompleteReadError,
    PermissionDeniedError,
    RateLimitError,
)
from checker.live.failures import ORG_URL_HINT, is_refused, is_unresolved
from checker.live.shapes import (
    JsonNestingError,
    describe,
    loads_json,
    tenant_problem,
)

Redact = Callable[[str], str]

NO_ORG_PERMISSION = (
    "the OAuth client lacks organization permission; create it in the Cloud Console "
    "(console.qlikcloud.com/admin/oauth)"
)

CHANGED_HINT = "the organization may have changed during the read: run the check again"

# Maximum length of server-provided text quoted in a message.
_MAX_DETAIL = 300

# A count is at most 15 ASCII digits: far above any organization, and small
# enough that no string reaches Python's limit on integer conversion.
_MAX_COUNT_DIGITS = 15
_COUNT_TEXT = re.compile(rf"[0-9]{{1,{_MAX_COUNT_DIGITS}}}")


def _keep(text: str) -> str:
    return text


@dataclass(frozen=True)
class Page:
    """One page of a tenant listing."""

    tenants: list[dict[str, Any]]
    next_href: str | None
    total_results: int | None
    # A top-level traceId, should the API send one with a listing.
    trace_id: str | None = None


def error_from_response(
    response: requests.Response, action: str, redact: Redact = _keep
) -> ApiError:
    """Build the error for a failed response while doing ``action``.

    The message names the request, the HTTP status and the Qlik error
    envelope's titles and details, and keeps its ``traceId``.
    """
    status = response.status_code
    detail, trace_id = _envelope_detail(response)
    detail = redact(detail)[:_MAX_DETAIL]
    reason = f"HTTP {status}" + (f": {detail}" if detail else "")
    message = f"{action} failed with {reason}"

    if status == 401:
        return AuthError(
            f"{action} failed: the Organization API rejected a new access token",
            hint="check that the OAuth client is an organization client, not revoked",
            status=status,
            trace_id=trace_id,
        )
    if status == 403:
        return PermissionDeniedError(
            NO_ORG_PERMISSION, status=status, trace_id=trace_id
        )
    if status == 429:
        return RateLimitError(
            f"{action} was still rate limited after the allowed retries: {reason}",
            hint="lower the concurrency or the client rate budget, or run again later",
            status=status,
            trace_id=trace_id,
        )
    if 300 <= status < 400:
        location = redact(response.headers.get("Location", "(no Location header)"))
        return ApiError(
            f"{action} was redirected to {location[:_MAX_DETAIL]}: redirects are not "
            "followed, so that the access token stays on the organization host",
            hint="check the organization URL (for example https://console.qlikcloud.com)",
            status=status,
        )
    if status >= 500:
        return ApiError(
            message,
            hint="the Organization API failed: run again later, and quote the traceId "
            "to Qlik support if it persists",
            status=status,
            trace_id=trace_id,
        )
    return ApiError(message, status=status, trace_id=trace_id)


def _envelope_detail(response: requests.Response) -> tuple[str, str | None]:
    """Return the readable part of a Qlik error envelope and its traceId."""
    try:
        body = loads_json(response.content)
    except ValueError:
        return response.reason or "", None
    if not isinstance(body, dict):
        return response.reason or "", None

    trace_id = body.get("traceId")
    parts = []
    errors = body.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        title = str(error.get("title") or "").strip()
        code = str(error.get("code") or "").strip()
        detail = str(error.get("detail") or "").strip()
        text = title + (f" ({code})" if code else "")
        if detail and detail != title:
            text = f"{text}: {detail}" if text else detail
        if text:
            parts.append(text)
    text = "; ".join(parts) or str(body.get("message") or response.reason or "")
    return text, trace_id if isinstance(trace_id, str) and trace_id else None


def transport_error(
    exc: requests.RequestException, action: str, *, never_reached: str | None = None
) -> ApiError:
    """Build the error for a request that got no usable response.

    ``never_reached`` is the org URL when no request of the read ever got a
    response: a refused connection then means that nothing listens there,
    and a host name that does not resolve means a wrong URL.
    """
    url = exc.request.url if exc.request is not None else None
    if isinstance(url, bytes):
        url = url.decode("utf-8", errors="replace")
    host = urlsplit(url).netloc if url else "the server"
    if isinstance(exc, requests.exceptions.SSLError):
        if "CERTIFICATE_VERIFY_FAILED" not in str(exc):
            return ApiError(f"{action} failed: the TLS handshake with {host} failed")
        return ApiError(
            f"{action} failed: TLS certificate verification failed for {host}",
            hint="if a proxy or private CA signs the certificate, pass its CA bundle "
            "(PEM file) as the CA bundle setting",
        )
    if _timed_out(exc):
        return ApiError(
            f"{action} timed out waiting for {host}",
            hint="check the network, or raise the connect or read timeout",
        )
    if never_reached is not None and is_refused(_retry_reason(exc)):
        return ApiError(
            f"{action} failed: the connection to {never_reached} was refused, "
            "so nothing is listening at that address",
            hint=ORG_URL_HINT,
        )
    if never_reached is not None and is_unresolved(_retry_reason(exc)):
        name = urlsplit(never_reached).hostname or never_reached
        return ApiError(
            f"{action} failed: host name {name} not found (it does not resolve "
            "to an address)",
            hint=ORG_URL_HINT,
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        return ApiError(
            f"{action} failed: could not connect to {host} "
            f"({_root_cause_name(exc)}), retries exhausted",
            hint="check the organization URL, the network and any proxy settings",
        )
    return ApiError(f"{action} failed: {type(exc).__name__}")


def _timed_out(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    # requests reports read timeouts that used up urllib3's retries as a
    # ConnectionError wrapping MaxRetryError(reason=ReadTimeoutError).
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.TimeoutError) and not isinstance(
        reason, urllib3.exceptions.NewConnectionError
    )


def _retry_reason(exc: requests.RequestException) -> BaseException:
    """Return the error inside the ``MaxRetryError`` that requests wraps, if any."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return reason if isinstance(reason, BaseException) else exc


def _root_cause_name(exc: BaseException) -> str:
    seen = 0
    while exc.__context__ is not None and seen < 10:
        exc = exc.__context__
        seen += 1
    return type(exc).__name__


def parse_json_body(response: requests.Response, action: str) -> Any:
    """Return the decoded JSON body, or raise ``IncompleteReadError``."""
    content_type = response.headers.get("Content-Type", "")
    try:
        return loads_json(response.content)
    except ValueError as exc:
        if isinstance(exc, JsonNestingError):
            shape = "JSON nested too deeply to read"
        elif "json" not in content_type.lower():
            shape = (
                f"a body that is not JSON (content type {content_type or 'missing'})"
            )
        else:
            position = getattr(exc, "pos", None)
            shape = "invalid JSON" + (
                f", truncated or damaged at character {position}"
                if position is not None
                else ""
            )
        raise IncompleteReadError(
            f"{action}: HTTP {response.status_code} response carried {shape}",
            hint="a proxy or the API sent a broken response: run again, and check "
            "the organization URL if it persists",
            status=response.status_code,
        ) from None


def parse_page(body: Any, action: str) -> Page:
    """Check a list envelope ``{data: [...], links: {next: {href}}, totalResults}``."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _malformed(action, "it has no 'data' list")
    tenants = body["data"]
    for index, tenant in enumerate(tenants):
        check_tenant(tenant, action, f"data[{index}]")

    links = body.get("links")
    next_link = links.get("next") if isinstance(links, dict) else None
    next_href = next_link.get("href") if isinstance(next_link, dict) else None
    if next_href is not None and not isinstance(next_href, str):
        raise _malformed(action, "links.next.href is not a string")

    total = body.get("totalResults")
    trace_id = body.get("traceId")
    return Page(
        tenants,
        next_href or None,
        parse_count(total, action, "totalResults"),
        trace_id[:100] if isinstance(trace_id, str) and trace_id else None,
    )


def check_tenant(tenant: Any, action: str, where: str) -> None:
    """Raise ``IncompleteReadError`` when a tenant object is malformed.

    The rules are in ``checker.live.shapes.tenant_problem``. A malformed
    tenant fails the read instead of showing up as drift.
    """
    problem = tenant_problem(tenant)
    if problem is not None:
        raise IncompleteReadError(
            f"{action}: malformed response, {problem} at {where}",
            hint="the API sent a tenant that qlik-drift cannot compare: run again, "
            "and report it to Qlik support with the tenant id if it persists",
        )


def parse_count(value: Any, action: str, field: str) -> int | None:
    """Return an integer count sent as a number or a string of ASCII digits."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < 10**_MAX_COUNT_DIGITS:
            return value
    elif isinstance(value, str) and _COUNT_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    # Only a string is quoted: str() of a huge integer raises ValueError.
    quoted = repr(value[:40]) if isinstance(value, str) else describe(value)
    raise _malformed(
        action,
        f"{field} is not a count of at most {_MAX_COUNT_DIGITS} digits: {quoted}",
    )


def _malformed(action: str, problem: str) -> IncompleteReadError:
    return IncompleteReadError(
        f"{action}: malformed response envelope, {problem}",
        hint="run again, and check the organization URL if it persists",
    )
