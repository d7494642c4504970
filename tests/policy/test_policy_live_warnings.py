"""Early warnings from live data, with a fixed today."""

from __future__ import annotations

from datetime import date
from typing import Any

from policy_helpers import SUB_A, SUB_B, desired_of, tenant

from checker.model import LiveState
from checker.policy.live_warnings import early_warnings

TODAY = date(2026, 12, 4)


def live_tenant(hostname: str, subscription_id: str = SUB_A, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "id-" + hostname.split(".")[0],
        "hostnames": [hostname],
        "status": "active",
        "regionCode": "eu-west-1",
        "subscriptionId": subscription_id,
    }
    data.update(fields)
    return data


def warnings_for(*tenants: dict[str, Any], days: int = 30, desired: Any = None) -> list[Any]:
    desired = desired or desired_of(tenant("a.eu.qlikcloud.com"))
    return early_warnings(
        desired, LiveState(tenants=list(tenants)), today=TODAY, warning_days=days
    )


def test_license_within_window() -> None:
    (warning,) = warnings_for(live_tenant("a.eu.qlikcloud.com", licenseEndsAt="2026-12-20"))
    assert warning.rule_id == "live/license-expiring"
    assert warning.level == "warning"
    assert str(warning.location) == "m.yaml:4:5"
    assert warning.message == (
        f"the license of subscription {SUB_A} ends on 2026-12-20, in 16 day(s)"
    )


def test_license_timestamp_form() -> None:
    (warning,) = warnings_for(
        live_tenant("a.eu.qlikcloud.com", licenseEndsAt="2027-01-03T00:00:00.000Z")
    )
    assert "ends on 2027-01-03, in 30 day(s)" in warning.message


def test_license_outside_window() -> None:
    assert warnings_for(live_tenant("a.eu.qlikcloud.com", licenseEndsAt="2027-01-04")) == []


def test_license_window_option() -> None:
    tenant_data = live_tenant("a.eu.qlikcloud.com", licenseEndsAt="2027-01-04")
    assert len(warnings_for(tenant_data, days=31)) == 1
    assert warnings_for(tenant_data, days=30) == []


def test_license_ended() -> None:
    (warning,) = warnings_for(live_tenant("a.eu.qlikcloud.com", licenseEndsAt="2026-12-01"))
    assert "ended on 2026-12-01 (3 day(s) ago)" in warning.message


def test_license_ends_today() -> None:
    (warning,) = warnings_for(live_tenant("a.eu.qlikcloud.com", licenseEndsAt="2026-12-04"))
    assert "ends today" in warning.message


def test_license_earliest_tenant() -> None:
    tenants = [
        live_tenant("a.eu.qlikcloud.com", licenseEndsAt="2026-12-30"),
        live_tenant("b.eu.qlikcloud.com", licenseEndsAt="2026-12-10"),
    ]
    (warning,) = warnings_for(*tenants)
    assert "2026-12-10" in warning.message


def test_license_unparsable_skipped() -> None:
    assert warnings_for(live_tenant("a.eu.qlikcloud.com", licenseEndsAt="soon")) == []


def test_license_undeclared_subscription_skipped() -> None:
    data = live_tenant("x.us.qlikcloud.com", SUB_B, licenseEndsAt="2026-12-05")
    assert warnings_for(data) == []


def test_deletion_scheduled_declared() -> None:
    data = live_tenant("a.eu.qlikcloud.com", deletionStartsAt="2027-01-10T00:00:00.000Z")
    (warning,) = warnings_for(data)
    assert warning.rule_id == "live/deletion-scheduled"
    assert str(warning.location) == "m.yaml:10:9"
    assert "a.eu.qlikcloud.com is scheduled for deletion from 2027-01-10" in warning.message


def test_deletion_scheduled_unmanaged() -> None:
    # An undeclared tenant of a declared subscription anchors to its block.
    data = live_tenant("other.eu.qlikcloud.com", deletionStartsAt="2027-01-10")
    (warning,) = warnings_for(data)
    assert str(warning.location) == "m.yaml:4:5"


def test_deletion_not_set() -> None:
    assert warnings_for(live_tenant("a.eu.qlikcloud.com", deletionStartsAt=None)) == []


def test_not_active_disabled() -> None:
    desired = desired_of(tenant("a.eu.qlikcloud.com", fields=("hostname", "status")))
    (warning,) = warnings_for(live_tenant("a.eu.qlikcloud.com", status="disabled"), desired=desired)
    assert warning.rule_id == "live/not-active"
    assert str(warning.location) == "m.yaml:11:15"
    assert warning.message == (
        "tenant a.eu.qlikcloud.com is declared active but is disabled in the organization"
    )


def test_not_active_deactivated() -> None:
    (warning,) = warnings_for(live_tenant("a.eu.qlikcloud.com", status="deactivated"))
    assert warning.rule_id == "live/not-active"


def test_not_active_skips_declared_disabled() -> None:
    desired = desired_of(tenant("a.eu.qlikcloud.com", status="disabled"))
    data = live_tenant("a.eu.qlikcloud.com", status="disabled")
    assert warnings_for(data, desired=desired) == []


def test_not_active_skips_active() -> None:
    assert warnings_for(live_tenant("a.eu.qlikcloud.com")) == []


def test_match_by_pinned_id() -> None:
    desired = desired_of(tenant("renamed.eu.qlikcloud.com", id="abc"))
    data = live_tenant("a.eu.qlikcloud.com", status="disabled", id="abc")
    (warning,) = warnings_for(data, desired=desired)
    assert "renamed.eu.qlikcloud.com" in warning.message
