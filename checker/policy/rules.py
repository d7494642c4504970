"""Offline policy rules over the desired state; each finding is a Diagnostic.

Rules report at the level in ``POLICY_RULES``; the policy's severity map is
applied afterwards, together with every other rule's.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.model import (
    DeclaredSubscription,
    DeclaredTenant,
    DesiredState,
    Diagnostic,
    Location,
)
from checker.policy.model import POLICY_RULES, Policy, TenantRules


def lint_desired(desired: DesiredState, policy: Policy) -> list[Diagnostic]:
    """Check every declared subscription and tenant against the policy."""
    diagnostics: list[Diagnostic] = []
    for subscription_id in sorted(desired.subscriptions):
        subscription = desired.subscriptions[subscription_id]
        rules = policy.rules_for(subscription_id)
        checker = _Checker(subscription, rules, policy.source)
        diagnostics.extend(checker.subscription_findings())
        for tenant in subscription.tenants:
            diagnostics.extend(checker.tenant_findings(tenant))
    return diagnostics


class _Checker:
    def __init__(
        self, subscription: DeclaredSubscription, rules: TenantRules, policy_source: str
    ) -> None:
        self.subscription = subscription
        self.rules = rules
        self.policy_source = policy_source

    def subscription_findings(self) -> Iterator[Diagnostic]:
        limit = self.rules.max_tenants
        count = len(self.subscription.tenants)
        if limit is None or count <= limit:
            return
        yield self._diagnostic(
            "policy/max-tenants",
            self._subscription_location(),
            f"subscription {self.subscription.subscription_id} declares {count} "
            f"tenants; the policy allows at most {limit}",
            f"remove tenants or raise the limit in {self.policy_source}",
        )

    def tenant_findings(self, tenant: DeclaredTenant) -> Iterator[Diagnostic]:
        yield from self._region(tenant)
        yield from self._patterns(tenant)
        yield from self._required(tenant)

    def _region(self, tenant: DeclaredTenant) -> Iterator[Diagnostic]:
        allowed = self.rules.allowed_regions
        if allowed is None or tenant.region_code in allowed:
            return
        yield self._diagnostic(
            "policy/region-not-allowed",
            self._tenant_location(tenant, "regionCode"),
            f"region '{tenant.region_code}' is not allowed for subscription "
            f"{tenant.subscription_id}; allowed: {', '.join(sorted(allowed))}",
            f"declare the tenant in an allowed region, or add the region to "
            f"allowedRegions in {self.policy_source}",
        )

    def _patterns(self, tenant: DeclaredTenant) -> Iterator[Diagnostic]:
        checks = (
            ("hostname", tenant.hostname, self.rules.hostname_pattern),
            ("name", tenant.name, self.rules.name_pattern),
        )
        for field_name, value, pattern in checks:
            if pattern is None or value is None or pattern.fullmatch(value):
                continue
            yield self._diagnostic(
                f"policy/{field_name}-pattern",
                self._tenant_location(tenant, field_name),
                f"{field_name} '{value}' does not match the policy's "
                f"{field_name}Pattern '{pattern.pattern}'",
                f"rename the tenant, or change {field_name}Pattern in {self.policy_source}",
            )

    def _required(self, tenant: DeclaredTenant) -> Iterator[Diagnostic]:
        for field_name in self.rules.required_fields or ():
            if _declares(tenant, field_name):
                continue
            yield self._diagnostic(
                "policy/required-field",
                self._tenant_location(tenant, None),
                f"tenant {tenant.hostname} does not declare '{field_name}', "
                "which the policy requires",
                f"add `{field_name}:` to the tenant",
            )

    def _diagnostic(
        self, rule_id: str, location: Location, message: str, hint: str
    ) -> Diagnostic:
        level = POLICY_RULES[rule_id]
        return Diagnostic(location, level, message, rule_id, hint=hint)

    def _tenant_location(self, tenant: DeclaredTenant, field_name: str | None) -> Location:
        if field_name is not None and field_name in tenant.field_sources:
            return tenant.field_sources[field_name]
        return tenant.source or self._subscription_location()

    def _subscription_location(self) -> Location:
        if self.subscription.sources:
            return self.subscription.sources[0]
        return Location("(manifests)", 1, 1)


def _declares(tenant: DeclaredTenant, field_name: str) -> bool:
    """Tell whether the manifest gives the field a value."""
    if tenant.field_sources:
        return field_name in tenant.field_sources
    # A tenant built without positions: only absent values are known.
    if field_name == "aliases":
        return bool(tenant.aliases)
    if field_name == "status":
        return True
    value: object = getattr(tenant, field_name)
    return value is not None
