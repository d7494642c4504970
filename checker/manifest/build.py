"""Merge validated documents into the declared subscriptions and tenants.

A document, subscription entry or tenant with an error is left out: the
``DesiredState`` contains only what passed validation. Lint runs on what is
left, and tenants with a lint error are left out too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.manifest.documents import ParsedDocument
from checker.manifest.positions import JsonPath
from checker.model import DeclaredSubscription, DeclaredTenant, DesiredState, Location


class FieldSources(Mapping[str, Location]):
    """Where each field of one tenant has its value, as ``Location`` values.

    It keeps the reader's position entry of each field, a tuple whose
    items 2 and 3 are the value's line and column, and makes a ``Location``
    only when one is read: a manifest of 100,000 tenants has half a million
    fields, and few of them are ever reported.
    """

    __slots__ = ("_file", "_fields")

    def __init__(self, file: str, fields: Mapping[str, tuple[Any, ...]]) -> None:
        self._file = file
        self._fields = fields

    def __getitem__(self, name: str) -> Location:
        where = self._fields[name]
        return Location(self._file, where[2], where[3])

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(slots=True)
class SubscriptionDeclarations:
    """Every place that declares one subscription, before lint.

    ``descriptions`` contains each description with where it is written and
    its JSON path, and
    ``tenant_count`` counts declared tenants, valid or not.
    """

    subscription: DeclaredSubscription
    # The JSON path of each source, in the same order.
    paths: list[JsonPath] = field(default_factory=list)
    descriptions: list[tuple[str, Location, JsonPath]] = field(default_factory=list)
    tenant_count: int = 0


@dataclass(slots=True)
class Blocked:
    """The parts of a document that have an error, by index."""

    document: bool = False
    subscriptions: set[int] = field(default_factory=set)
    tenants: set[tuple[int, int]] = field(default_factory=set)

    @classmethod
    def from_paths(cls, paths: Iterable[JsonPath]) -> Blocked:
        blocked = cls()
        for path in paths:
            index = path[1] if len(path) >= 2 and path[0] == "subscriptions" else None
            if not isinstance(index, int):
                blocked.document = True
                continue
            position = path[3] if len(path) >= 4 and path[2] == "tenants" else None
            if isinstance(position, int):
                blocked.tenants.add((index, position))
            else:
                blocked.subscriptions.add(index)
        return blocked


class DesiredBuilder:
    """Collect subscriptions and tenants from documents, in file order."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, SubscriptionDeclarations] = {}
        # Tenants that passed the schema, in declaration order, before lint,
        # and the JSON path of each in its document.
        self.tenants: list[DeclaredTenant] = []
        self.tenant_paths: list[JsonPath] = []

    def add_document(
        self, document: ParsedDocument, file: str, blocked: Blocked
    ) -> None:
        if blocked.document or not isinstance(document.data, dict):
            return
        subscriptions = document.data.get("subscriptions") or []
        tree = document.root[2]
        subscription_positions = (
            tree["subscriptions"][4] if "subscriptions" in tree else []
        )
        for index, entry in enumerate(subscriptions):
            if index in blocked.subscriptions:
                continue
            line, col, entry_tree = subscription_positions[index]
            self._add_subscription(
                entry, Location(file, line, col), entry_tree, file, index, blocked
            )

    def _add_subscription(
        self,
        entry: dict[str, Any],
        source: Location,
        tree: dict[str, Any],
        file: str,
        index: int,
        blocked: Blocked,
    ) -> None:
        subscription_id = entry["subscriptionId"]
        declarations = self.subscriptions.get(subscription_id)
        if declarations is None:
            declarations = SubscriptionDeclarations(
                DeclaredSubscription(subscription_id)
            )
            self.subscriptions[subscription_id] = declarations
        declarations.subscription.sources.append(source)
        declarations.paths.append(("subscriptions", index))
        description = entry.get("description")
        if description is not None:
            where = tree["description"]
            declarations.descriptions.append(
                (
                    description,
                    Location(file, where[2], where[3]),
                    ("subscriptions", index, "description"),
                )
            )
            if declarations.subscription.description is None:
                declarations.subscription.description = description
        tenants = entry.get("tenants") or []
        declarations.tenant_count += len(tenants)
        if not tenants:
            return
        self._add_tenants(
            subscription_id, tenants, tree["tenants"][4], file, index, blocked
        )

    def _add_tenants(
        self,
        subscription_id: str,
        tenants: list[dict[str, Any]],
        positions: list[Any],
        file: str,
        index: int,
        blocked: Blocked,
    ) -> None:
        # This loop runs once per tenant: DeclaredTenant and Location are
        # built with positional arguments and no helper calls, and the field
        # positions stay the reader's tuples until one is asked for.
        blocked_tenants = blocked.tenants
        append = self.tenants.append
        append_path = self.tenant_paths.append
        for position, data in enumerate(tenants):
            if blocked_tenants and (index, position) in blocked_tenants:
                continue
            line, col, fields = positions[position]
            aliases = data.get("aliases")
            append(
                DeclaredTenant(
                    subscription_id,
                    data["hostname"],
                    data["regionCode"],
                    data.get("id"),
                    data.get("name"),
                    data.get("status", "active"),
                    tuple(aliases) if aliases else (),
                    Location(file, line, col),
                    FieldSources(file, fields),
                )
            )
            append_path(("subscriptions", index, "tenants", position))

    def finish(self, excluded: set[int]) -> DesiredState:
        """Return the desired state without the tenants at ``excluded`` indexes."""
        state = DesiredState()
        for subscription_id, declarations in self.subscriptions.items():
            state.subscriptions[subscription_id] = declarations.subscription
        for index, tenant in enumerate(self.tenants):
            if index not in excluded:
                state.subscriptions[tenant.subscription_id].tenants.append(tenant)
        return state
