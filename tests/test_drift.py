from __future__ import annotations

from typing import Any

import pytest

from checker.drift import compare_fields, compute_drift
from checker.model import (
    DeclaredSubscription,
    DeclaredTenant,
    DesiredState,
    LiveState,
    Location,
)

SUB_A = "1111111111111111"
SUB_B = "2222222222222222"
SUB_C = "3333333333333333"


def declared(
    hostname: str,
    subscription_id: str = SUB_A,
    *,
    line: int = 10,
    **fields: Any,
) -> DeclaredTenant:
    fields.setdefault("region_code", "eu-west-1")
    return DeclaredTenant(
        subscription_id=subscription_id,
        hostname=hostname,
        source=Location("m.yaml", line, 9),
        **fields,
    )


def live_tenant(hostname: str, subscription_id: str = SUB_A, **fields: Any) -> dict[str, Any]:
    tenant: dict[str, Any] = {
        "id": fields.pop("id", "id-" + hostname.split(".")[0]),
        "hostnames": [hostname, *fields.pop("aliases", [])],
        "regionCode": "eu-west-1",
        "status": "active",
        "subscriptionId": subscription_id,
    }
    tenant.update(fields)
    return tenant


def desired_of(*tenants: DeclaredTenant) -> DesiredState:
    state = DesiredState()
    for tenant in tenants:
        sub = state.subscriptions.setdefault(
            tenant.subscription_id,
            DeclaredSubscription(tenant.subscription_id, sources=[Location("m.yaml", 4, 5)]),
        )
        sub.tenants.append(tenant)
    return state


def kinds(items: list[Any]) -> list[tuple[str, str | None]]:
    return [(item.kind, item.hostname) for item in items]


def test_in_sync_reports_nothing() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com", name="A"))
    live = LiveState([live_tenant("a.eu.qlikcloud.com", name="A")])
    assert compute_drift(desired, live) == []


def test_hostname_match_is_case_insensitive() -> None:
    desired = desired_of(declared("A.EU.qlikcloud.com"))
    live = LiveState([live_tenant("a.eu.qlikcloud.com")])
    assert compute_drift(desired, live) == []


def test_missing_tenant() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com", line=12))
    items = compute_drift(desired, LiveState([]))
    assert kinds(items) == [("missing", "a.eu.qlikcloud.com")]
    assert items[0].source == Location("m.yaml", 12, 9)


def test_unmanaged_anchors_to_subscription() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com"))
    live = LiveState([live_tenant("a.eu.qlikcloud.com"), live_tenant("b.eu.qlikcloud.com")])
    items = compute_drift(desired, live)
    assert kinds(items) == [("unmanaged", "b.eu.qlikcloud.com")]
    assert items[0].source == Location("m.yaml", 4, 5)
    assert items[0].id == "id-b"


def test_changed_fields_listed_in_order() -> None:
    desired = desired_of(
        declared("a.eu.qlikcloud.com", name="New", status="disabled", aliases=("x.example",))
    )
    live = LiveState([live_tenant("a.eu.qlikcloud.com", name="Old", regionCode="eu-west-2")])
    items = compute_drift(desired, live)
    assert kinds(items) == [("changed", "a.eu.qlikcloud.com")]
    paths = [change.path for change in items[0].changes]
    assert paths == ["name", "regionCode", "status", "hostnames"]
    hostnames = items[0].changes[3]
    assert hostnames.expected == ["a.eu.qlikcloud.com", "x.example"]
    assert hostnames.actual == ["a.eu.qlikcloud.com"]


def test_hostnames_compared_as_set() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com", aliases=("Z.example", "b.example")))
    live = LiveState(
        [live_tenant("b.example", aliases=["a.eu.qlikcloud.com", "z.example"])]
    )
    assert compute_drift(desired, live) == []


def test_undeclared_name_not_compared() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com"))
    live = LiveState([live_tenant("a.eu.qlikcloud.com", name="Anything")])
    assert compute_drift(desired, live) == []


def test_moved_between_subscriptions() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com", SUB_A), declared("b.eu.qlikcloud.com", SUB_B))
    live = LiveState([live_tenant("a.eu.qlikcloud.com", SUB_B), live_tenant("b.eu.qlikcloud.com", SUB_B)])
    items = compute_drift(desired, live)
    assert kinds(items) == [("moved", "a.eu.qlikcloud.com")]
    assert items[0].subscription_id == SUB_A
    assert items[0].live_subscription_id == SUB_B


def test_moved_to_undeclared_subscription() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com", SUB_A))
    live = LiveState([live_tenant("a.eu.qlikcloud.com", SUB_C)])
    items = compute_drift(desired, live)
    assert kinds(items) == [("moved", "a.eu.qlikcloud.com"), ("undeclared-subscription", None)]
    assert items[1].subscription_id == SUB_C


def test_undeclared_subscription_counts_tenants() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com", SUB_A))
    live = LiveState(
        [
            live_tenant("a.eu.qlikcloud.com", SUB_A),
            live_tenant("c1.eu.qlikcloud.com", SUB_C),
            live_tenant("c2.eu.qlikcloud.com", SUB_C),
        ]
    )
    items = compute_drift(desired, live)
    assert kinds(items) == [("undeclared-subscription", None)]
    assert items[0].live == {"tenantCount": 2}


def test_subscription_scope_skips_undeclared() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com", SUB_A))
    live = LiveState(
        [live_tenant("a.eu.qlikcloud.com", SUB_A), live_tenant("c.eu.qlikcloud.com", SUB_C)],
        scope="subscriptions",
    )
    assert compute_drift(desired, live) == []


def test_pinned_id_wins_over_hostname() -> None:
    # The hostname now belongs to another tenant; the pinned id still matches.
    desired = desired_of(declared("a.eu.qlikcloud.com", id="ID-1"))
    live = LiveState(
        [
            live_tenant("renamed.eu.qlikcloud.com", id="ID-1"),
            live_tenant("a.eu.qlikcloud.com", id="ID-2"),
        ]
    )
    items = compute_drift(desired, live)
    assert kinds(items) == [
        ("changed", "a.eu.qlikcloud.com"),
        ("unmanaged", "a.eu.qlikcloud.com"),
    ]
    assert items[0].id == "ID-1"
    assert items[1].id == "ID-2"


def test_pinned_id_absent_is_missing() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com", id="ID-9"))
    live = LiveState([live_tenant("a.eu.qlikcloud.com", id="ID-2")])
    assert kinds(compute_drift(desired, live)) == [
        ("missing", "a.eu.qlikcloud.com"),
        ("unmanaged", "a.eu.qlikcloud.com"),
    ]


def test_one_live_tenant_matched_once() -> None:
    desired = desired_of(
        declared("a.eu.qlikcloud.com", id="ID-1"),
        declared("alias.example"),
    )
    live = LiveState([live_tenant("a.eu.qlikcloud.com", id="ID-1", aliases=["alias.example"])])
    items = compute_drift(desired, live)
    assert ("missing", "alias.example") in kinds(items)


def test_unknown_status_value_is_compared() -> None:
    desired = desired_of(declared("a.eu.qlikcloud.com"))
    live = LiveState([live_tenant("a.eu.qlikcloud.com", status="archived")])
    items = compute_drift(desired, live)
    assert items[0].changes[0].path == "status"
    assert items[0].changes[0].actual == "archived"


@pytest.mark.parametrize(
    ("live_name", "expected_paths"),
    [("A", []), ("B", ["name"]), (None, ["name"])],
    ids=["same", "different", "absent-live"],
)
def test_compare_fields_name(live_name: str | None, expected_paths: list[str]) -> None:
    tenant = live_tenant("a.eu.qlikcloud.com")
    if live_name is not None:
        tenant["name"] = live_name
    changes = compare_fields(declared("a.eu.qlikcloud.com", name="A"), tenant)
    assert [c.path for c in changes] == expected_paths


def test_items_sorted_by_subscription_and_kind() -> None:
    desired = desired_of(
        declared("z.eu.qlikcloud.com", SUB_B), declared("a.eu.qlikcloud.com", SUB_A)
    )
    items = compute_drift(desired, LiveState([]))
    assert [item.subscription_id for item in items] == [SUB_A, SUB_B]
