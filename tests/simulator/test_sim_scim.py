"""The SCIM filter parser and evaluator, without a server."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.simulator.scim import (
    ALLOWED_OPERATORS,
    MAX_FILTER_LENGTH,
    And,
    Comparison,
    FilterError,
    Node,
    Not,
    Or,
    matches,
    parse_filter,
    render,
    subscription_ids,
)

TENANT: dict[str, Any] = {
    "id": "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69",
    "name": "Acme Prod",
    "status": "active",
    "createdAt": "2023-01-15T10:30:00.000Z",
    "updatedAt": "2026-06-20T14:45:00.000Z",
    "hostnames": ["acme-prod.eu.qlikcloud.com", "BI.acme.example"],
    "regionCode": "eu-west-1",
    "countryCode": "IE",
    "subscriptionId": "9876543210987654",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('subscriptionId eq "9876543210987654"', True),
        ('subscriptionId eq "1"', False),
        ('regionCode eq "eu-west-1"', True),
        ('regionCode ne "eu-west-1"', False),
        ('status ne "disabled"', True),
        ('countryCode eq "IE"', True),
        ('countryCode ne "IE"', False),
        ('name eq "Acme Prod"', True),
        ('name eq "acme prod"', False),
        ('hostnames eq "bi.acme.example"', True),
        ('hostnames eq "ACME-PROD.EU.QLIKCLOUD.COM"', True),
        ('hostnames eq "acme-prod"', False),
        ('id eq "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69"', True),
        ('originalId eq "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69"', True),
        ('createdAt gt "2023-01-01"', True),
        ('createdAt ge "2023-01-15T10:30:00Z"', True),
        ('createdAt gt "2023-01-15T10:30:00Z"', False),
        ('createdAt lt "2023-01-15T11:30:00+02:00"', False),
        ('createdAt le "2023-01-15T12:30:00+02:00"', True),
        ('updatedAt co "2026-06"', True),
        ('updatedAt eq "2026-06-20T14:45:00Z"', True),
        ('updatedAt ne "2026-06-20T14:45:00Z"', False),
        ('status eq "active" and regionCode eq "eu-west-1"', True),
        ('status eq "active" and regionCode eq "us-east-1"', False),
        ('status eq "disabled" or regionCode eq "eu-west-1"', True),
        ('not (status eq "active")', False),
        ('not (status eq "active") or name eq "Acme Prod"', True),
        ('status eq "disabled" or status eq "active" and name eq "x"', False),
        ('(status eq "disabled" or status eq "active") and name eq "Acme Prod"', True),
        ('STATUS EQ "active" AND regioncode Eq "eu-west-1"', True),
        ('  status   eq   "active"  ', True),
        ('name ne "x"', None),
    ],
)
def test_filter_matches(text: str, expected: bool | None) -> None:
    if expected is None:
        with pytest.raises(FilterError):
            parse_filter(text)
        return
    assert matches(parse_filter(text), TENANT) is expected


def test_missing_attribute_ne_true() -> None:
    node = parse_filter('status ne "active"')
    assert matches(node, {"id": "x"}) is True
    assert matches(parse_filter('status eq "active"'), {"id": "x"}) is False


def test_string_escapes() -> None:
    tenant = {"name": 'Say "hi" \\ now'}
    node = parse_filter(r'name eq "Say \"hi\" \\ now"')
    assert node == Comparison("name", "eq", 'Say "hi" \\ now')
    assert matches(node, tenant) is True


def test_precedence_and_over_or() -> None:
    node = parse_filter('status eq "a" or status eq "b" and name eq "c"')
    assert isinstance(node, Or)
    assert isinstance(node.right, And)


def test_subscription_ids() -> None:
    node = parse_filter('subscriptionId eq "1" or (not (subscriptionId eq "2"))')
    assert subscription_ids(node) == ["1", "2"]
    assert subscription_ids(parse_filter('status eq "active"')) == []


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "filter is empty", 0),
        ("   ", "filter is empty", 0),
        ('size eq "1"', 'unknown attribute "size"', 0),
        ('name co "x"', 'operator "co" is not supported for attribute "name"', 5),
        ('name gt "x"', 'operator "gt" is not supported for attribute "name"', 5),
        (
            'regionCode gt "x"',
            'operator "gt" is not supported for attribute "regionCode"',
            11,
        ),
        ('status co "act"', 'operator "co" is not supported for attribute "status"', 7),
        (
            'countryCode lt "US"',
            'operator "lt" is not supported for attribute "countryCode"',
            12,
        ),
        ('subscriptionId ne "1"', 'not supported for attribute "subscriptionId"', 15),
        ('hostnames co "x"', 'not supported for attribute "hostnames"', 10),
        ('id ne "x"', 'not supported for attribute "id"', 3),
        ('originalId ne "x"', 'not supported for attribute "originalId"', 11),
        ("name pr", "expected an operator", 5),
        ("name eq", "expected a double-quoted string", 7),
        ("name eq x", "expected a double-quoted string", 8),
        ("name eq 'x'", "expected a double-quoted string", 8),
        ("name eq 5", "expected a double-quoted string", 8),
        ('name eq "x', "missing its closing double quote", 8),
        ('name eq "a\\q"', "invalid escape", 10),
        ('name eq "x" and', "expected an attribute name", 15),
        ('name eq "x" name eq "y"', 'unexpected "name"', 12),
        ('(name eq "x"', 'expected ")"', 12),
        ('name eq "x")', 'unexpected ")"', 11),
        ('not name eq "x"', 'expected "(" after "not"', 4),
        ('("x")', "expected an attribute name", 1),
        ('name eq "x" or or', "expected an attribute name", 15),
    ],
)
def test_filter_errors(text: str, message: str, position: int) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(text)
    assert message in caught.value.message
    assert caught.value.position == position


def test_filter_too_long() -> None:
    text = " or ".join(['name eq "x"'] * (MAX_FILTER_LENGTH // 10))
    with pytest.raises(FilterError, match="longer than"):
        parse_filter(text)


def test_deep_nesting_rejected() -> None:
    with pytest.raises(FilterError, match="nested deeper"):
        parse_filter("(" * 60 + 'name eq "x"' + ")" * 60)


def test_error_str_has_position() -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter('name co "x"')
    assert str(caught.value).endswith("(at character 6)")


# Property-based tests: random valid expressions survive a render/parse round
# trip, and random text never raises anything but FilterError.

_VALUES = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def _comparisons() -> st.SearchStrategy[Node]:
    pairs = [
        (attribute, op) for attribute, ops in ALLOWED_OPERATORS.items() for op in ops
    ]
    return st.builds(
        lambda pair, value: Comparison(pair[0], pair[1], value),
        st.sampled_from(pairs),
        _VALUES,
    )


_NODES = st.recursive(
    _comparisons(),
    lambda children: st.one_of(
        st.builds(And, children, children),
        st.builds(Or, children, children),
        st.builds(Not, children),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(_NODES)
def test_render_parse_round_trip(node: Node) -> None:
    assert parse_filter(render(node)) == node


@settings(max_examples=200, deadline=None)
@given(
    _NODES, st.sampled_from(["active", "disabled"]), st.sampled_from(["eu-west-1", "x"])
)
def test_evaluation_matches_logic(node: Node, status: str, region: str) -> None:
    tenant = {**TENANT, "status": status, "regionCode": region}
    assert matches(parse_filter(render(node)), tenant) is _reference(node, tenant)


def _reference(node: Node, tenant: dict[str, Any]) -> bool:
    """Evaluate with plain Python logic, leaving comparisons to ``matches``."""
    if isinstance(node, Comparison):
        return matches(node, tenant)
    if isinstance(node, Not):
        return not _reference(node.operand, tenant)
    if isinstance(node, And):
        return _reference(node.left, tenant) and _reference(node.right, tenant)
    assert isinstance(node, Or)
    return _reference(node.left, tenant) or _reference(node.right, tenant)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='abc eqnotrd()"\\ ', max_size=40))
def test_garbage_raises_filter_error_only(text: str) -> None:
    try:
        parse_filter(text)
    except FilterError as error:
        assert 0 <= error.position <= len(text)
