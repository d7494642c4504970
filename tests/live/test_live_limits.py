"""Rate budget, deadline, connection failures and reads of a changing organization."""

from __future__ import annotations

import socket
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from live_helpers import (
    StartSim,
    ACME_SUBSCRIPTIONS,
    LoopbackServer,
    api_tenant,
    client_config,
    credentials_for_tests,
    json_response,
    loopback_server,
    token_payload,
)

from checker.errors import ApiError, IncompleteReadError, RateLimitError
from checker.live import ClientConfig, read_live_state
from checker.simulator import Fault, FaultPlan, RateLimits, SimulatorState

# 600 per minute over a 1 s window: 10 Tier 1 requests in any second.
SMALL_BUDGET = RateLimits(tier1_per_minute=600, tier2_per_minute=60, window_seconds=1)


def test_limiter_avoids_429(start_sim: StartSim, acme_state: SimulatorState) -> None:
    sim = start_sim(acme_state, FaultPlan(rate_limits=SMALL_BUDGET))
    config = client_config(
        sim, page_limit=1, max_retries=0, tier1_per_minute=600, rate_window_seconds=1
    )

    live = read_live_state(config, ACME_SUBSCRIPTIONS)

    assert len(live.tenants) == 8
    assert sim.stats.count(tier="tier1") == 3 + 8  # counts, then one page per tenant
    assert sim.stats.count(status=429) == 0


def test_without_limiter_429(start_sim: StartSim, acme_state: SimulatorState) -> None:
    # The control case: the same scan with a client budget above the server's.
    sim = start_sim(acme_state, FaultPlan(rate_limits=SMALL_BUDGET))
    config = client_config(
        sim, page_limit=1, max_retries=0, tier1_per_minute=60_000, rate_window_seconds=1
    )

    with pytest.raises(RateLimitError) as caught:
        read_live_state(config, ACME_SUBSCRIPTIONS)

    assert "HTTP 429" in str(caught.value)
    assert "You need to wait" in str(caught.value)
    assert sim.stats.count(status=429) >= 1


def test_retry_after_honoured(start_sim: StartSim, acme_state: SimulatorState) -> None:
    # 5 requests per second on the server; the client does not limit itself,
    # so it must wait for Retry-After (1 s) instead of failing.
    limits = RateLimits(tier1_per_minute=300, window_seconds=1)
    sim = start_sim(acme_state, FaultPlan(rate_limits=limits))
    config = client_config(
        sim, page_limit=1, tier1_per_minute=60_000, retry_after_max=5.0, concurrency=1
    )

    live = read_live_state(config, ACME_SUBSCRIPTIONS)

    assert len(live.tenants) == 8
    assert sim.stats.count(status=429) >= 1


def test_deadline_stops_slow_scan(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    plan = FaultPlan(faults=(Fault("latency", endpoint="list", latency_ms=150),))
    sim = start_sim(acme_state, plan)

    with pytest.raises(ApiError) as caught:
        read_live_state(
            client_config(sim, page_limit=1, timeout=0.5), ACME_SUBSCRIPTIONS
        )

    assert "did not finish within 0.5 s" in str(caught.value)
    assert sim.stats.count("list") < 8


def test_deadline_long_retry_after(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    plan = FaultPlan(
        faults=(Fault("status", endpoint="list", status=429, retry_after=30),)
    )
    sim = start_sim(acme_state, plan)
    config = client_config(sim, timeout=2.0, retry_after_max=60.0)

    with pytest.raises(ApiError) as caught:
        read_live_state(config, ACME_SUBSCRIPTIONS)

    assert "did not finish within 2 s" in str(caught.value)
    assert "a retry after HTTP 429 required 30.0 s more" in str(caught.value)
    assert sim.stats.count("list") == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused() -> None:
    config = ClientConfig(
        org_url=f"http://127.0.0.1:{free_port()}",
        credentials=credentials_for_tests(),
        max_retries=2,
        backoff_factor=0.01,
        backoff_jitter=0.0,
    )

    with pytest.raises(ApiError) as caught:
        read_live_state(config, ["1"])

    # Nothing ever responded, so the read stops after one quick retry.
    assert "requesting an access token failed: the connection to http://127.0.0.1" in str(
        caught.value
    )
    assert "was refused" in str(caught.value)


def changing_org(
    counts: dict[str, int], pages: list[dict[str, object]]
) -> Callable[[str, str, LoopbackServer], tuple[int, dict[str, str], bytes]]:
    """Serve counts and listing pages that disagree, as after a change mid-read.

    The simulator's organization cannot change while it serves, so a small
    loopback server plays an organization that changes between requests.
    """

    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(path)
        query = parse_qs(url.query)
        if url.path == "/oauth/token":
            return json_response(200, token_payload())
        if url.path == "/api/core/tenants/actions/count":
            subscription = query["filter"][0].split('"')[1]
            return json_response(200, {"total": counts[subscription]})
        page = int(query.get("next", ["0"])[0])
        return json_response(200, pages[page])

    return respond


def test_org_changed_during_read() -> None:
    listing = {
        "data": [
            api_tenant("a1", "A"),
            api_tenant("a2", "A"),
            api_tenant("b1", "B"),
            api_tenant("b2", "B"),
            api_tenant("b3", "C"),
        ],
        "links": {"self": {"href": "/api/core/tenants"}},
        "totalResults": 5,
    }
    with loopback_server(changing_org({"A": 2, "B": 3}, [listing])) as server:
        config = ClientConfig(org_url=server.url, credentials=credentials_for_tests())
        with pytest.raises(IncompleteReadError) as caught:
            read_live_state(config, ["A", "B"])

    message = str(caught.value)
    assert "subscription B: 2 listed, 3 counted" in message
    assert "subscription A" not in message
    assert caught.value.hint is not None
    assert "the organization may have changed during the read" in caught.value.hint
    assert "run the check again" in caught.value.hint


def test_total_results_mismatch() -> None:
    pages = [
        {
            "data": [api_tenant("a1", "A"), api_tenant("a2", "A")],
            "links": {
                "next": {"href": "https://api.qlikcloud.com/core/tenants?next=1"}
            },
            "totalResults": 3,
        },
        {"data": [], "links": {}, "totalResults": 2},
    ]
    with loopback_server(changing_org({}, pages)) as server:
        config = ClientConfig(org_url=server.url, credentials=credentials_for_tests())
        with pytest.raises(IncompleteReadError) as caught:
            read_live_state(config, [])

    assert "reported 3 tenants (totalResults) but the pages contained 2" in str(
        caught.value
    )
    assert [r.path.split("?")[0] for r in server.requests].count(
        "/api/core/tenants"
    ) == 2


def test_read_timeout_retried(
    start_sim: StartSim,
    acme_state: SimulatorState,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    plan = FaultPlan(
        faults=(Fault("latency", endpoint="list", requests="1", latency_ms=400),)
    )
    sim = start_sim(acme_state, plan)

    live = read_live_state(client_config(sim, read_timeout=0.1), ACME_SUBSCRIPTIONS)

    assert len(live.tenants) == 8
    assert "retrying GET /api/core/tenants after read timeout" in debug_logs.text


def test_read_timeout_exhausted(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    plan = FaultPlan(faults=(Fault("latency", endpoint="count", latency_ms=400),))
    sim = start_sim(acme_state, plan)

    with pytest.raises(ApiError) as caught:
        read_live_state(
            client_config(sim, read_timeout=0.1, max_retries=1), ACME_SUBSCRIPTIONS
        )

    assert "counting tenants with filter subscriptionId eq" in str(caught.value)
    assert "timed out waiting for 127.0.0.1" in str(caught.value)
