"""The drift engine: match declared tenants to live ones and compare them.

Matching is keyed, never a whole-list comparison: a declared tenant matches
the live tenant with the same ``id`` when the manifest pins one, else the live
tenant that has the declared hostname (or one of its aliases) among its
``hostnames``, case-insensitively. Names are compared but never used to match.
Matched pairs are compared with a cheap tuple equality first, and deepdiff
explains the pairs that differ, so 100,000 tenants cost one pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from checker.model import (
    DeclaredTenant,
    DesiredState,
    DriftItem,
    FieldChange,
    LiveState,
)

# Manifest field -> live tenant field, in report order.
COMPARED_FIELDS = ("name", "regionCode", "status", "hostnames")


@dataclass(slots=True)
class _LiveIndex:
    by_id: dict[str, dict[str, Any]]
    by_hostname: dict[str, dict[str, Any]]


def _index_live(tenants: Iterable[dict[str, Any]]) -> _LiveIndex:
    by_id: dict[str, dict[str, Any]] = {}
    by_hostname: dict[str, dict[str, Any]] = {}
    for tenant in tenants:
        tenant_id = tenant.get("id")
        if isinstance(tenant_id, str):
            by_id[tenant_id] = tenant
        for hostname in tenant.get("hostnames") or ():
            if isinstance(hostname, str):
                by_hostname.setdefault(hostname.lower(), tenant)
    return _LiveIndex(by_id, by_hostname)


def _find_match(
    declared: DeclaredTenant, index: _LiveIndex, claimed: set[int]
) -> dict[str, Any] | None:
    if declared.id is not None:
        live = index.by_id.get(declared.id)
        return live if live is not None and id(live) not in claimed else None
    for hostname in (declared.hostname, *declared.aliases):
        live = index.by_hostname.get(hostname.lower())
        if live is not None and id(live) not in claimed:
            return live
    return None


def _expected_fields(declared: DeclaredTenant) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "regionCode": declared.region_code,
        "status": declared.status,
        "hostnames": sorted(declared.hostname_keys),
    }
    # An undeclared name is not managed, so it is not compared.
    if declared.name is not None:
        fields["name"] = declared.name
    return fields


def _actual_fields(live: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in keys:
        if key == "hostnames":
            hostnames = live.get("hostnames") or []
            fields[key] = sorted({str(h).lower() for h in hostnames})
        else:
            fields[key] = live.get(key)
    return fields


def _in_sync(declared: DeclaredTenant, live: dict[str, Any]) -> bool:
    """Return whether no compared field differs, without building the field dicts."""
    if live.get("regionCode") != declared.region_code:
        return False
    if live.get("status") != declared.status:
        return False
    if declared.name is not None and live.get("name") != declared.name:
        return False
    hostnames = live.get("hostnames") or []
    if not declared.aliases and len(hostnames) == 1:
        # The common case, without building two sets.
        return str(hostnames[0]).lower() == declared.hostname.lower()
    return {str(h).lower() for h in hostnames} == declared.hostname_keys


def compare_fields(declared: DeclaredTenant, live: dict[str, Any]) -> list[FieldChange]:
    """Return the field differences between a declared tenant and its live match."""
    # Most pairs are in sync: a 100k-tenant diff spends most of its time here.
    if _in_sync(declared, live):
        return []
    expected = _expected_fields(declared)
    actual = _actual_fields(live, expected)
    if expected == actual:
        return []

    # Only the few pairs that differ pay for deepdiff. threshold_to_diff_deeper=0
    # keeps deepdiff from reporting a whole dict as replaced when few keys match.
    from deepdiff import DeepDiff

    diff = DeepDiff(expected, actual, threshold_to_diff_deeper=0, view="tree")
    changed_roots = {str(root).strip("[]'\"") for root in diff.affected_root_keys}
    return [
        FieldChange(path=key, expected=expected[key], actual=actual[key])
        for key in COMPARED_FIELDS
        if key in changed_roots
    ]


def compute_drift(desired: DesiredState, live: LiveState) -> list[DriftItem]:
    """Compare the desired state with a complete live read.

    Returns items sorted by subscription, kind and hostname. ``moved`` and
    ``undeclared-subscription`` can only be seen for subscriptions that were
    read: with ``scope="subscriptions"`` that is the declared ones.
    """
    index = _index_live(live.tenants)
    claimed: set[int] = set()
    items: list[DriftItem] = []

    # Tenants with a pinned id claim their live tenant first, so a hostname
    # match can never steal a tenant that another declaration pins by id.
    ordered = sorted(desired.tenants, key=lambda t: t.id is None)
    for declared in ordered:
        match = _find_match(declared, index, claimed)
        if match is None:
            items.append(_missing(declared))
            continue
        claimed.add(id(match))
        items.extend(_compare_pair(declared, match))

    declared_subscriptions = set(desired.subscriptions)
    undeclared: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tenant in live.tenants:
        subscription_id = str(tenant.get("subscriptionId") or "")
        if subscription_id in declared_subscriptions:
            if id(tenant) not in claimed:
                items.append(_unmanaged(tenant, desired))
        elif live.scope == "organization":
            undeclared[subscription_id].append(tenant)

    for subscription_id, tenants in undeclared.items():
        items.append(
            DriftItem(
                kind="undeclared-subscription",
                subscription_id=subscription_id,
                live={"tenantCount": len(tenants)},
                level="info",
            )
        )

    items.sort(key=_sort_key)
    return items


def _compare_pair(declared: DeclaredTenant, live: dict[str, Any]) -> list[DriftItem]:
    live_subscription = str(live.get("subscriptionId") or "")
    changes = compare_fields(declared, live)
    if not changes and live_subscription == declared.subscription_id:
        return []
    common = {
        "subscription_id": declared.subscription_id,
        "hostname": declared.hostname,
        "id": live.get("id") or declared.id,
        "source": declared.source,
        "live": live,
        "declared": declared,
    }
    if live_subscription != declared.subscription_id:
        return [
            DriftItem(
                kind="moved",
                live_subscription_id=live_subscription,
                changes=changes,
                **common,
            )
        ]
    if changes:
        return [DriftItem(kind="changed", changes=changes, **common)]
    return []


def _missing(declared: DeclaredTenant) -> DriftItem:
    return DriftItem(
        kind="missing",
        subscription_id=declared.subscription_id,
        hostname=declared.hostname,
        id=declared.id,
        source=declared.source,
        declared=declared,
    )


def _unmanaged(tenant: dict[str, Any], desired: DesiredState) -> DriftItem:
    subscription_id = str(tenant.get("subscriptionId") or "")
    hostnames = tenant.get("hostnames") or []
    sources = desired.subscriptions[subscription_id].sources
    return DriftItem(
        kind="unmanaged",
        subscription_id=subscription_id,
        hostname=str(hostnames[0]) if hostnames else None,
        id=tenant.get("id"),
        # No manifest line declares it: anchor it to its subscription's block.
        source=sources[0] if sources else None,
        live=tenant,
    )


def _sort_key(item: DriftItem) -> tuple[str, str, str]:
    return (item.subscription_id, item.kind, (item.hostname or item.id or "").lower())
