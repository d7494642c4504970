"""Merge validated documents into the declared subscriptions and tenants.

A document, subscription entry or tenant with an error is left out: the
``DesiredState`` contains only what passed validation. Lint runs on what is
left, and tenants with a lint error are left out too. A tenant with a schema
error whose hostname or id is valid still takes part in lint, so a duplicate
declaration is reported in the same run, but never reaches the desired state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.manifest.documents import ParsedDocument
from checker.manifest.positions import JsonPath
from checker.model import DeclaredSubscription, DeclaredTenant, DesiredState, Location
from checker.regions import HOSTNAME_LABELS, hostname_region_label


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
    """The parts of a document that have an error, by index.

    ``tenant_fields`` contains, for each tenant in ``tenants``, the names of
    its fields that have an error themselves.
    """

    document: bool = False
    subscriptions: set[int] = field(default_factory=set)
    tenants: set[tuple[int, int]] = field(default_factory=set)
    tenant_fields: dict[tuple[int, int], set[str]] = field(default_factory=dict)

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
                fields = blocked.tenant_fields.setdefault((index, position), set())
                if len(path) >= 5 and isinstance(path[4], str):
                    fields.add(path[4])
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
        # Indexes in ``tenants`` of tenants with a schema error, which are
        # there only so that lint finds their duplicates.
        self.invalid_tenants: set[int] = set()

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
                self._add_invalid_tenant(
                    subscription_id,
                    data,
                    positions[position],
                    file,
                    ("subscriptions", index, "tenants", position),
                    blocked.tenant_fields.get((index, position), set()),
                )
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

    def _add_invalid_tenant(
        self,
        subscription_id: str,
        data: Any,
        position: Any,
        file: str,
        path: JsonPath,
        bad_fields: set[str],
    ) -> None:
        """Add a tenant with a schema error for lint, if its hostname or id is valid.

        Only the fields without an error of their own are kept. A missing or
        invalid hostname becomes a placeholder that matches no other tenant.
        A missing or invalid regionCode becomes the one that the hostname's
        region label means, so lint reports no mismatch on a value that the
        schema check has already reported.
        """
        if not isinstance(data, dict):
            return
        hostname = _valid_string(data, "hostname", bad_fields)
        tenant_id = _valid_string(data, "id", bad_fields)
        if hostname is None and tenant_id is None:
            return
        line, col, fields = position
        region_code = _valid_string(data, "regionCode", bad_fields)
        if region_code is None and hostname is not None:
            label = hostname_region_label(hostname.lower())
            entry = HOSTNAME_LABELS.get(label) if label is not None else None
            region_code = entry.region_code if entry is not None else None
        aliases = data.get("aliases")
        valid_aliases = (
            hostname is not None
            and "aliases" not in bad_fields
            and isinstance(aliases, list)
            and all(isinstance(alias, str) for alias in aliases)
        )
        self.invalid_tenants.add(len(self.tenants))
        self.tenants.append(
            DeclaredTenant(
                subscription_id,
                # NUL never passes the hostname pattern, so no tenant has this.
                hostname if hostname is not None else f"\0invalid-{file}-{line}-{col}",
                region_code or "",
                tenant_id,
                None,
                "active",
                tuple(aliases) if valid_aliases and aliases else (),
                Location(file, line, col),
                FieldSources(file, fields if isinstance(fields, dict) else {}),
            )
        )
        self.tenant_paths.append(path)

    def finish(self, excluded: set[int]) -> DesiredState:
        """Return the desired state without the tenants at ``excluded`` indexes.

        Tenants with a schema error are never part of it.
        """
        state = DesiredState()
        for subscription_id, declarations in self.subscriptions.items():
            state.subscriptions[subscription_id] = declarations.subscription
        invalid = self.invalid_tenants
        for index, tenant in enumerate(self.tenants):
            if index not in excluded and index not in invalid:
                state.subscriptions[tenant.subscription_id].tenants.append(tenant)
        return state


def _valid_string(data: dict[str, Any], name: str, bad_fields: set[str]) -> str | None:
    value = data.get(name)
    if name in bad_fields or not isinstance(value, str):
        return None
    return value
