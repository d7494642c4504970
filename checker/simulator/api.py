"""Routing and request handling of the simulated Organization API.

This layer turns an ``ApiRequest`` into an ``ApiResponse`` and has no socket
code. ``checker.simulator.server`` adds HTTP and the transport faults.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from checker.simulator import auth
from checker.simulator.envelope import (
    ApiFailure,
    ApiResponse,
    JsonText,
    fail,
    rate_limited,
)
from checker.simulator.faults import FaultPlan
from checker.simulator.ratelimit import SlidingWindowLimiter
from checker.simulator.state import SimulatorState
from checker.simulator.tenants import (
    PageQuery,
    TenantCatalog,
    link,
    parse_page_query,
    tenant_view,
)

logger = logging.getLogger(__name__)

TENANTS = "/api/core/tenants"
TIERS = {"list": "tier1", "get": "tier1", "count": "tier1", "filter": "tier2"}
_METHODS = {
    "token": "POST",
    "list": "GET",
    "get": "GET",
    "count": "GET",
    "filter": "POST",
}
_TENANT_PATH = re.compile(r"^/api/core/tenants/([^/]+)$")


@dataclass
class ApiRequest:
    """One HTTP request; header names are lower case.

    ``base_url`` is the scheme and host the client used, for links.
    """

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = "http://127.0.0.1"


def route(path: str) -> tuple[str, str | None]:
    """Return (endpoint name, tenant id) for a path; the name is "other" if unknown."""
    if path == "/oauth/token":
        return "token", None
    if path == TENANTS:
        return "list", None
    if path == f"{TENANTS}/actions/count":
        return "count", None
    if path == f"{TENANTS}/actions/filter":
        return "filter", None
    match = _TENANT_PATH.match(path)
    if match and match.group(1) != "actions":
        return "get", unquote(match.group(1))
    return "other", None


class OrgApi:
    """The simulated API for one state and fault plan; thread-safe."""

    def __init__(
        self,
        state: SimulatorState,
        plan: FaultPlan,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.plan = plan
        self.catalog = TenantCatalog(state, plan)
        self.tokens = auth.TokenStore(clock)
        self.clients = auth.ClientRegistry(state.clients, plan)
        self._limiter = SlidingWindowLimiter(plan.rate_limits, monotonic)

    def handle(self, request: ApiRequest, *, cursor_loop: bool = False) -> ApiResponse:
        """Return the response to a request, an error envelope for every API error.

        ``cursor_loop`` makes the next link of a page lead back to that page.
        """
        endpoint, tenant_id = route(request.path)
        try:
            if endpoint == "other":
                raise fail(404, f"no route for {request.path}")
            if request.method != _METHODS[endpoint]:
                raise fail(
                    405,
                    f"use {_METHODS[endpoint]} for {request.path}",
                    headers={"Allow": _METHODS[endpoint]},
                )
            if endpoint == "token":
                values = auth.read_token_request(
                    request.headers.get("content-type", ""), request.body
                )
                return auth.token_response(values, self.clients, self.tokens, self.plan)
            self._admit(request, TIERS[endpoint])
            return self._tenant_endpoint(request, endpoint, tenant_id, cursor_loop)
        except ApiFailure as failure:
            if failure.response.status >= 500:
                logger.warning(
                    "%s %s failed with %s",
                    request.method,
                    request.path,
                    failure.response.status,
                )
            return failure.response

    def _admit(self, request: ApiRequest, tier: str) -> None:
        token, client_id = auth.bearer_client(
            request.headers.get("authorization"), self.clients, self.tokens
        )
        retry_after = self._limiter.acquire(token, tier)
        if retry_after is not None:
            raise ApiFailure(rate_limited(retry_after))
        if not self.clients.has_permission(client_id):
            raise fail(403, "client lacks organization permission")

    def _tenant_endpoint(
        self,
        request: ApiRequest,
        endpoint: str,
        tenant_id: str | None,
        cursor_loop: bool,
    ) -> ApiResponse:
        if endpoint == "get":
            assert tenant_id is not None
            return self._get(request, tenant_id)
        if endpoint == "count":
            text = _first(request.query, "filter")
            node = self.catalog.parse_filter(text, require_subscription=True)
            return ApiResponse(200, {"total": self.catalog.count(node)})
        if endpoint == "filter":
            return self._list(
                request,
                _body_filter(request.body),
                "/tenants/actions/filter",
                cursor_loop=cursor_loop,
                filter_in_links=False,
            )
        return self._list(
            request,
            _first(request.query, "filter"),
            "/tenants",
            cursor_loop=cursor_loop,
            filter_in_links=True,
        )

    def link_base(self, request: ApiRequest) -> str:
        """Return the prefix of links: this server's ``/api/core`` or the quirk's."""
        return self.link_base_for(request.base_url)

    def link_base_for(self, base_url: str) -> str:
        """Return the prefix of links for requests to ``base_url``."""
        return self.plan.quirks.link_prefix or f"{base_url}/api/core"

    def _get(self, request: ApiRequest, tenant_id: str) -> ApiResponse:
        tenant = self.catalog.get(tenant_id)
        if tenant is None:
            raise fail(404, f"tenant {tenant_id} not found")
        view = tenant_view(tenant, self.link_base(request))
        if self.plan.quirks.bare_tenant:
            return ApiResponse(200, view)
        return ApiResponse(
            200, {"data": [view], "links": {"self": view["links"]["self"]}}
        )

    def _list(
        self,
        request: ApiRequest,
        filter_text: str | None,
        route_suffix: str,
        *,
        cursor_loop: bool,
        filter_in_links: bool,
    ) -> ApiResponse:
        query = parse_page_query(request.query)
        node = self.catalog.parse_filter(filter_text, require_subscription=False)
        items = self.catalog.matching(node, query.sort)
        start, end = self.catalog.page(items, query)
        base = self.link_base(request)

        params = _link_params(query, filter_text if filter_in_links else None)
        links = {"self": link(base, route_suffix, params + _cursor_param(query))}
        next_cursor = items[end].object_id if end < len(items) and query.limit else None
        if cursor_loop:
            # Lead back to this same page: its own cursor, or its first item's.
            next_cursor = (
                query.cursor
                if query.cursor and not query.backwards
                else (items[start].object_id if start < len(items) else None)
            )
        if next_cursor:
            name = "offset" if self.plan.quirks.offset_cursor else "next"
            links["next"] = link(base, route_suffix, [*params, (name, next_cursor)])
        if start > 0:
            links["prev"] = link(
                base, route_suffix, [*params, ("prev", items[start].object_id)]
            )

        payload: dict[str, Any] = {
            "data": JsonText(
                "["
                + ", ".join(self.catalog.view_json(r, base) for r in items[start:end])
                + "]"
            ),
            "links": links,
        }
        if query.total:
            total = len(items)
            payload["totalResults"] = (
                str(total) if self.plan.quirks.total_results_as_string else total
            )
        return ApiResponse(200, payload)


def _first(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _body_filter(body: bytes) -> str:
    try:
        values = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise fail(400, f"request body is not valid JSON: {error}") from error
    if not isinstance(values, dict):
        raise fail(400, 'request body must be a JSON object like {"filter": "..."}')
    text = values.get("filter")
    if not isinstance(text, str):
        raise fail(
            400,
            "filter is required in the request body and must be a string",
            pointer="/filter",
        )
    return text


def _link_params(query: PageQuery, filter_text: str | None) -> list[tuple[str, str]]:
    params = []
    if filter_text is not None:
        params.append(("filter", filter_text))
    if query.sort_text is not None:
        params.append(("sort", query.sort_text))
    params.append(("limit", str(query.limit)))
    if query.total_text is not None:
        params.append(("totalResults", query.total_text))
    return params


def _cursor_param(query: PageQuery) -> list[tuple[str, str]]:
    if query.cursor is None:
        return []
    return [("prev" if query.backwards else "next", query.cursor)]
