"""Shape a live read into the tenant catalog that a Pulumi stack exports.

Everything here is plain data so it can go into Pulumi state as is: ids stay
strings, lists are sorted and mapping keys are sorted, so the same
organization always produces the same state. Numbers appear only as top-level
counts, because Pulumi turns nested numbers into floats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from checker.model import DRIFT_KINDS, DriftItem

# Keys of each tenant record, in the order they are documented.
TENANT_FIELDS = (
    "id",
    "hostname",
    "hostnames",
    "name",
    "regionCode",
    "status",
    "subscriptionId",
)


def tenant_record(tenant: Mapping[str, Any]) -> dict[str, Any]:
    """Reduce an Organization API tenant object to a small catalog record.

    ``hostname`` is the first hostname, which Qlik shows as the tenant's
    address; ``hostnames`` keeps all of them in the API's order.
    """
    hostnames = [str(h) for h in tenant.get("hostnames") or ()]
    return {
        "id": str(tenant.get("id") or ""),
        "hostname": hostnames[0] if hostnames else None,
        "hostnames": hostnames,
        "name": tenant.get("name"),
        "regionCode": tenant.get("regionCode"),
        "status": tenant.get("status"),
        "subscriptionId": str(tenant.get("subscriptionId") or ""),
    }


def _record_sort_key(record: Mapping[str, Any]) -> tuple[str, str, str]:
    return (
        record["subscriptionId"],
        (record["hostname"] or "").lower(),
        record["id"],
    )


def select_tenants(
    tenants: Iterable[Mapping[str, Any]],
    subscription_ids: Collection[str] | None,
    region_codes: Collection[str] | None,
) -> list[dict[str, Any]]:
    """Return the sorted records of the tenants that pass both filters.

    An absent or empty filter lets every tenant through.
    """
    records = []
    for tenant in tenants:
        record = tenant_record(tenant)
        if subscription_ids and record["subscriptionId"] not in subscription_ids:
            continue
        if region_codes and record["regionCode"] not in region_codes:
            continue
        records.append(record)
    records.sort(key=_record_sort_key)
    return records


def _sorted_groups(groups: Mapping[str, set[str]]) -> dict[str, list[str]]:
    return {key: sorted(groups[key]) for key in sorted(groups)}


def build_catalog(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Build the catalog outputs from sorted tenant records.

    ``tenants_by_subscription`` and ``tenants_by_region`` map to sorted tenant
    ids; ``hostnames_by_subscription`` maps to every hostname (main hostname
    and aliases) of the subscription's tenants, sorted.
    """
    by_subscription: dict[str, set[str]] = defaultdict(set)
    by_region: dict[str, set[str]] = defaultdict(set)
    hostnames: dict[str, set[str]] = defaultdict(set)
    for record in records:
        by_subscription[record["subscriptionId"]].add(record["id"])
        by_region[str(record["regionCode"] or "")].add(record["id"])
        hostnames[record["subscriptionId"]].update(record["hostnames"])
    return {
        "tenants": records,
        "tenants_by_subscription": _sorted_groups(by_subscription),
        "tenants_by_region": _sorted_groups(by_region),
        "hostnames_by_subscription": _sorted_groups(hostnames),
        "tenant_count": len(records),
    }


def summarize_drift(items: Iterable[DriftItem]) -> dict[str, Any]:
    """Build the drift outputs: counts for every kind, the sorted keys, and
    the number of findings at level error (those that fail ``qlik-drift check``).
    """
    summary = dict.fromkeys(DRIFT_KINDS, 0)
    keys = set()
    errors = 0
    for item in items:
        summary[item.kind] += 1
        keys.add(item.key)
        errors += item.level == "error"
    return {
        "drift_summary": summary,
        "drifted_keys": sorted(keys),
        "drift_count": sum(summary.values()),
        "drift_error_count": errors,
    }
