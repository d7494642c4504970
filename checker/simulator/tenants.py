"""The tenant endpoints: filtering, sorting, cursor paging and their envelopes."""

from __future__ import annotations

import bisect
import copy
import functools
import hashlib
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from checker.simulator import scim
from checker.simulator.envelope import fail
from checker.simulator.faults import FaultPlan
from checker.simulator.state import SimulatorState

SORT_FIELDS = (
    "name",
    "regionCode",
    "countryCode",
    "hostnames",
    "createdAt",
    "updatedAt",
    "status",
    "subscriptionId",
)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
_TENANT_ID = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")
_EXTRA_FIELDS = {"serviceLevel": "standard", "capacity": {"unit": "GB", "used": 0}}
# Distinct (filter, sort) results kept by a catalog; the cache is emptied when full.
_MATCHING_CACHE_SIZE = 256
SortKey = tuple[tuple[str, bool], ...]


def object_id(position: int, tenant: Mapping[str, Any]) -> str:
    """Return the tenant's internal ObjectId, the cursor of its page.

    Like a MongoDB ObjectId it starts with 4 bytes of creation time, so the
    default order is creation order. Then come 3 bytes of position in the
    state file and 5 bytes derived from the tenant id. It is stable for a
    given state file and unique within it.
    """
    seconds = 0
    try:
        created = datetime.fromisoformat(str(tenant.get("createdAt", "")))
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        seconds = int(created.timestamp()) & 0xFFFFFFFF
    except (ValueError, OverflowError, OSError):
        pass
    middle = hashlib.sha256(str(tenant["id"]).encode()).hexdigest()[:10]
    return f"{seconds:08x}{position & 0xFFFFFF:06x}{middle}"


@dataclass(frozen=True)
class Record:
    object_id: str
    tenant: dict[str, Any]


@dataclass(frozen=True)
class PageQuery:
    """The paging parameters of a list or filter request."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    backwards: bool = False
    sort: SortKey = ()
    sort_text: str | None = None
    total: bool = False
    total_text: str | None = None


def parse_page_query(query: Mapping[str, list[str]]) -> PageQuery:
    """Read limit, next/offset/prev, sort and totalResults; raise ApiFailure (400)."""
    limit = _limit(query)
    cursors = [
        (name, query[name][0]) for name in ("next", "offset", "prev") if name in query
    ]
    if len(cursors) > 1:
        names = " and ".join(name for name, _ in cursors)
        raise fail(400, f"give only one cursor, not {names}", parameter=cursors[1][0])
    cursor = backwards = None
    if cursors:
        name, cursor = cursors[0]
        backwards = name == "prev"
        if not _OBJECT_ID.match(cursor):
            raise fail(400, f"{name} must be a 24-digit hex ObjectId", parameter=name)
    sort_text = query["sort"][0] if "sort" in query else None
    total_text = query["totalResults"][0] if "totalResults" in query else None
    return PageQuery(
        limit=limit,
        cursor=cursor,
        backwards=bool(backwards),
        sort=_sort(sort_text) if sort_text is not None else (),
        sort_text=sort_text,
        total=_total(total_text),
        total_text=total_text,
    )


def _limit(query: Mapping[str, list[str]]) -> int:
    if "limit" not in query:
        return DEFAULT_LIMIT
    text = query["limit"][0]
    if not re.fullmatch(r"\d{1,4}", text) or int(text) > MAX_LIMIT:
        raise fail(
            400,
            f"limit must be an integer from 0 to {MAX_LIMIT}, not {text!r}",
            parameter="limit",
        )
    return int(text)


def _sort(text: str) -> SortKey:
    fields = []
    for part in text.split(","):
        # A literal "+" in a query string decodes to a space, so strip it too.
        part = part.strip()
        descending = part.startswith("-")
        name = part.lstrip("+-").strip()
        if name not in SORT_FIELDS:
            raise fail(
                400,
                f"cannot sort by {name!r}; sortable fields: {', '.join(SORT_FIELDS)}",
                parameter="sort",
            )
        fields.append((name, descending))
    return tuple(fields)


def _total(text: str | None) -> bool:
    if text is None:
        return False
    if text.lower() not in ("true", "false"):
        raise fail(
            400,
            f'totalResults must be "true" or "false", not {text!r}',
            parameter="totalResults",
        )
    return text.lower() == "true"


class TenantCatalog:
    """The organization's tenants as the API serves them."""

    def __init__(self, state: SimulatorState, plan: FaultPlan) -> None:
        self._plan = plan
        self._own = state.subscription_ids
        self._foreign = state.foreign_subscriptions
        records = []
        for position, tenant in enumerate(state.tenants):
            if tenant["subscriptionId"] in self._own:
                records.append(
                    Record(object_id(position, tenant), copy.deepcopy(tenant))
                )
        if plan.quirks.extra_fields:
            for record in records:
                record.tenant.update(copy.deepcopy(_EXTRA_FIELDS))
        if plan.quirks.unknown_status and records:
            records[0].tenant["status"] = plan.quirks.unknown_status
        self.records: tuple[Record, ...] = tuple(records)
        self._by_object_id = {r.object_id: r for r in records}
        self._by_id = {r.tenant["id"]: r for r in records}
        # The catalog never changes after this point, so each (filter, sort)
        # is evaluated once and later pages of a listing reuse the result:
        # a scan per request made a 100,000-tenant listing take minutes.
        self._matching: dict[tuple[scim.Node | None, SortKey], list[Record]] = {}
        self._matching_lock = threading.Lock()
        # The JSON text of each tenant as served, for one link base.
        self._views: tuple[str, dict[str, str]] = ("", {})
        self._by_subscription: dict[str, list[Record]] = {}
        for record in sorted(records, key=_object_id_key):
            subscription_id = str(record.tenant["subscriptionId"])
            self._by_subscription.setdefault(subscription_id, []).append(record)

    def parse_filter(
        self, text: str | None, *, require_subscription: bool
    ) -> scim.Node | None:
        """Parse and check a filter; raise ApiFailure for a 400 or 403 response."""
        if text is None:
            if require_subscription:
                raise fail(
                    400,
                    'filter is required and must contain subscriptionId eq "..."',
                    parameter="filter",
                )
            return None
        try:
            node = scim.parse_filter(text)
        except scim.FilterError as error:
            raise fail(400, f"invalid filter: {error}", parameter="filter") from error
        ids = scim.subscription_ids(node)
        if not ids and (require_subscription or self._plan.strict_filter):
            raise fail(
                400,
                'filter must contain a subscriptionId eq "..." comparison',
                parameter="filter",
            )
        for subscription_id in ids:
            self._check_subscription(subscription_id)
        return node

    def _check_subscription(self, subscription_id: str) -> None:
        if subscription_id in self._own:
            return
        if (
            subscription_id in self._foreign
            or self._plan.unknown_subscription == "forbidden"
        ):
            raise fail(
                403,
                f"subscription {subscription_id} does not belong to this organization",
            )

    def matching(self, node: scim.Node | None, sort: SortKey) -> list[Record]:
        """Return the records matching ``node`` in ``sort`` order.

        The list is shared between requests: callers must not change it.
        """
        key = (node, sort)
        with self._matching_lock:
            items = self._matching.get(key)
        if items is None:
            items = self._evaluate(node, sort)
            with self._matching_lock:
                if len(self._matching) >= _MATCHING_CACHE_SIZE:
                    self._matching.clear()
                self._matching[key] = items
        return items

    def _evaluate(self, node: scim.Node | None, sort: SortKey) -> list[Record]:
        if (
            not sort
            and isinstance(node, scim.Comparison)
            and node.attribute == "subscriptionId"
            and node.operator == "eq"
        ):
            return list(self._by_subscription.get(node.value, ()))
        items = [
            r for r in self.records if node is None or scim.matches(node, r.tenant)
        ]
        if sort:
            items.sort(key=functools.cmp_to_key(_comparator(sort)))
        else:
            items.sort(key=_object_id_key)
        return items

    def page(self, items: list[Record], query: PageQuery) -> tuple[int, int]:
        """Return the [start, end) slice of ``items`` that the query selects."""
        if query.cursor is None:
            return 0, min(query.limit, len(items))
        anchor = self._by_object_id.get(query.cursor)
        if anchor is None:
            raise fail(
                400,
                f"unknown cursor {query.cursor}",
                parameter="prev" if query.backwards else "next",
            )
        # The anchor may no longer match the filter, so find its place by order.
        # ``items`` is sorted by this order, so a binary search finds the
        # first record at or after the anchor.
        order = functools.cmp_to_key(_comparator(query.sort))
        position = bisect.bisect_left(items, order(anchor), key=order)
        if query.backwards:
            return max(0, position - query.limit), position
        return position, min(position + query.limit, len(items))

    def serialize_views(self, link_base: str) -> None:
        """Save the JSON text of every tenant for ``link_base`` ahead of requests."""
        for record in self.records:
            self.view_json(record, link_base)

    def view_json(self, record: Record, link_base: str) -> str:
        """Return ``tenant_view(record.tenant, link_base)`` as JSON text.

        Serializing the 100 tenants of a page took most of the CPU time of a
        listing request. The catalog never changes, so each tenant's text is
        kept, for one link base at a time because a server has one.
        """
        base, views = self._views
        if base != link_base:
            views = {}
            self._views = (link_base, views)
        text = views.get(record.object_id)
        if text is None:
            text = json.dumps(tenant_view(record.tenant, link_base))
            views[record.object_id] = text
        return text

    def get(self, tenant_id: str) -> dict[str, Any] | None:
        if not _TENANT_ID.match(tenant_id):
            raise fail(400, f"invalid tenant identifier {tenant_id!r}")
        record = self._by_id.get(tenant_id)
        return None if record is None else record.tenant

    def count(self, node: scim.Node | None) -> int:
        return len(self.matching(node, ()))


def _object_id_key(record: Record) -> str:
    """Return the sort key of the default order, the one ``_comparator(())`` gives."""
    return record.object_id


def _comparator(sort: SortKey) -> Any:
    def compare(left: Record, right: Record) -> int:
        for name, descending in sort:
            result = _cmp(
                _sort_value(left.tenant, name), _sort_value(right.tenant, name)
            )
            if result:
                return -result if descending else result
        return _cmp(left.object_id, right.object_id)

    return compare


def _sort_value(tenant: Mapping[str, Any], name: str) -> Any:
    value = tenant.get(name)
    if value is None:
        return (0,)
    if name == "hostnames":
        return (1, tuple(str(h).lower() for h in value))
    if name in ("createdAt", "updatedAt"):
        return (1, scim.timestamp_key(str(value)))
    return (1, str(value))


def _cmp(left: Any, right: Any) -> int:
    return int(left > right) - int(left < right)


def tenant_view(tenant: Mapping[str, Any], link_base: str) -> dict[str, Any]:
    """Return the tenant as served, with ``links.self.href`` filled in."""
    # Copy only what changes: deep copies of the 100 tenants of a page cost
    # about 0.5 ms of CPU per request. The view is serialized, never changed.
    view = dict(tenant)
    links = dict(view.get("links") or {})
    self_link = dict(links.get("self") or {})
    self_link.setdefault(
        "href", f"{link_base}/tenants/{quote(str(view['id']), safe='')}"
    )
    links["self"] = self_link
    view["links"] = links
    return view


def link(link_base: str, route: str, params: list[tuple[str, str]]) -> dict[str, str]:
    """Return ``{"href": ...}`` for ``route`` under the link base, with ``params``."""
    query = urlencode(params, quote_via=quote)
    return {"href": f"{link_base}{route}" + (f"?{query}" if query else "")}
