"""Shape checks shared by Organization API responses and snapshot files.

A tenant that breaks these rules would otherwise turn into false drift, so
both the live read and ``check --live`` reject it as malformed (exit 2).
Unknown extra fields and unknown values of ``status`` or ``regionCode`` stay
accepted: Qlik adds them over time and the comparison reports them as they are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


class JsonNestingError(ValueError):
    """A JSON document nests arrays or objects deeper than the decoder allows."""


def loads_json(data: str | bytes, **options: Any) -> Any:
    """Decode JSON like ``json.loads``, but raise ``ValueError`` for every bad input.

    ``json.loads`` raises ``RecursionError`` on deeply nested arrays or objects
    (about 1,000 levels with the default recursion limit). Callers expect
    ``ValueError``, so that error becomes ``JsonNestingError``. Integers of
    more than 4,300 digits already raise ``ValueError`` in Python 3.11.
    ``options`` go to ``json.loads``.
    """
    try:
        return json.loads(data, **options)
    except RecursionError:
        raise JsonNestingError("JSON arrays or objects are nested too deeply") from None


def tenant_problem(tenant: Any) -> str | None:
    """Return what is wrong with one tenant object, or ``None`` when it is valid.

    Required: ``id``, ``subscriptionId`` (non-empty strings), ``hostnames``
    (a non-empty list of non-empty strings), ``regionCode`` and ``status``
    (strings). ``name`` is a string, null or absent. The message names the
    tenant id and the field, and describes a wrong value by its type only.
    """
    if not isinstance(tenant, dict):
        return f"a tenant is {describe(tenant)}, expected an object"
    get = tenant.get
    tenant_id = get("id")
    subscription_id = get("subscriptionId")
    name = get("name")
    hostnames = get("hostnames")
    # The common case, a valid tenant, takes one expression. JSON decoding
    # gives exact str and list objects, so the types are compared directly.
    if (
        type(tenant_id) is str
        and tenant_id
        and type(subscription_id) is str
        and subscription_id
        and type(get("regionCode")) is str
        and type(get("status")) is str
        and (name is None or type(name) is str)
        and type(hostnames) is list
        and hostnames
        and all(type(hostname) is str and hostname for hostname in hostnames)
    ):
        return None
    return _first_problem(tenant)


def _first_problem(tenant: dict[str, Any]) -> str | None:
    tenant_id = tenant.get("id")
    if not isinstance(tenant_id, str) or not tenant_id:
        return _field_problem("a tenant", tenant, "id", "a non-empty string")
    label = f"tenant {tenant_id[:100]}"

    subscription_id = tenant.get("subscriptionId")
    if not isinstance(subscription_id, str) or not subscription_id:
        return _field_problem(label, tenant, "subscriptionId", "a non-empty string")
    for field in ("regionCode", "status"):
        if not isinstance(tenant.get(field), str):
            return _field_problem(label, tenant, field, "a string")
    if not isinstance(tenant.get("name"), str | None):
        return _field_problem(label, tenant, "name", "a string or null")

    hostnames = tenant.get("hostnames")
    expected = "a non-empty list of hostnames (strings)"
    if not isinstance(hostnames, list) or not hostnames:
        return _field_problem(label, tenant, "hostnames", expected)
    for index, hostname in enumerate(hostnames):
        if not isinstance(hostname, str) or not hostname:
            return (
                f"{label} has an invalid 'hostnames': item {index} is "
                f"{describe(hostname)}, expected {expected}"
            )
    return None


def duplicate_problem(
    tenants: Sequence[dict[str, Any]], where: str = ""
) -> str | None:
    """Return the first tenant id or hostname that two tenants share, or ``None``.

    Ids and hostnames identify one tenant each, so a repeat would show as
    false drift. Hostnames are compared case-insensitively, as DNS names are.
    ``where`` is the path of the tenant list in messages, such as
    ``$.tenants``; without it, messages give no positions. Each tenant must
    already pass ``tenant_problem``.
    """

    if _all_distinct(tenants):
        return None

    def at(index: int) -> str:
        return f" at {where}[{index}]" if where else ""

    ids: dict[str, int] = {}
    hostnames: dict[str, int] = {}
    for index, tenant in enumerate(tenants):
        tenant_id = tenant["id"]
        first = ids.setdefault(tenant_id, index)
        if first != index:
            place = f",{at(first)} and{at(index)}" if where else ""
            return f"tenant {tenant_id[:100]} appears twice{place}"
        names = dict.fromkeys(str(name).lower() for name in tenant["hostnames"])
        for hostname in names:
            owner = hostnames.setdefault(hostname, index)
            if owner != index:
                return (
                    f"hostname {hostname[:255]} appears on two tenants, "
                    f"{tenants[owner]['id'][:100]}{at(owner)} and "
                    f"{tenant_id[:100]}{at(index)}"
                )
    return None


def _all_distinct(tenants: Sequence[dict[str, Any]]) -> bool:
    """Return whether no id and no hostname repeats.

    A hostname that one tenant lists twice counts as a repeat here, so
    ``duplicate_problem`` checks closer whenever this returns False.
    """
    ids = {tenant["id"] for tenant in tenants}
    if len(ids) != len(tenants):
        return False
    hostnames = [
        str(name).lower() for tenant in tenants for name in tenant["hostnames"]
    ]
    return len(set(hostnames)) == len(hostnames)


def _field_problem(
    label: str, tenant: dict[str, Any], field: str, expected: str
) -> str:
    if field not in tenant:
        return f"{label} has no '{field}' (expected {expected})"
    return f"{label} has an invalid '{field}': {describe(tenant[field])}, expected {expected}"


def describe(value: Any) -> str:
    """Name the JSON type of ``value`` without quoting it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
