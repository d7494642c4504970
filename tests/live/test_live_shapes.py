"""Tenant shape and duplicate checks against the rules their docstrings state.

Both checks have a fast path for the common case. These tests build tenants
from values that sit on the edges of the rules (str and list subclasses,
booleans next to numbers, empty strings, hostnames that differ only by
case) and compare the results with the rules written out here.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.live.shapes import _first_problem, duplicate_problem, tenant_problem


class Text(str):
    """A str subclass, as a YAML reader may return."""


class Items(list[Any]):
    """A list subclass, as a YAML reader may return."""


FIELDS = ("id", "subscriptionId", "regionCode", "status", "name", "hostnames")
SETTINGS = settings(max_examples=400, deadline=None, database=None)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, 1, 1.5, "", "a", "A.x", Text("a"), Text("")]),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.lists(scalars, max_size=3).map(Items),
    st.just({"en": "a"}),
)
tenants = st.fixed_dictionaries(
    {}, optional={name: values for name in FIELDS} | {"extra": values}
)


def valid_by_rules(tenant: dict[str, Any]) -> bool:
    def text(value: Any, empty: bool = True) -> bool:
        return isinstance(value, str) and (empty or value != "")

    hostnames = tenant.get("hostnames")
    return (
        text(tenant.get("id"), empty=False)
        and text(tenant.get("subscriptionId"), empty=False)
        and text(tenant.get("regionCode"))
        and text(tenant.get("status"))
        and (tenant.get("name") is None or text(tenant["name"]))
        and isinstance(hostnames, list)
        and len(hostnames) > 0
        and all(text(name, empty=False) for name in hostnames)
    )


@SETTINGS
@given(tenants)
def test_tenant_problem_rules(tenant: dict[str, Any]) -> None:
    problem = tenant_problem(tenant)
    assert (problem is None) == valid_by_rules(tenant)
    assert problem == _first_problem(tenant)


@SETTINGS
@given(st.one_of(scalars, st.lists(scalars, max_size=2)))
def test_tenant_problem_not_object(value: Any) -> None:
    assert tenant_problem(value) is not None


hostnames = st.sampled_from(
    [
        "a.eu.qlikcloud.com",
        "A.EU.qlikcloud.com",
        "b.eu.qlikcloud.com",
        "B.eu.QLIKcloud.com",
    ]
)
listed = st.lists(
    st.builds(
        lambda tenant_id, names: {"id": tenant_id, "hostnames": names},
        st.sampled_from(["t1", "t2", "t3", Text("t1")]),
        st.lists(hostnames, min_size=1, max_size=3).map(
            lambda names: [Text(name) if "B" in name else name for name in names]
        ),
    ),
    max_size=4,
)


def distinct_by_rules(tenants: list[dict[str, Any]]) -> bool:
    ids = [tenant["id"] for tenant in tenants]
    if len(set(ids)) != len(ids):
        return False
    owners: dict[str, int] = {}
    for index, tenant in enumerate(tenants):
        for name in tenant["hostnames"]:
            if owners.setdefault(name.lower(), index) != index:
                return False
    return True


@SETTINGS
@given(listed, st.sampled_from(["", "$.tenants"]))
def test_duplicate_problem_rules(tenants: list[dict[str, Any]], where: str) -> None:
    problem = duplicate_problem(tenants, where)
    assert (problem is None) == distinct_by_rules(tenants)
