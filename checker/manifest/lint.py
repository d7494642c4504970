"""Offline checks across all manifest files, after the schema check.

They need no API: region labels against region codes, tenants declared
twice, subscription ids, empty subscriptions and conflicting descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.manifest import rules
from checker.manifest.build import SubscriptionDeclarations
from checker.manifest.positions import JsonPath, format_json_path
from checker.model import DeclaredTenant, Diagnostic, Level, Location
from checker.regions import (
    HOSTNAME_LABELS,
    QLIKCLOUD_SUFFIX,
    hostname_region_label,
)

SUBSCRIPTION_ID_DIGITS = 16


@dataclass(slots=True)
class LintResult:
    """The diagnostics, and the indexes of tenants that have a lint error."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    excluded: set[int] = field(default_factory=set)

    def add(
        self,
        location: Location,
        rule_id: str,
        message: str,
        hint: str | None = None,
        *,
        level: Level | None = None,
        tenant: int | None = None,
        path: JsonPath = (),
    ) -> None:
        chosen = level or rules.RULES[rule_id].level
        self.diagnostics.append(
            Diagnostic(location, chosen, message, rule_id, format_json_path(path), hint)
        )
        if chosen == "error" and tenant is not None:
            self.excluded.add(tenant)


def lint(
    subscriptions: dict[str, SubscriptionDeclarations],
    tenants: list[DeclaredTenant],
    tenant_paths: list[JsonPath],
) -> LintResult:
    """Run every lint rule on ``tenants``, which are in declaration order.

    ``tenant_paths`` contains the JSON path of each tenant in its document.
    """
    result = LintResult()
    for declarations in subscriptions.values():
        _lint_subscription(declarations, result)
    _TenantLinter(tenants, tenant_paths, result).run()
    return result


def _lint_subscription(
    declarations: SubscriptionDeclarations, result: LintResult
) -> None:
    subscription = declarations.subscription
    first = subscription.sources[0]
    path = declarations.paths[0]
    subscription_id = subscription.subscription_id
    if len(subscription_id) != SUBSCRIPTION_ID_DIGITS:
        result.add(
            first,
            rules.LINT_SUBSCRIPTION_ID_LENGTH,
            f"subscription id {subscription_id!r} has {len(subscription_id)} digits; "
            f"Qlik license numbers have {SUBSCRIPTION_ID_DIGITS}",
            "check that no digit is missing or added",
            path=(*path, "subscriptionId"),
        )
    if declarations.tenant_count == 0:
        result.add(
            first,
            rules.LINT_EMPTY_SUBSCRIPTION,
            f"subscription {subscription_id!r} declares no tenant",
            "list its tenants; with none, every live tenant of it is reported as unmanaged",
            path=path,
        )
    if declarations.descriptions:
        text, where, _path = declarations.descriptions[0]
        for other, other_where, other_path in declarations.descriptions[1:]:
            if other != text:
                result.add(
                    other_where,
                    rules.LINT_DESCRIPTION_CONFLICT,
                    f"subscription {subscription_id!r} has description {other!r} here "
                    f"but {text!r} at {where.file}:{where.line}",
                    "use the same description everywhere, or keep it in one file",
                    path=other_path,
                )


class _TenantLinter:
    """Check tenants one by one against the ones declared before them.

    This runs once per tenant of manifests with 100,000 tenants. The common
    case (a qlikcloud.com hostname with a matching label, no id or alias seen
    before) takes a few dictionary operations, and anything else goes to a
    method.
    """

    def __init__(
        self, tenants: list[DeclaredTenant], paths: list[JsonPath], result: LintResult
    ) -> None:
        self.tenants = tenants
        self.paths = paths
        self.result = result
        # First declaration of each tenant id and lower-case hostname: an index.
        self.ids: dict[str, int] = {}
        self.hostnames: dict[str, int] = {}

    def run(self) -> None:
        ids = self.ids
        hostnames = self.hostnames
        # The region code of each known label. A label missing here is unknown.
        regions = {label: entry.region_code for label, entry in HOSTNAME_LABELS.items()}
        suffix = QLIKCLOUD_SUFFIX
        cut = -len(suffix)
        for index, tenant in enumerate(self.tenants):
            key = tenant.hostname.lower()
            # hostname_region_label, inline: this runs once per tenant.
            if key.endswith(suffix):
                name, dot, label = key[:cut].rpartition(".")
                if dot and name and label and "." not in name:
                    if regions.get(label) != tenant.region_code:
                        self.region_problem(index, "hostname", tenant.hostname, label)
            first = hostnames.setdefault(key, index)
            if first != index:
                self.duplicate(index, "hostname", tenant.hostname, first)
            elif tenant.id is not None:
                first = ids.setdefault(tenant.id, index)
                if first != index:
                    self.duplicate(index, "id", tenant.id, first)
            if tenant.aliases:
                self.check_aliases(
                    index, tenant, key, duplicate_reported=first != index
                )

    def check_aliases(
        self,
        index: int,
        tenant: DeclaredTenant,
        hostname_key: str,
        duplicate_reported: bool,
    ) -> None:
        own = {hostname_key}
        reported = duplicate_reported
        for alias in tenant.aliases:
            key = alias.lower()
            if key in own:
                self.result.add(
                    tenant.field_sources.get("aliases") or self.source(index),
                    rules.LINT_DUPLICATE_HOSTNAME,
                    f"tenant {tenant.hostname!r} lists hostname {alias!r} twice "
                    "(hostnames ignore case)",
                    "remove the repeated alias",
                    tenant=index,
                    path=(*self.paths[index], "aliases"),
                )
                continue
            own.add(key)
            label = hostname_region_label(key)
            if label is not None:
                entry = HOSTNAME_LABELS.get(label)
                if entry is None or entry.region_code != tenant.region_code:
                    self.region_problem(index, "aliases", alias, label)
            first = self.hostnames.setdefault(key, index)
            if first != index and not reported:
                self.duplicate(index, "hostname", alias, first)
                reported = True

    def source(self, index: int) -> Location:
        source = self.tenants[index].source
        assert source is not None
        return source

    def region_problem(
        self, index: int, field_name: str, hostname: str, label: str
    ) -> None:
        tenant = self.tenants[index]
        path = self.paths[index]
        entry = HOSTNAME_LABELS.get(label)
        if entry is None:
            self.result.add(
                tenant.field_sources.get(field_name) or self.source(index),
                rules.LINT_UNKNOWN_REGION_LABEL,
                f"hostname {hostname!r} has region label {label!r}, "
                "which names no known Qlik Cloud region",
                "check the hostname; known labels: "
                + ", ".join(sorted(HOSTNAME_LABELS)),
                tenant=index,
                path=(*path, field_name),
            )
            return
        inferred = (
            "" if entry.confirmed else " (an inferred label, not confirmed by Qlik)"
        )
        self.result.add(
            tenant.field_sources.get("regionCode") or self.source(index),
            rules.LINT_REGION_MISMATCH,
            f"regionCode {tenant.region_code!r} does not match hostname {hostname!r}, "
            f"whose region label {label!r} means {entry.region_code}{inferred}",
            f"set regionCode: {entry.region_code}, or fix the hostname",
            level="error" if entry.confirmed else "warning",
            tenant=index,
            path=(*path, "regionCode"),
        )

    def duplicate(self, index: int, field_name: str, value: str, first: int) -> None:
        location = self.source(index)
        earlier = self.source(first)
        self.result.add(
            location,
            rules.LINT_DUPLICATE_TENANT,
            f"tenant declared twice: {field_name} {value!r} is declared at "
            f"{earlier.file}:{earlier.line} and at {location.file}:{location.line}",
            "declare each tenant once; remove one of the two declarations",
            tenant=index,
            path=self.paths[index],
        )
