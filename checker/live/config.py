"""Settings of the Organization API client and validation of the org URL."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from checker.errors import UsageError
from checker.live.credentials import Credentials

DEFAULT_ORG_URL = "https://console.qlikcloud.com"

# Statuses retried with backoff. 500 is left out on purpose: it signals a server
# bug, so the read fails closed and the message keeps the traceId.
DEFAULT_RETRY_STATUSES = frozenset({429, 502, 503, 504})

# Qlik's documented budgets: Tier 1 (list, get, count) 1000 requests per minute,
# Tier 2 (actions/filter) 100 per minute, both evaluated over a 5-minute window.
TIER1_PER_MINUTE = 1000
TIER2_PER_MINUTE = 100
RATE_WINDOW_SECONDS = 300.0


def validate_org_url(url: str) -> str:
    """Return ``url`` normalized to ``scheme://host[:port]``, or raise ``UsageError``.

    The Organization API lives at the root of the console host, so a path
    other than ``/``, a query, a fragment or user info is rejected. The
    scheme is required: guessing ``https`` for ``127.0.0.1:8080`` would turn
    a simulator address into a failed TLS handshake. Plain ``http`` is
    accepted only for a loopback host (a local simulator), because the access
    token would otherwise cross the network in clear text.
    """
    text = url.strip()
    if "://" not in text:
        raise UsageError(
            f"invalid organization URL {url!r}: add the scheme, e.g. {DEFAULT_ORG_URL} "
            "or http://127.0.0.1:8080 for a local simulator"
        )
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"invalid organization URL {url!r}: {exc}") from None

    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise UsageError(
            f"invalid organization URL {url!r}: expected https://HOST",
            hint=f"use the console host, for example `{DEFAULT_ORG_URL}`",
        )
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            "invalid organization URL: it must not contain user info",
            hint="pass the OAuth client id and secret as credentials, not in the URL",
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        if parts.path not in ("", "/"):
            extra = f"the path {parts.path[:100]!r}"
        else:
            extra = "a query" if parts.query else "a fragment"
        raise UsageError(
            f"invalid organization URL {url!r}: it has {extra}, but the Organization "
            "API URL is scheme and host only (no path or query)",
            hint=f"use scheme and host only, for example `{DEFAULT_ORG_URL}`",
        )
    if scheme == "http" and not is_loopback(host):
        raise UsageError(
            f"plain-http organization URL {url!r} rejected: "
            "the access token would be sent unencrypted",
            hint="use `https://` (plain http is allowed only for a loopback host)",
        )

    netloc = host.lower() if ":" not in host else f"[{host.lower()}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, "", "", ""))


def is_loopback(host: str) -> bool:
    """Return whether ``host`` is ``localhost`` or a loopback IP address."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, kw_only=True)
class ClientConfig:
    """Everything ``OrgApiClient`` needs. Timeouts and waits are in seconds.

    TLS verification is always on, and no setting turns it off. ``ca_bundle``
    names a PEM file of CA certificates that replaces the default trust store
    (certifi). Without it, requests also honours ``REQUESTS_CA_BUNDLE``.
    """

    credentials: Credentials
    org_url: str = DEFAULT_ORG_URL
    ca_bundle: str | None = None
    # Overall deadline for one read, retries and rate-limit waits included.
    timeout: float = 300.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    # Maximum number of subscriptions read at the same time.
    concurrency: int = 8
    # Tenants per page, 1 to 100 (the API maximum).
    page_limit: int = 100
    # Retries per request for the statuses below and for connection errors.
    max_retries: int = 5
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    # Exponential backoff: backoff_factor * 2 ** (retry - 1), plus up to
    # backoff_jitter, capped at backoff_max.
    backoff_factor: float = 0.5
    backoff_jitter: float = 0.5
    backoff_max: float = 30.0
    # Maximum Retry-After honoured, and the wait used when a 429 carries none.
    retry_after_max: float = 120.0
    retry_after_default: float = 1.0
    tier1_per_minute: float = TIER1_PER_MINUTE
    tier2_per_minute: float = TIER2_PER_MINUTE
    rate_window_seconds: float = RATE_WINDOW_SECONDS
    # Renew the token this long before it expires (at most half its lifetime).
    token_skew: float = 60.0
    # Largest response body read, in bytes after content decoding. A page of
    # 100 tenants is about 100 KB.
    max_body_bytes: int = 16 * 1024 * 1024
    user_agent: str = field(default="qlik-drift")

    def __post_init__(self) -> None:
        object.__setattr__(self, "org_url", validate_org_url(self.org_url))
        self._check_positive("timeout", "connect_timeout", "read_timeout")
        self._check_positive(
            "tier1_per_minute", "tier2_per_minute", "rate_window_seconds"
        )
        self._check_not_negative(
            "backoff_factor",
            "backoff_jitter",
            "backoff_max",
            "retry_after_max",
            "retry_after_default",
            "token_skew",
        )
        if not 1 <= self.page_limit <= 100:
            raise UsageError(f"page limit {self.page_limit} out of range: use 1 to 100")
        if self.concurrency < 1:
            raise UsageError(f"concurrency {self.concurrency} invalid: use 1 or more")
        if self.max_body_bytes < 1:
            raise UsageError(
                f"max body bytes {self.max_body_bytes} invalid: use 1 or more"
            )
        if self.max_retries < 0:
            raise UsageError(f"max retries {self.max_retries} invalid: use 0 or more")
        if self.ca_bundle is not None and not os.path.isfile(self.ca_bundle):
            raise UsageError(
                f"CA bundle {self.ca_bundle} not found",
                hint="pass a PEM file with the CA certificates to trust",
            )
        object.__setattr__(self, "retry_statuses", frozenset(self.retry_statuses))

    def _check_positive(self, *names: str) -> None:
        for name in names:
            value = getattr(self, name)
            if not value > 0:
                label = name.replace("_", " ")
                raise UsageError(f"{label} {value} invalid: use a positive number")

    def _check_not_negative(self, *names: str) -> None:
        for name in names:
            value = getattr(self, name)
            if not value >= 0:
                label = name.replace("_", " ")
                raise UsageError(f"{label} {value} invalid: use 0 or more")

    @property
    def token_url(self) -> str:
        return f"{self.org_url}/oauth/token"
