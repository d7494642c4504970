"""Tenants, pages and hostnames that a listing repeats: a cursor loop gets its
own hint, a tenant moved between pages gets the changed-organization hint, and
a hostname on two tenants fails the read.

The simulator serves consistent organizations, so small loopback servers send
the moved tenant and the shared hostname.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from live_helpers import (
    ACME_SUBSCRIPTIONS,
    LoopbackServer,
    StartSim,
    api_tenant,
    client_config,
    credentials_for_tests,
    json_response,
    loopback_server,
    token_payload,
)

from checker.errors import ApiError, IncompleteReadError
from checker.live import ClientConfig, read_live_state
from checker.live.client import CURSOR_LOOP_HINT
from checker.live.responses import CHANGED_HINT
from checker.simulator import Fault, FaultPlan, SimulatorState

Respond = Callable[[str, str, LoopbackServer], tuple[int, dict[str, str], bytes]]


def listing(pages: dict[str, dict[str, Any]]) -> Respond:
    """Serve ``pages`` by cursor (``next``, "" for the first page) to any list."""

    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(path)
        if url.path == "/oauth/token":
            return json_response(200, token_payload())
        cursor = parse_qs(url.query).get("next", [""])[0]
        return json_response(200, pages[cursor])

    return respond


def read_org(server: LoopbackServer) -> list[dict[str, Any]]:
    config = ClientConfig(org_url=server.url, credentials=credentials_for_tests())
    return read_live_state(config, []).tenants


@pytest.mark.parametrize("scope", ["organization", "subscriptions"])
def test_cursor_loop_first_page(
    start_sim: StartSim, acme_state: SimulatorState, scope: str
) -> None:
    plan = FaultPlan(faults=(Fault("cursor-loop", endpoint="list"),))
    sim = start_sim(acme_state, plan)

    config = client_config(sim)

    with pytest.raises(IncompleteReadError) as caught:
        read_live_state(config, ACME_SUBSCRIPTIONS, scope=scope)  # type: ignore[arg-type]

    assert "(page 2): the API returned page 1 again (cursor loop)" in str(caught.value)
    assert caught.value.hint == CURSOR_LOOP_HINT


def test_cursor_loop_hint_text() -> None:
    assert "returned before" in CURSOR_LOOP_HINT
    assert "traceId" in CURSOR_LOOP_HINT
    assert "may have changed" not in CURSOR_LOOP_HINT


def test_cursor_loop_keeps_trace_id() -> None:
    pages = {
        "": {
            "data": [api_tenant("t1")],
            "links": {"next": {"href": "/api/core/tenants?next=c1"}},
        },
        "c1": {
            "data": [api_tenant("t2")],
            "links": {"next": {"href": "/api/core/tenants?next=c1"}},
            "traceId": "0000000000000000d3a2403ffa24786d",
        },
    }

    with loopback_server(listing(pages)) as server:
        with pytest.raises(IncompleteReadError) as caught:
            read_org(server)

    assert "repeats an earlier cursor (cursor loop)" in str(caught.value)
    assert "(traceId 0000000000000000d3a2403ffa24786d)" in str(caught.value)
    assert caught.value.hint == CURSOR_LOOP_HINT


def test_moved_tenant_changed_hint() -> None:
    # Page 2 repeats one tenant of page 1 next to a new one: not the same page.
    pages = {
        "": {
            "data": [api_tenant("t1"), api_tenant("t2")],
            "links": {"next": {"href": "/api/core/tenants?next=c1"}},
        },
        "c1": {"data": [api_tenant("t2"), api_tenant("t3")], "links": {}},
    }

    with loopback_server(listing(pages)) as server:
        with pytest.raises(IncompleteReadError) as caught:
            read_org(server)

    assert "(page 2): tenant t2 was returned twice" in str(caught.value)
    assert caught.value.hint == CHANGED_HINT


def test_shared_hostname_fails_read() -> None:
    other = api_tenant("t2")
    other["hostnames"] = ["T1.eu.qlikcloud.com"]
    pages = {"": {"data": [api_tenant("t1"), other], "links": {}}}

    with loopback_server(listing(pages)) as server:
        with pytest.raises(IncompleteReadError) as caught:
            read_org(server)

    message = str(caught.value)
    assert "inconsistent tenant list" in message
    assert "hostname t1.eu.qlikcloud.com appears on two tenants, t1 and t2" in message


def test_distinct_hostnames_read() -> None:
    # The control case: the same server with distinct hostnames reads both.
    pages = {"": {"data": [api_tenant("t1"), api_tenant("t2")], "links": {}}}

    with loopback_server(listing(pages)) as server:
        tenants = read_org(server)

    assert [tenant["id"] for tenant in tenants] == ["t1", "t2"]


def test_hostname_twice_one_tenant() -> None:
    # One tenant may list a hostname twice in different case: that is one
    # name, not two tenants sharing it.
    first = api_tenant("t1")
    first["hostnames"] = ["t1.eu.qlikcloud.com", "T1.EU.qlikcloud.com"]
    pages = {"": {"data": [first, api_tenant("t2")], "links": {}}}

    with loopback_server(listing(pages)) as server:
        tenants = read_org(server)

    assert [tenant["id"] for tenant in tenants] == ["t1", "t2"]


def responding_in_turn(
    listed: dict[str, list[str]], turn: list[str], failing: str | None = None
) -> Respond:
    """List ``listed[subscription]``, responding to the subscriptions in
    ``turn`` order, each after the one before. ``failing`` gets HTTP 500.
    """
    responded = {subscription: threading.Event() for subscription in turn}

    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(path)
        if url.path == "/oauth/token":
            return json_response(200, token_payload())
        subscription = parse_qs(url.query)["filter"][0].split('"')[1]
        position = turn.index(subscription)
        if position:
            # The wait is bounded. The pause lets the client process the
            # previous response first.
            responded[turn[position - 1]].wait(5)
            time.sleep(0.2)
        responded[subscription].set()
        if subscription == failing:
            return json_response(500, {"errors": [{"title": "Internal"}]})
        data = [api_tenant(tenant, subscription) for tenant in listed[subscription]]
        return json_response(200, {"data": data, "links": {}})

    return respond


def read_in_turn(respond: Respond, concurrency: int = 3) -> ApiError:
    with loopback_server(respond) as server:
        config = ClientConfig(
            org_url=server.url,
            credentials=credentials_for_tests(),
            concurrency=concurrency,
            max_retries=0,
        )
        with pytest.raises(ApiError) as caught:
            read_live_state(config, ["1", "2", "3"], scope="subscriptions")
    return caught.value


def test_listed_twice_after_failure() -> None:
    # Subscriptions 1 and 3 both list t9 and 2 fails. Whichever of 1 and 3
    # responds first, the failure of 2 is the error raised, as it is when 1
    # responds before 3.
    listed = {"1": ["t1", "t9"], "3": ["t9", "t3"]}
    error = read_in_turn(responding_in_turn(listed, ["3", "1", "2"], failing="2"))

    assert not isinstance(error, IncompleteReadError)
    assert error.status == 500
    assert 'subscriptionId eq "2"' in str(error)


def test_listed_thrice_names_first_two() -> None:
    # t9 is in all three subscriptions, which respond last to first. The
    # message names the first two in declared order, whatever the timing.
    listed = {"1": ["t1", "t9"], "2": ["t9", "t2"], "3": ["t9", "t3"]}
    error = read_in_turn(responding_in_turn(listed, ["3", "2", "1"]))

    assert isinstance(error, IncompleteReadError)
    assert "tenant t9 was listed under subscriptions 1 and 2" in str(error)
    assert error.hint == CHANGED_HINT


@pytest.mark.parametrize("concurrency", [1, 3])
def test_tenant_in_two_subscriptions(concurrency: int) -> None:
    # Subscriptions 1 and 2 both list t2, as when a tenant moves between the
    # two listings or the API filters wrongly.
    listed = {"1": ["t1", "t2"], "2": ["t2", "t3"], "3": ["t4"]}
    error = read_in_turn(responding_in_turn(listed, ["1", "2", "3"]), concurrency)

    assert isinstance(error, IncompleteReadError)
    assert "tenant t2 was listed under subscriptions 1 and 2" in str(error)
    assert error.hint == CHANGED_HINT
