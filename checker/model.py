"""The data that flows between the pipeline stages.

manifest loading -> ``DesiredState``; Organization API -> ``LiveState``;
drift engine -> ``DriftItem`` list; validation -> ``Diagnostic`` list.
Hostnames are compared case-insensitively: every ``*_key`` value is lower case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

TENANT_STATUSES = ("active", "disabled", "deleted", "deactivated")

DriftKind = Literal[
    "missing", "unmanaged", "changed", "moved", "undeclared-subscription"
]
DRIFT_KINDS: tuple[DriftKind, ...] = (
    "missing",
    "unmanaged",
    "changed",
    "moved",
    "undeclared-subscription",
)
Level = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a manifest file; ``line`` and ``col`` are 1-based."""

    file: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(slots=True)
class DeclaredTenant:
    """One tenant as a manifest declares it."""

    subscription_id: str
    hostname: str
    region_code: str
    id: str | None = None
    name: str | None = None
    status: str = "active"
    aliases: tuple[str, ...] = ()
    source: Location | None = None
    # Position of each field's value, keyed by the manifest field name.
    field_sources: Mapping[str, Location] = field(default_factory=dict)

    @property
    def hostname_keys(self) -> frozenset[str]:
        """Every hostname of the tenant, lower case: the main one and the aliases."""
        return frozenset(h.lower() for h in (self.hostname, *self.aliases))


@dataclass(slots=True)
class DeclaredSubscription:
    subscription_id: str
    description: str | None = None
    # Every place that declares the subscription: it may be split across files.
    sources: list[Location] = field(default_factory=list)
    tenants: list[DeclaredTenant] = field(default_factory=list)


@dataclass(slots=True)
class DesiredState:
    """The merged content of all manifest files."""

    subscriptions: dict[str, DeclaredSubscription] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def tenants(self) -> list[DeclaredTenant]:
        return [t for s in self.subscriptions.values() for t in s.tenants]


@dataclass(slots=True)
class LiveState:
    """What was read from the Organization API (or a snapshot).

    ``tenants`` are the API's tenant objects as returned, unknown fields kept.
    ``scope`` is how much of the organization was read: ``organization``
    means every tenant of the organization; ``subscriptions`` means only the
    tenants of ``subscription_ids``. A ``LiveState`` only exists for a complete
    read: a partial read raises instead.
    """

    tenants: list[dict[str, Any]]
    scope: Literal["organization", "subscriptions"] = "organization"
    subscription_ids: frozenset[str] = frozenset()
    org_url: str | None = None
    read_at: str | None = None


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that differs: ``path`` is the manifest field name."""

    path: str
    expected: Any
    actual: Any


@dataclass(slots=True)
class DriftItem:
    kind: DriftKind
    subscription_id: str
    hostname: str | None = None
    id: str | None = None
    source: Location | None = None
    changes: list[FieldChange] = field(default_factory=list)
    # For ``moved``: the subscription the tenant lives under now.
    live_subscription_id: str | None = None
    # The live tenant object, when there is one (not for ``missing``).
    live: dict[str, Any] | None = None
    declared: DeclaredTenant | None = None
    # Severity after policy: "error" fails the run, "warning" and "info" do not.
    level: Level = "error"
    # For an item in ``Report.ignored``: the ignore rule or policy setting
    # that suppressed it.
    ignored_by: str | None = None

    @property
    def key(self) -> str:
        """A stable identity for ignore rules and report fingerprints."""
        return f"{self.kind}:{self.subscription_id}:{(self.hostname or self.id or '').lower()}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in a manifest without contacting the API."""

    location: Location
    level: Level
    message: str
    rule_id: str
    json_path: str = "$"
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {self.level} {self.message} ({self.rule_id})"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text
