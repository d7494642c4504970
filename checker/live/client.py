"""A client for the tenant endpoints of the Qlik Cloud Organization API."""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests
from requests.auth import AuthBase
from requests.utils import get_environ_proxies

from checker.errors import IncompleteReadError
from checker.live.auth import OrgTokenAuth
from checker.live.body import read_body
from checker.live.config import ClientConfig, is_loopback
from checker.live.failures import BROKEN_BODY
from checker.live.responses import (
    CHANGED_HINT,
    Page,
    check_tenant,
    error_from_response,
    parse_count,
    parse_json_body,
    parse_page,
    transport_error,
)
from checker.live.transport import Deadline, OrgAdapter, OrgRetry, RateLimiter

logger = logging.getLogger(__name__)

TENANTS_PATH = "/api/core/tenants"
COUNT_PATH = "/api/core/tenants/actions/count"

# Backstop against a server that never ends a listing with fresh cursors.
# The overall deadline (ClientConfig.timeout) usually stops such a loop first.
MAX_PAGES = 1_000_000

CURSOR_LOOP_HINT = (
    "the API returned a page or cursor it had returned before, so the listing "
    "would never end: run the check again, and if it persists report it to "
    "Qlik support, quoting the traceId if the message shows one"
)

# Cursor parameter names seen in Qlik next links: ``next`` in the reference,
# ``offset`` in the get-started guide.
_CURSOR_PARAMS = ("next", "offset")

Params = list[tuple[str, str]]


class _NoAuth(AuthBase):
    """Sends a request without credentials, so requests does not add .netrc ones."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_NO_AUTH = _NoAuth()


def _environment_proxies(url: str) -> dict[str, str]:
    """Return the proxies the environment sets for ``url``: none for a host in
    ``NO_PROXY``, and none for a loopback host whatever the variables contain."""
    if is_loopback(urlsplit(url).hostname or ""):
        return {}
    return dict(get_environ_proxies(url))


def _environment_ca_bundle() -> str | None:
    """Return the CA bundle that requests takes from the environment, if any."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")


def subscription_filter(subscription_id: str) -> str:
    """Return the SCIM filter ``subscriptionId eq "<id>"``, quotes escaped."""
    escaped = subscription_id.replace("\\", "\\\\").replace('"', '\\"')
    return f'subscriptionId eq "{escaped}"'


class OrgApiClient(AbstractContextManager["OrgApiClient"]):
    """Reads tenants from the Organization API with one ``requests.Session``.

    Every request carries connect and read timeouts, takes a slot from a rate
    limiter shared by all threads, and is retried with backoff for the
    configured statuses and for connection errors. Public methods raise an
    ``ApiError`` subclass for anything that could not be read completely.
    Methods may be called from several threads at once.
    """

    def __init__(self, config: ClientConfig) -> None:
        self._config = config
        self.deadline = Deadline(config.timeout)
        # Set once the server sent any response; see OrgRetry.
        self._reached = threading.Event()
        self._limiter = RateLimiter(
            {1: config.tier1_per_minute, 2: config.tier2_per_minute},
            config.rate_window_seconds,
        )
        self._session = requests.Session()
        self._session.headers["User-Agent"] = config.user_agent
        self._session.headers["Accept"] = "application/json"
        self._headers = dict(self._session.headers)
        adapter = OrgAdapter(
            limiter=self._limiter,
            deadline=self.deadline,
            retry=self._retry_policy(),
            pool_maxsize=config.concurrency,
        )
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        # requests would read the proxy and CA variables of the environment
        # again on every request, which costs more CPU than parsing a page.
        # Every request goes to the org URL's host, so they are read here once.
        self._session.trust_env = False
        self._session.proxies = _environment_proxies(config.org_url)
        self._verify: bool | str = config.ca_bundle or _environment_ca_bundle() or True
        self._timeout = (config.connect_timeout, config.read_timeout)
        self.auth = OrgTokenAuth(
            config.token_url,
            config.credentials,
            self._post_token,
            skew=config.token_skew,
        )

    def _retry_policy(self) -> OrgRetry:
        config = self._config
        retries = config.max_retries
        return OrgRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=0,
            # POST is retried too: the token grant changes nothing on the server.
            allowed_methods=frozenset({"GET", "POST"}),
            status_forcelist=config.retry_statuses,
            backoff_factor=config.backoff_factor,
            backoff_jitter=config.backoff_jitter,
            backoff_max=config.backoff_max,
            raise_on_status=False,
            raise_on_redirect=False,
            respect_retry_after_header=True,
            limiter=self._limiter,
            deadline=self.deadline,
            retry_after_default=config.retry_after_default,
            retry_after_cap=config.retry_after_max,
            reached=self._reached,
        )

    @property
    def config(self) -> ClientConfig:
        return self._config

    def __repr__(self) -> str:
        return f"OrgApiClient(org_url={self._config.org_url!r})"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("OrgApiClient cannot be pickled: it contains credentials")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    # Public reads

    def iter_tenants(
        self, filter: str | None = None, *, total: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Yield every tenant matching the SCIM ``filter``, following ``links.next``.

        With ``total``, the request includes ``totalResults=true`` and the listing
        raises ``IncompleteReadError`` when the count of tenants differs.
        """
        for page in self.iter_pages(filter, total=total):
            yield from page.tenants

    def iter_pages(
        self, filter: str | None = None, *, total: bool = False
    ) -> Iterator[Page]:
        """Yield the pages of a tenant listing; see ``iter_tenants``."""
        action = (
            f"listing tenants with filter {filter}" if filter else "listing all tenants"
        )
        params: Params = [("limit", str(self._config.page_limit))]
        if filter:
            params.append(("filter", filter))
        if total:
            params.append(("totalResults", "true"))

        with self.deadline.scope():
            yield from self._follow_pages(TENANTS_PATH, params, action)

    def count(self, filter: str) -> int:
        """Return the number of tenants matching ``filter``, which must name a
        subscription (``subscriptionId eq "..."``)."""
        action = f"counting tenants with filter {filter}"
        with self.deadline.scope():
            body = self._get_json(COUNT_PATH, [("filter", filter)], action)
        total = body.get("total") if isinstance(body, dict) else None
        if total is None:
            raise IncompleteReadError(f"{action}: the response has no 'total' count")
        count = parse_count(total, action, "total")
        assert count is not None  # None was handled above
        return count

    def get_tenant(self, tenant_id: str) -> dict[str, Any] | None:
        """Return one tenant, or ``None`` when the API responds with 404.

        Accepts the documented list envelope ``{"data": [tenant]}`` and a bare
        tenant object.
        """
        action = f"reading tenant {tenant_id}"
        path = f"{TENANTS_PATH}/{quote(tenant_id, safe='')}"
        with self.deadline.scope():
            body = self._get_json(path, [], action, not_found_ok=True)
        if body is None:
            return None
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            items = parse_page(body, action).tenants
            if len(items) > 1:
                raise IncompleteReadError(
                    f"{action}: the API returned {len(items)} tenants"
                )
            return items[0] if items else None
        if isinstance(body, dict) and "id" in body:
            check_tenant(body, action, "the response body")
            return body
        raise IncompleteReadError(f"{action}: malformed response, no tenant object")

    def check_access(self) -> None:
        """Read one tenant without a filter: raises ``PermissionDeniedError``
        when the client lacks organization permission."""
        with self.deadline.scope():
            self._get_json(TENANTS_PATH, [("limit", "1")], "listing tenants")

    # Paging and requests

    def _follow_pages(self, path: str, params: Params, action: str) -> Iterator[Page]:
        seen_cursors = {_cursor_key(path, params)}
        seen_ids: set[str] = set()
        # The tenant ids of each page, to tell a page served again from a
        # tenant that moved in the sort order while the pages were read.
        seen_pages: dict[tuple[str, ...], int] = {}
        expected_total: int | None = None
        listed = 0
        for number in range(1, MAX_PAGES + 1):
            page_action = f"{action} (page {number})"
            page = parse_page(self._get_json(path, params, page_action), page_action)
            page_ids = tuple(tenant["id"] for tenant in page.tenants)
            _check_repeats(page_action, page, page_ids, seen_ids, seen_pages)
            seen_ids.update(page_ids)
            seen_pages.setdefault(page_ids, number)
            listed += len(page.tenants)
            if number == 1:
                expected_total = page.total_results
            yield page

            if page.next_href is None:
                _check_total(action, listed, expected_total)
                return
            path, params = self._next_request(page.next_href, page_action)
            key = _cursor_key(path, params)
            if key in seen_cursors:
                raise IncompleteReadError(
                    f"{page_action}: the next link repeats an earlier cursor "
                    f"(cursor loop), so the listing cannot be completed",
                    hint=CURSOR_LOOP_HINT,
                    trace_id=page.trace_id,
                )
            seen_cursors.add(key)
        raise IncompleteReadError(f"{action}: stopped after {MAX_PAGES} pages")

    def _next_request(self, href: str, action: str) -> tuple[str, Params]:
        """Re-target a next link at the configured org URL.

        Only the path and query are used: Qlik's examples show next links on
        other hosts and without the ``/api`` prefix, and the access token must
        never go to any host but the organization URL.
        """
        parts = urlsplit(href)
        path = parts.path
        if path.startswith("/core/"):
            path = "/api" + path
        if path != TENANTS_PATH:
            raise IncompleteReadError(
                f"{action}: unexpected next link path {path[:100]!r}",
                hint="report it to Qlik support: a tenant listing must page on "
                f"{TENANTS_PATH}",
            )
        org_host = urlsplit(self._config.org_url).netloc
        if parts.netloc and parts.netloc.lower() != org_host:
            logger.debug(
                "next link names host %s, sending its path to %s",
                parts.netloc,
                org_host,
            )
        return path, parse_qsl(parts.query, keep_blank_values=True)

    def _get_json(
        self, path: str, params: Params, action: str, *, not_found_ok: bool = False
    ) -> Any:
        url = self._config.org_url + path
        response = self._send("GET", url, action, params=params, auth=self.auth)
        if not_found_ok and response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_from_response(response, action, self.auth.redact)
        return parse_json_body(response, action)

    def _post_token(self, url: str, body: dict[str, str]) -> requests.Response:
        return self._send("POST", url, "requesting an access token", json=body)

    def _send(
        self,
        method: str,
        url: str,
        action: str,
        *,
        params: Params | None = None,
        json: dict[str, str] | None = None,
        auth: AuthBase = _NO_AUTH,
    ) -> requests.Response:
        """Send one request and read its body; retry when the body breaks off.

        urllib3's ``Retry`` covers failures up to the response headers only.
        The body is streamed, so the overall deadline and the body size limit
        apply while it arrives. Redirects are never followed, so the token
        cannot reach another host.
        """
        attempts = self._config.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                response = self._session.send(
                    self._prepare(method, url, params, json, auth),
                    timeout=self._timeout,
                    verify=self._verify,
                    proxies=self._session.proxies,
                    allow_redirects=False,
                    stream=True,
                )
                read_body(response, self.deadline, self._config.max_body_bytes, action)
                return response
            except requests.exceptions.ChunkedEncodingError as exc:
                if attempt == attempts:
                    raise IncompleteReadError(
                        f"{action}: the connection broke off mid-response "
                        f"{attempts} times",
                        hint="check the network or proxy, then run again",
                    ) from exc
                delay = self._body_retry_delay(attempt)
                logger.warning(
                    "retrying %s %s in %.1f s: the connection broke off mid-response",
                    method,
                    urlsplit(url).path,
                    delay,
                )
                self.deadline.last_failure = BROKEN_BODY
                self.deadline.sleep(
                    delay, "a retry after a broken response", BROKEN_BODY
                )
            except requests.RequestException as exc:
                never_reached = None if self._reached.is_set() else self._config.org_url
                raise transport_error(exc, action, never_reached=never_reached) from exc
        raise AssertionError("unreachable: the loop returns or raises")

    def _prepare(
        self,
        method: str,
        url: str,
        params: Params | None,
        json: dict[str, str] | None,
        auth: AuthBase,
    ) -> requests.PreparedRequest:
        """Build a request from the session's headers and nothing else.

        ``Session.request`` would merge the session's settings into every
        request through checks that cost more CPU than the rest of the send.
        The session carries no hooks or parameters to merge, and the
        environment was read once in ``__init__``. Unlike ``Session.request``,
        this sends no cookies: the session stores those the server sets, but
        the API authenticates by bearer token only.
        """
        if params:
            url = f"{url}?{urlencode(params)}"
        request = requests.Request(
            method, url, headers=self._headers, json=json, auth=auth
        )
        return request.prepare()

    def _body_retry_delay(self, attempt: int) -> float:
        config = self._config
        backoff = min(config.backoff_max, config.backoff_factor * 2.0 ** (attempt - 1))
        return float(backoff + config.backoff_jitter * random.random())


def _cursor_key(path: str, params: Params) -> str:
    """Return action identifies a page: its cursor, whichever parameter carries it."""
    for name, value in params:
        if name in _CURSOR_PARAMS:
            return f"cursor {value}"
    return path + "?" + "&".join(f"{name}={value}" for name, value in sorted(params))


def _check_repeats(
    action: str,
    page: Page,
    page_ids: tuple[str, ...],
    seen_ids: set[str],
    seen_pages: dict[tuple[str, ...], int],
) -> None:
    """Raise when a page repeats tenants of earlier pages.

    The same page served again is a cursor loop. A few repeated tenants
    mean that the organization changed between two pages.
    """
    earlier = seen_pages.get(page_ids) if page_ids else None
    if earlier is not None:
        raise IncompleteReadError(
            f"{action}: the API returned page {earlier} again (cursor loop), "
            "so the listing cannot be completed",
            hint=CURSOR_LOOP_HINT,
            trace_id=page.trace_id,
        )
    for tenant_id in page_ids:
        if tenant_id in seen_ids:
            raise IncompleteReadError(
                f"{action}: tenant {tenant_id} was returned twice",
                hint=CHANGED_HINT,
            )


def _check_total(action: str, listed: int, expected: int | None) -> None:
    if expected is None or listed == expected:
        return
    raise IncompleteReadError(
        f"{action}: the API reported {expected} tenants (totalResults) but the pages "
        f"contained {listed}",
        hint=CHANGED_HINT,
    )
