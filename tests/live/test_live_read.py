"""Complete reads over real sockets to the simulator, without faults."""

from __future__ import annotations

import gc
import logging
import math
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from live_helpers import (
    StartSim,
    ACME_SUBSCRIPTIONS,
    ACME_UNDECLARED,
    FOREIGN,
    client_config,
    declared_ids,
    expected_tenants,
    leaked_secrets,
    org_state,
    secret_values,
    tenants_by_id,
)

from checker.errors import ForeignSubscriptionError, UsageError
from checker.live import OrgApiClient, read_live_state, subscription_filter
from checker.simulator import Fault, FaultPlan, Quirks, SimulatorState

SIZES = [3, 12, 0, 150]


@pytest.mark.parametrize("page_limit", [1, 7, 100])
@pytest.mark.parametrize("scope", ["organization", "subscriptions"])
def test_read_exact_tenants(start_sim: StartSim, scope: str, page_limit: int) -> None:
    state = org_state(SIZES)
    sim = start_sim(state)
    ids = declared_ids(state)[:3]  # the 150-tenant subscription stays undeclared

    live = read_live_state(client_config(sim, page_limit=page_limit), ids, scope=scope)

    expected = expected_tenants(state, ids, scope)
    assert tenants_by_id(live.tenants) == expected
    assert len(live.tenants) == len(expected)
    assert live.scope == scope
    assert live.subscription_ids == frozenset(ids)
    assert live.org_url == sim.url
    assert live.read_at is not None


@pytest.mark.parametrize("page_limit", [1, 7, 100])
def test_read_request_counts_org(start_sim: StartSim, page_limit: int) -> None:
    state = org_state(SIZES)
    sim = start_sim(state)
    ids = declared_ids(state)

    read_live_state(client_config(sim, page_limit=page_limit), ids)

    assert sim.stats.count("count") == len(ids)
    assert sim.stats.count("list") == math.ceil(sum(SIZES) / page_limit)
    assert sim.stats.count("token") == 1


@pytest.mark.parametrize("page_limit", [1, 7, 100])
def test_read_request_counts_subscriptions(
    start_sim: StartSim, page_limit: int
) -> None:
    state = org_state(SIZES)
    sim = start_sim(state)

    read_live_state(
        client_config(sim, page_limit=page_limit),
        declared_ids(state),
        scope="subscriptions",
    )

    pages = sum(max(1, math.ceil(size / page_limit)) for size in SIZES)
    assert sim.stats.count("list") == pages
    assert sim.stats.count("count") == 0


def test_subscriptions_take_turns(
    start_sim: StartSim, caplog: pytest.LogCaptureFixture
) -> None:
    # Four subscriptions of three pages, two workers. Reading a subscription
    # to its end before the next leaves one worker idle at the end. Taking
    # turns page by page starts every subscription before any third page.
    state = org_state([6, 6, 6, 6])
    latency = Fault(kind="latency", endpoint="list", latency_ms=30)
    sim = start_sim(state, FaultPlan(faults=(latency,)))
    caplog.set_level(logging.DEBUG, logger="checker.simulator")

    live = read_live_state(
        client_config(sim, concurrency=2, page_limit=2),
        declared_ids(state),
        scope="subscriptions",
    )

    page_numbers: dict[str, int] = {}
    order = []
    for record in caplog.records:
        match = re.search(r'"GET (/api/core/tenants\?\S+) HTTP', record.getMessage())
        if match:
            query = parse_qs(urlsplit(match.group(1)).query)
            subscription = query["filter"][0]
            page_numbers[subscription] = page_numbers.get(subscription, 0) + 1
            order.append(page_numbers[subscription])
    assert len(live.tenants) == 24
    assert sorted(order) == [1] * 4 + [2] * 4 + [3] * 4
    last_first_page = max(i for i, page in enumerate(order) if page == 1)
    first_third_page = order.index(3)
    assert last_first_page < first_third_page


def test_read_acme_organization(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    sim = start_sim(acme_state)

    live = read_live_state(client_config(sim), ACME_SUBSCRIPTIONS)

    assert len(live.tenants) == 8
    subscriptions = {tenant["subscriptionId"] for tenant in live.tenants}
    assert ACME_UNDECLARED in subscriptions
    assert tenants_by_id(live.tenants) == expected_tenants(
        acme_state, ACME_SUBSCRIPTIONS, "organization"
    )


def test_read_acme_subscriptions(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    sim = start_sim(acme_state)

    live = read_live_state(
        client_config(sim), ACME_SUBSCRIPTIONS, scope="subscriptions"
    )

    assert len(live.tenants) == 7
    assert ACME_UNDECLARED not in {tenant["subscriptionId"] for tenant in live.tenants}


def test_read_keeps_tenant_fields(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    sim = start_sim(acme_state)

    live = read_live_state(client_config(sim), ACME_SUBSCRIPTIONS)

    by_id = {tenant["id"]: tenant for tenant in live.tenants}
    for declared in acme_state.tenants:
        tenant = by_id[declared["id"]]
        for name, value in declared.items():
            assert tenant[name] == value, f"{declared['id']}.{name}"
        assert tenant["links"]["self"]["href"].endswith(declared["id"])


def test_read_unknown_fields_kept(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    plan = FaultPlan(quirks=Quirks(extra_fields=True, unknown_status="archived"))
    sim = start_sim(acme_state, plan)

    live = read_live_state(client_config(sim), ACME_SUBSCRIPTIONS)

    statuses = [tenant["status"] for tenant in live.tenants]
    assert "archived" in statuses
    assert all("serviceLevel" in tenant for tenant in live.tenants)
    assert all(
        tenant["capacity"] == {"unit": "GB", "used": 0} for tenant in live.tenants
    )


def test_read_without_declared(start_sim: StartSim) -> None:
    state = org_state([4, 5])
    sim = start_sim(state)

    live = read_live_state(client_config(sim), [])

    assert len(live.tenants) == 9
    assert sim.stats.count("count") == 0


def test_read_duplicate_ids_once(start_sim: StartSim) -> None:
    state = org_state([4, 5])
    sim = start_sim(state)
    first = declared_ids(state)[0]

    live = read_live_state(client_config(sim), [first, first], scope="subscriptions")

    assert len(live.tenants) == 4
    assert sim.stats.count("list") == 2  # page limit 2: one subscription, two pages


def test_read_progress_org(start_sim: StartSim) -> None:
    state = org_state([5, 6])
    sim = start_sim(state)
    calls: list[tuple[int, int | None]] = []

    read_live_state(
        client_config(sim, page_limit=4),
        declared_ids(state),
        progress=lambda r, t: calls.append((r, t)),
    )

    assert calls == [(4, 11), (8, 11), (11, 11)]


def test_read_progress_subscriptions(start_sim: StartSim) -> None:
    state = org_state([5, 6, 1])
    sim = start_sim(state)
    calls: list[tuple[int, int | None]] = []

    read_live_state(
        client_config(sim, page_limit=4),
        declared_ids(state),
        scope="subscriptions",
        progress=lambda r, t: calls.append((r, t)),
    )

    reads = [read for read, _ in calls]
    assert reads == sorted(reads)
    assert calls[-1] == (12, 12)
    assert len(calls) == 5  # 2 + 2 + 1 pages


def test_read_unknown_scope(start_sim: StartSim) -> None:
    sim = start_sim(org_state([1]))

    with pytest.raises(UsageError) as caught:
        read_live_state(client_config(sim), [], scope="tenants")  # type: ignore[arg-type]

    assert "unknown scope" in str(caught.value)
    assert sim.stats.total == 0


def test_debug_line_per_call(
    start_sim: StartSim, debug_logs: pytest.LogCaptureFixture
) -> None:
    state = org_state([3, 4])
    sim = start_sim(state)

    read_live_state(client_config(sim), declared_ids(state))

    pattern = re.compile(
        r"^(GET|POST) (/api/core/tenants\S*|/oauth/token) \d{3} \d+ ms$"
    )
    lines = [
        record.getMessage()
        for record in debug_logs.records
        if record.name == "checker.live.transport" and record.levelno == logging.DEBUG
    ]
    assert len(lines) == sim.stats.total
    assert all(pattern.match(line) for line in lines), lines
    assert leaked_secrets([debug_logs.text], secret_values(sim)) == []


def test_client_count(start_sim: StartSim) -> None:
    state = org_state([3, 0, 11])
    sim = start_sim(state)

    with OrgApiClient(client_config(sim)) as client:
        counts = [client.count(subscription_filter(sid)) for sid in declared_ids(state)]

    assert counts == [3, 0, 11]


def test_client_iter_tenants_filter(start_sim: StartSim) -> None:
    state = org_state([3, 5])
    sim = start_sim(state)
    second = declared_ids(state)[1]

    with OrgApiClient(client_config(sim)) as client:
        tenants = list(client.iter_tenants(subscription_filter(second), total=True))

    assert len(tenants) == 5
    assert {tenant["subscriptionId"] for tenant in tenants} == {second}


@pytest.mark.parametrize("bare", [False, True], ids=["envelope", "bare"])
def test_client_get_tenant(
    start_sim: StartSim, acme_state: SimulatorState, bare: bool
) -> None:
    sim = start_sim(acme_state, FaultPlan(quirks=Quirks(bare_tenant=bare)))
    wanted = acme_state.tenants[2]

    with OrgApiClient(client_config(sim)) as client:
        tenant = client.get_tenant(wanted["id"])
        missing = client.get_tenant("NoSuchTenant0000000000000000000")

    assert tenant is not None
    assert tenant["id"] == wanted["id"]
    assert tenant["hostnames"] == wanted["hostnames"]
    assert missing is None


def test_client_total_as_string(start_sim: StartSim) -> None:
    state = org_state([3, 4])
    sim = start_sim(state, FaultPlan(quirks=Quirks(total_results_as_string=True)))

    live = read_live_state(client_config(sim), declared_ids(state))

    assert len(live.tenants) == 7


def test_subscription_filter_escapes() -> None:
    assert subscription_filter("12") == 'subscriptionId eq "12"'
    assert subscription_filter('a"b\\c') == 'subscriptionId eq "a\\"b\\\\c"'


@pytest.mark.parametrize("declared", ["own", "foreign"])
def test_read_restores_collector(start_sim: StartSim, declared: str) -> None:
    # The read pauses the cyclic garbage collector while it builds the tenant
    # list, and must turn it back on whether it succeeds or fails.
    state = org_state([5, 5])
    sim = start_sim(state)
    ids = declared_ids(state) if declared == "own" else [FOREIGN]
    assert gc.isenabled()

    try:
        read_live_state(client_config(sim), ids, scope="subscriptions")
    except ForeignSubscriptionError:
        assert declared == "foreign"
    else:
        assert declared == "own"

    assert gc.isenabled()
