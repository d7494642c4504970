"""Policy and ignore rules as loaded from YAML, ready to apply."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar

from checker.model import DriftItem, DriftKind, Level, Location

Severity = Literal["error", "warning", "info", "ignore"]

T = TypeVar("T")

# Optional manifest fields that requiredFields may name.
REQUIRED_FIELD_CHOICES = ("id", "name", "status", "aliases")

# Rule ids of the diagnostics this package produces, with their default level.
POLICY_RULES: dict[str, Level] = {
    "policy/region-not-allowed": "error",
    "policy/hostname-pattern": "error",
    "policy/name-pattern": "error",
    "policy/max-tenants": "error",
    "policy/required-field": "error",
    "policy/ignore-expired": "warning",
}
LIVE_RULES: dict[str, Level] = {
    "live/license-expiring": "warning",
    "live/deletion-scheduled": "warning",
    "live/not-active": "warning",
}


def manifest_rule_levels() -> dict[str, Level]:
    """Return the manifest loader's rule ids with their default level."""
    from checker.manifest.rules import RULES

    return {rule_id: rule.level for rule_id, rule in RULES.items()}


@dataclass(frozen=True, slots=True)
class TenantRules:
    """Offline rules for declared tenants; ``None`` means "not set here"."""

    allowed_regions: frozenset[str] | None = None
    hostname_pattern: re.Pattern[str] | None = None
    name_pattern: re.Pattern[str] | None = None
    max_tenants: int | None = None
    required_fields: tuple[str, ...] | None = None

    def over(self, base: TenantRules) -> TenantRules:
        """Return these rules with every unset rule taken from ``base``."""
        return TenantRules(
            allowed_regions=_first(self.allowed_regions, base.allowed_regions),
            hostname_pattern=_first(self.hostname_pattern, base.hostname_pattern),
            name_pattern=_first(self.name_pattern, base.name_pattern),
            max_tenants=_first(self.max_tenants, base.max_tenants),
            required_fields=_first(self.required_fields, base.required_fields),
        )


def _first(value: T | None, fallback: T | None) -> T | None:
    return value if value is not None else fallback


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One ignore entry: drift matching every given selector is ignored.

    ``subscription``, ``hostname`` and ``id`` are fnmatch globs; hostnames
    match case-insensitively. ``fields`` are the top-level tenant fields
    named by the entry's JSON Pointers; when set, only those field changes
    are ignored. ``expires`` is the last day on which the rule applies.
    """

    reason: str
    location: Location
    subscription: str | None = None
    hostname: str | None = None
    id: str | None = None
    kinds: frozenset[DriftKind] | None = None
    fields: tuple[str, ...] = ()
    expires: date | None = None
    json_path: str = "$"

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def describe(self) -> str:
        """Name the rule for reports: where it is and why it exists."""
        return f"{self.location.file}:{self.location.line} ({self.reason})"

    def matches(self, item: DriftItem) -> bool:
        """Tell whether the rule selects ``item``, fields aside."""
        if self.kinds is not None and item.kind not in self.kinds:
            return False
        if self.subscription is not None and not _any_match(
            _subscriptions_of(item), self.subscription, fold_case=False
        ):
            return False
        if self.hostname is not None and not _any_match(
            _hostnames_of(item), self.hostname, fold_case=True
        ):
            return False
        if self.id is not None and not _any_match(
            [item.id] if item.id else [], self.id, fold_case=False
        ):
            return False
        return True


def _any_match(values: Iterable[str], pattern: str, *, fold_case: bool) -> bool:
    if fold_case:
        pattern = pattern.lower()
        return any(fnmatch.fnmatchcase(v.lower(), pattern) for v in values)
    return any(fnmatch.fnmatchcase(v, pattern) for v in values)


def _subscriptions_of(item: DriftItem) -> list[str]:
    subscriptions = [item.subscription_id]
    if item.live_subscription_id:
        subscriptions.append(item.live_subscription_id)
    return subscriptions


def _hostnames_of(item: DriftItem) -> set[str]:
    hostnames: set[str] = set()
    if item.hostname:
        hostnames.add(item.hostname)
    if item.declared is not None:
        hostnames.update(item.declared.hostname_keys)
    if item.live is not None:
        hostnames.update(str(h) for h in item.live.get("hostnames") or ())
    return hostnames


@dataclass(frozen=True, slots=True)
class Policy:
    """A complete policy: built-in defaults with a policy file's settings on top."""

    source: str
    rules: TenantRules = field(default_factory=TenantRules)
    subscriptions: Mapping[str, TenantRules] = field(default_factory=dict)
    drift_severity: Mapping[DriftKind, Severity] = field(default_factory=dict)
    # Layers of rule id or glob -> severity, the policy file's before the
    # defaults, so a glob in a policy file beats an exact default.
    rule_severity: tuple[Mapping[str, Severity], ...] = ()
    license_warning_days: int = 30
    ignores: tuple[IgnoreRule, ...] = ()

    def rules_for(self, subscription_id: str) -> TenantRules:
        own = self.subscriptions.get(subscription_id)
        return own.over(self.rules) if own is not None else self.rules

    def severity_of_drift(self, kind: DriftKind, default: Level) -> Severity:
        return self.drift_severity.get(kind, default)

    def severity_of_rule(self, rule_id: str, default: Level) -> Severity:
        """Return the configured severity of ``rule_id``.

        Within a layer an exact key beats globs, and among globs the first
        in file order wins.
        """
        for layer in self.rule_severity:
            exact = layer.get(rule_id)
            if exact is not None:
                return exact
            for pattern, severity in layer.items():
                if fnmatch.fnmatchcase(rule_id, pattern):
                    return severity
        return default
