"""Duplicates of tenants that also have a schema error, and hints through aliases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from manifest_helpers import HEADER, by_rule, where

from checker.manifest import LoadResult, load_manifests

Write = Callable[[str, str], Path]
GOOD = "      - hostname: acme.eu.qlikcloud.com\n        regionCode: eu-west-1\n"


def load(write: Write, tenants: str) -> LoadResult:
    text = (
        HEADER
        + "subscriptions:\n"
        + '  - subscriptionId: "1234567890123456"\n'
        + "    tenants:\n"
        + tenants
    )
    write("m.yaml", text)
    return load_manifests(["m.yaml"])


def duplicates(result: LoadResult) -> list[str]:
    return [
        where(diagnostic)
        for diagnostic in by_rule(result.diagnostics, "lint/duplicate-tenant")
    ]


def test_duplicate_after_unknown_key(write: Write) -> None:
    first = GOOD + "        colour: blue\n"
    result = load(write, first + GOOD)
    assert by_rule(result.diagnostics, "schema/unknown-key")
    assert duplicates(result) == ["m.yaml:9:9"]
    (duplicate,) = by_rule(result.diagnostics, "lint/duplicate-tenant")
    assert "m.yaml:6 and at m.yaml:9" in duplicate.message


def test_duplicate_after_missing_region(write: Write) -> None:
    first = "      - hostname: acme.eu.qlikcloud.com\n"
    result = load(write, first + GOOD)
    assert by_rule(result.diagnostics, "schema/required")
    assert duplicates(result) == ["m.yaml:7:9"]
    # The missing regionCode is reported once, by the schema.
    assert not by_rule(result.diagnostics, "lint/region-mismatch")


def test_duplicate_of_later_invalid(write: Write) -> None:
    second = GOOD.replace("acme", "ACME") + "        status: sleeping\n"
    result = load(write, GOOD + second)
    assert by_rule(result.diagnostics, "schema/enum")
    assert duplicates(result) == ["m.yaml:8:9"]


def test_duplicate_id_with_bad_hostname(write: Write) -> None:
    tenant_id = "        id: TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69\n"
    first = "      - hostname: -bad-\n        regionCode: eu-west-1\n" + tenant_id
    second = GOOD + tenant_id
    result = load(write, first + second)
    assert by_rule(result.diagnostics, "schema/pattern")
    assert duplicates(result) == ["m.yaml:9:9"]
    (duplicate,) = by_rule(result.diagnostics, "lint/duplicate-tenant")
    assert "id 'TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69'" in duplicate.message


def test_bad_hostnames_not_duplicates(write: Write) -> None:
    bad = "      - hostname: -bad-\n        regionCode: eu-west-1\n"
    result = load(write, bad + bad)
    assert len(by_rule(result.diagnostics, "schema/pattern")) == 2
    assert duplicates(result) == []


def test_non_string_hostname_not_duplicate(write: Write) -> None:
    bad = "      - hostname: 12\n        regionCode: eu-west-1\n"
    result = load(write, bad + bad)
    assert duplicates(result) == []


def test_invalid_tenant_not_desired(write: Write) -> None:
    other = GOOD.replace("acme", "other") + "        colour: blue\n"
    result = load(write, GOOD + other)
    hostnames = [tenant.hostname for tenant in result.desired.tenants]
    assert hostnames == ["acme.eu.qlikcloud.com"]
    assert duplicates(result) == []


def test_anchor_hint_resolved_value(write: Write) -> None:
    tenant = GOOD + "        extra: &a 1\n        name: *a\n"
    result = load(write, tenant)
    (diagnostic,) = by_rule(result.diagnostics, "schema/type")
    assert diagnostic.hint == 'quote it: name: "1"'
    assert diagnostic.message == (
        "name must be a string, but the unquoted value 1 was read as an integer"
    )


def test_anchored_value_hint(write: Write) -> None:
    tenant = GOOD + "        name: &n 0755 # comment\n"
    result = load(write, tenant)
    (diagnostic,) = by_rule(result.diagnostics, "schema/type")
    assert diagnostic.hint == 'quote it: name: "0755"'
