"""Early warnings from live data: licenses ending, deletions, inactive tenants.

They are Diagnostics at the manifest line of the subscription or tenant, at
the level in ``LIVE_RULES`` (warning) until the policy's severity map says
otherwise. Dates are compared with a ``today`` passed in, never the clock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from checker.model import (
    DeclaredSubscription,
    DeclaredTenant,
    DesiredState,
    Diagnostic,
    LiveState,
    Location,
)
from checker.policy.model import LIVE_RULES

logger = logging.getLogger(__name__)

INACTIVE_STATUSES = ("disabled", "deactivated")


def early_warnings(
    desired: DesiredState, live: LiveState, *, today: date, warning_days: int
) -> list[Diagnostic]:
    """Return the early warnings for the declared subscriptions and tenants."""
    warnings: list[Diagnostic] = []
    by_subscription: dict[str, list[dict[str, Any]]] = {}
    for tenant in live.tenants:
        by_subscription.setdefault(str(tenant.get("subscriptionId") or ""), []).append(tenant)

    for subscription_id in sorted(desired.subscriptions):
        subscription = desired.subscriptions[subscription_id]
        tenants = by_subscription.get(subscription_id, [])
        warnings.extend(_license(subscription, tenants, today, warning_days))

    index = _DeclaredIndex(desired.tenants)
    for tenant in live.tenants:
        declared = index.find(tenant)
        owner = desired.subscriptions.get(str(tenant.get("subscriptionId") or ""))
        if declared is None and owner is None:
            continue  # an undeclared subscription: drift reports it
        where = declared.source if declared and declared.source else None
        where = where or _subscription_location(owner)
        warnings.extend(_deletion(tenant, where))
        if declared is not None:
            warnings.extend(_not_active(tenant, declared))
    return warnings


class _DeclaredIndex:
    """Find the declared tenant of a live tenant, as the drift engine matches."""

    def __init__(self, tenants: Iterable[DeclaredTenant]) -> None:
        self.by_id: dict[str, DeclaredTenant] = {}
        self.by_hostname: dict[str, DeclaredTenant] = {}
        for tenant in tenants:
            if tenant.id is not None:
                self.by_id[tenant.id] = tenant
                continue
            # A tenant with a pinned id matches by id only.
            for hostname in tenant.hostname_keys:
                self.by_hostname.setdefault(hostname, tenant)

    def find(self, live: dict[str, Any]) -> DeclaredTenant | None:
        declared = self.by_id.get(str(live.get("id")))
        if declared is not None:
            return declared
        for hostname in live.get("hostnames") or ():
            declared = self.by_hostname.get(str(hostname).lower())
            if declared is not None:
                return declared
        return None


def _license(
    subscription: DeclaredSubscription,
    tenants: list[dict[str, Any]],
    today: date,
    warning_days: int,
) -> Iterator[Diagnostic]:
    ends = [d for d in (_parse_date(t.get("licenseEndsAt")) for t in tenants) if d]
    if not ends:
        return
    end = min(ends)
    days = (end - today).days
    if days > warning_days:
        return
    sub_id = subscription.subscription_id
    if days < 0:
        message = f"the license of subscription {sub_id} ended on {end} ({-days} day(s) ago)"
    elif days == 0:
        message = f"the license of subscription {sub_id} ends today ({end})"
    else:
        message = f"the license of subscription {sub_id} ends on {end}, in {days} day(s)"
    yield _warning(
        "live/license-expiring",
        _subscription_location(subscription),
        message,
        "renew the subscription, or plan for its tenants to stop",
    )


def _deletion(tenant: dict[str, Any], where: Location) -> Iterator[Diagnostic]:
    starts = tenant.get("deletionStartsAt")
    if not starts:
        return
    yield _warning(
        "live/deletion-scheduled",
        where,
        f"tenant {_name(tenant)} is scheduled for deletion from {starts}",
        "reactivate the tenant before then if it is still needed, or remove it "
        "from the manifest",
    )


def _not_active(tenant: dict[str, Any], declared: DeclaredTenant) -> Iterator[Diagnostic]:
    status = tenant.get("status")
    if declared.status != "active" or status not in INACTIVE_STATUSES:
        return
    where = declared.field_sources.get("status") or declared.source
    yield _warning(
        "live/not-active",
        where or Location("(manifests)", 1, 1),
        f"tenant {declared.hostname} is declared active but is {status} in the "
        "organization",
        f"reactivate the tenant, or declare `status: {status}`",
    )


def _warning(rule_id: str, location: Location, message: str, hint: str) -> Diagnostic:
    return Diagnostic(location, LIVE_RULES[rule_id], message, rule_id, hint=hint)


def _subscription_location(subscription: DeclaredSubscription | None) -> Location:
    if subscription is not None and subscription.sources:
        return subscription.sources[0]
    return Location("(manifests)", 1, 1)


def _name(tenant: dict[str, Any]) -> str:
    hostnames = tenant.get("hostnames") or []
    return str(hostnames[0]) if hostnames else str(tenant.get("id"))


def _parse_date(value: Any) -> date | None:
    """Read a date or an ISO timestamp; the API returns both forms."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        logger.debug("ignored licenseEndsAt %r: not an ISO date", value)
        return None
