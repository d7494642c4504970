"""Response shapes the simulator never sends: malformed envelopes, odd next
links and error bodies. A small loopback server sends each one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from live_helpers import (
    LoopbackServer,
    api_tenant,
    credentials_for_tests,
    json_response,
    loopback_server,
    token_payload,
)

from checker.errors import ApiError, IncompleteReadError
from checker.live import ClientConfig, OrgApiClient

Respond = Callable[[str, str, LoopbackServer], tuple[int, dict[str, str], bytes]]


def serving(listing: Callable[[str], tuple[int, dict[str, str], bytes]]) -> Respond:
    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        if path == "/oauth/token":
            return json_response(200, token_payload())
        return listing(path)

    return respond


def list_all(server: LoopbackServer, **changes: Any) -> list[dict[str, Any]]:
    config = ClientConfig(
        org_url=server.url, credentials=credentials_for_tests(), **changes
    )
    with OrgApiClient(config) as client:
        return list(client.iter_tenants(total=True))


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"items": []}, "it has no 'data' list"),
        ({"data": "tenants"}, "it has no 'data' list"),
        (["a", "list"], "it has no 'data' list"),
        ({"data": [], "totalResults": "many"}, "totalResults is not a count"),
        ({"data": [], "totalResults": "\u00b2"}, "totalResults is not a count"),
        ({"data": [], "totalResults": "7" * 5000}, "at most 15 digits"),
        ({"data": [], "totalResults": 10**20}, "totalResults is not a count"),
        ({"data": [], "totalResults": -1}, "totalResults is not a count"),
        (
            {"data": [], "links": {"next": {"href": 42}}},
            "links.next.href is not a string",
        ),
    ],
    ids=[
        "no-data",
        "data-string",
        "array",
        "total-word",
        "total-superscript",
        "total-5000-digits",
        "total-huge",
        "total-negative",
        "href",
    ],
)
def test_malformed_envelope(body: Any, problem: str) -> None:
    with loopback_server(serving(lambda path: json_response(200, body))) as server:
        with pytest.raises(IncompleteReadError) as caught:
            list_all(server)

    assert "listing all tenants (page 1): malformed response envelope" in str(
        caught.value
    )
    assert problem in str(caught.value)


def with_field(field: str, value: Any) -> dict[str, Any]:
    tenant = api_tenant("t2")
    tenant[field] = value
    return tenant


def without_field(field: str) -> dict[str, Any]:
    tenant = api_tenant("t2")
    del tenant[field]
    return tenant


@pytest.mark.parametrize(
    ("tenant", "problem"),
    [
        (7, "a tenant is a number, expected an object"),
        ({"name": "no id"}, "a tenant has no 'id'"),
        (with_field("id", ""), "a tenant has an invalid 'id': an empty string"),
        (
            with_field("hostnames", "t2.eu.qlikcloud.com"),
            "tenant t2 has an invalid 'hostnames': a string",
        ),
        (with_field("hostnames", 5), "tenant t2 has an invalid 'hostnames': a number"),
        (with_field("hostnames", []), "'hostnames': an empty list"),
        (with_field("hostnames", ["a.eu", None]), "item 1 is null"),
        (without_field("subscriptionId"), "tenant t2 has no 'subscriptionId'"),
        (with_field("subscriptionId", 42), "'subscriptionId': a number"),
        (without_field("regionCode"), "tenant t2 has no 'regionCode'"),
        (with_field("status", ["active"]), "'status': a list, expected a string"),
        (with_field("name", {"en": "x"}), "'name': an object, expected a string or null"),
    ],
    ids=[
        "number",
        "no-id",
        "empty-id",
        "hostnames-string",
        "hostnames-number",
        "hostnames-empty",
        "hostname-null",
        "no-subscription",
        "subscription-number",
        "no-region",
        "status-list",
        "name-object",
    ],
)
def test_malformed_tenant(tenant: Any, problem: str) -> None:
    page = {"data": [api_tenant("t1"), tenant], "totalResults": 2}
    with loopback_server(serving(lambda path: json_response(200, page))) as server:
        with pytest.raises(IncompleteReadError) as caught:
            list_all(server)

    message = caught.value.message
    assert message.startswith("listing all tenants (page 1): malformed response, ")
    assert problem in message
    assert message.endswith("at data[1]")


def test_tenant_tolerated_extras() -> None:
    # Unknown fields and unknown enum values are accepted and kept.
    tenant = api_tenant("t1")
    tenant.update(status="archived", regionCode="xx-moon-1", futureField={"a": [1]})
    tenant["name"] = None
    page = {"data": [tenant, without_field("name")]}
    with loopback_server(serving(lambda path: json_response(200, page))) as server:
        tenants = list_all(server)

    assert tenants == [tenant, without_field("name")]


def test_single_tenant_validated() -> None:
    # GET /api/core/tenants/{id} may send a bare tenant object.
    bare = without_field("subscriptionId")
    with loopback_server(serving(lambda path: json_response(200, bare))) as server:
        config = ClientConfig(org_url=server.url, credentials=credentials_for_tests())
        with OrgApiClient(config) as client, pytest.raises(IncompleteReadError) as caught:
            client.get_tenant("t2")

    assert "reading tenant t2: malformed response" in str(caught.value)
    assert "tenant t2 has no 'subscriptionId'" in str(caught.value)


def test_next_link_unexpected_path() -> None:
    page = {
        "data": [api_tenant("t1")],
        "links": {"next": {"href": "/api/v1/users?next=abc"}},
    }

    with loopback_server(serving(lambda path: json_response(200, page))) as server:
        with pytest.raises(IncompleteReadError) as caught:
            list_all(server)

    assert "unexpected next link path '/api/v1/users'" in str(caught.value)
    assert len(server.requests) == 2  # token and the first page only


def test_next_link_null_ends_listing() -> None:
    page = {
        "data": [api_tenant("t1")],
        "links": {"next": {"href": None}, "prev": {"href": None}},
    }

    with loopback_server(serving(lambda path: json_response(200, page))) as server:
        tenants = list_all(server)

    assert tenants == [api_tenant("t1")]


def test_relative_offset_links_followed() -> None:
    pages = {
        "0": {
            "data": [api_tenant("t1")],
            "links": {"next": {"href": "/core/tenants?offset=1"}},
        },
        "1": {
            "data": [api_tenant("t2")],
            "links": {"next": {"href": "/api/core/tenants?offset=2"}},
        },
        "2": {"data": [api_tenant("t3")], "links": {}},
    }

    def listing(path: str) -> tuple[int, dict[str, str], bytes]:
        cursor = path.partition("offset=")[2] or "0"
        return json_response(200, pages[cursor])

    with loopback_server(serving(listing)) as server:
        tenants = list_all(server)

    assert [tenant["id"] for tenant in tenants] == ["t1", "t2", "t3"]
    assert server.requests[2].path == "/api/core/tenants?offset=1"


def test_offset_cursor_loop() -> None:
    page = {
        "data": [api_tenant("t1")],
        "links": {"next": {"href": "/api/core/tenants?offset=7"}},
    }
    again = {
        "data": [api_tenant("t2")],
        "links": {"next": {"href": "/api/core/tenants?offset=7"}},
    }

    def listing(path: str) -> tuple[int, dict[str, str], bytes]:
        return json_response(200, again if "offset=7" in path else page)

    with loopback_server(serving(listing)) as server:
        with pytest.raises(IncompleteReadError) as caught:
            list_all(server)

    assert "(page 2): the next link repeats an earlier cursor (cursor loop)" in str(
        caught.value
    )


def test_error_envelope_readable() -> None:
    envelope = {
        "errors": [
            {
                "code": "TENANTS-8",
                "title": "Invalid filter",
                "status": "400",
                "detail": "operator co is not supported for subscriptionId",
            },
            {"code": "TENANTS-9", "title": "Bad sort"},
        ],
        "traceId": "000000000000000079cf1ebeae103de1",
    }
    with loopback_server(serving(lambda path: json_response(400, envelope))) as server:
        with pytest.raises(ApiError) as caught:
            list_all(server)

    message = str(caught.value)
    assert message == (
        "listing all tenants (page 1) failed with HTTP 400: "
        "Invalid filter (TENANTS-8): "
        "operator co is not supported for subscriptionId; Bad sort (TENANTS-9) "
        "(traceId 000000000000000079cf1ebeae103de1)"
    )
    assert caught.value.status == 400
    assert caught.value.trace_id == "000000000000000079cf1ebeae103de1"


def test_error_body_not_json() -> None:
    body = b"<html>gateway exploded</html>"
    with loopback_server(
        serving(lambda path: (500, {"Content-Type": "text/html"}, body))
    ) as server:
        with pytest.raises(ApiError) as caught:
            list_all(server)

    assert "failed with HTTP 500: Internal Server Error" in str(caught.value)
    assert caught.value.trace_id is None


def test_error_echo_redacted() -> None:
    # A server that echoes the client id must not put it into the message.
    envelope = {"errors": [{"code": "X", "title": "unknown client loopback-client-id"}]}
    with loopback_server(serving(lambda path: json_response(400, envelope))) as server:
        with pytest.raises(ApiError) as caught:
            list_all(server)

    assert "loopback-client-id" not in str(caught.value)
    assert "unknown client [redacted]" in str(caught.value)


def test_duplicate_tenant_rejected() -> None:
    pages = {
        "": {
            "data": [api_tenant("t1"), api_tenant("t2")],
            "links": {"next": {"href": "/api/core/tenants?next=b"}},
        },
        "b": {"data": [api_tenant("t2")], "links": {}},
    }

    def listing(path: str) -> tuple[int, dict[str, str], bytes]:
        return json_response(200, pages[path.partition("next=")[2]])

    with loopback_server(serving(listing)) as server:
        with pytest.raises(IncompleteReadError) as caught:
            list_all(server)

    assert "(page 2): tenant t2 was returned twice" in str(caught.value)
