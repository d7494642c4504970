"""Offline lint rules, each with a failing and a passing case."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from manifest_helpers import HEADER, by_rule, where

from checker.manifest import load_manifests

Write = Callable[[str, str], Path]


def subscription(
    subscription_id: str, tenants: list[str], description: str = ""
) -> str:
    text = f'  - subscriptionId: "{subscription_id}"\n'
    if description:
        text += f"    description: {description}\n"
    if tenants:
        text += "    tenants:\n" + "".join(tenants)
    return text


def tenant(hostname: str, region: str, *extra: str) -> str:
    lines = [f"      - hostname: {hostname}\n", f"        regionCode: {region}\n"]
    lines.extend(f"        {line}\n" for line in extra)
    return "".join(lines)


def load(write: Write, *subscriptions: str, name: str = "m.yaml") -> Any:
    write(name, HEADER + "subscriptions:\n" + "".join(subscriptions))
    return load_manifests([name])


SID = "1234567890123456"


def test_region_mismatch_confirmed_error(write: Write) -> None:
    result = load(
        write, subscription(SID, [tenant("acme.eu.qlikcloud.com", "us-east-1")])
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/region-mismatch"
    assert diagnostic.level == "error"
    assert where(diagnostic) == "m.yaml:7:21"
    assert diagnostic.json_path == "$.subscriptions[0].tenants[0].regionCode"
    assert diagnostic.message == (
        "regionCode 'us-east-1' does not match hostname 'acme.eu.qlikcloud.com', "
        "whose region label 'eu' means eu-west-1"
    )
    assert diagnostic.hint == "set regionCode: eu-west-1, or fix the hostname"
    assert result.desired.tenants == []


def test_region_match_passes(write: Write) -> None:
    result = load(
        write, subscription(SID, [tenant("acme.EU.QlikCloud.com", "eu-west-1")])
    )
    assert result.diagnostics == []


@pytest.mark.parametrize(
    ("label", "region"),
    [
        ("us", "us-east-1"),
        ("eu", "eu-west-1"),
        ("de", "eu-central-1"),
        ("uk", "eu-west-2"),
        ("fr", "eu-west-3"),
        ("sg", "ap-southeast-1"),
        ("ap", "ap-southeast-2"),
        ("jp", "ap-northeast-1"),
        ("in", "ap-south-1"),
        ("il", "il-central-1"),
        ("ae", "me-central-1"),
        ("br", "sa-east-1"),
        ("ca", "ca-central-1"),
        ("se", "eu-north-1"),
    ],
)
def test_region_labels_accepted(write: Write, label: str, region: str) -> None:
    result = load(
        write, subscription(SID, [tenant(f"t.{label}.qlikcloud.com", region)])
    )
    assert result.diagnostics == []


def test_region_mismatch_inferred_warning(write: Write) -> None:
    result = load(
        write, subscription(SID, [tenant("acme.br.qlikcloud.com", "us-east-1")])
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/region-mismatch"
    assert diagnostic.level == "warning"
    assert "inferred" in diagnostic.message
    assert result.ok
    assert len(result.desired.tenants) == 1


def test_custom_domain_not_checked(write: Write) -> None:
    result = load(
        write,
        subscription(
            SID,
            [
                tenant(
                    "analytics.acme.example", "us-east-1", "aliases: [bi.acme.example]"
                )
            ],
        ),
    )
    assert result.diagnostics == []


def test_alias_region_checked(write: Write) -> None:
    result = load(
        write,
        subscription(
            SID,
            [
                tenant(
                    "a.eu.qlikcloud.com", "eu-west-1", "aliases: [a.us.qlikcloud.com]"
                )
            ],
        ),
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/region-mismatch"
    assert "'a.us.qlikcloud.com'" in diagnostic.message


def test_unknown_region_label(write: Write) -> None:
    result = load(
        write, subscription(SID, [tenant("acme.xx.qlikcloud.com", "eu-west-1")])
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/unknown-region-label"
    assert diagnostic.level == "warning"
    assert where(diagnostic) == "m.yaml:6:19"


def test_unlabelled_qlikcloud_host_not_checked(write: Write) -> None:
    result = load(write, subscription(SID, [tenant("acme.qlikcloud.com", "eu-west-1")]))
    assert result.diagnostics == []


def test_duplicate_id(write: Write) -> None:
    tenants = [
        tenant(
            "a.eu.qlikcloud.com", "eu-west-1", "id: TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69"
        ),
        tenant(
            "b.eu.qlikcloud.com", "eu-west-1", "id: TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69"
        ),
    ]
    result = load(write, subscription(SID, tenants))
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/duplicate-tenant"
    assert where(diagnostic) == "m.yaml:9:9"
    assert diagnostic.message == (
        "tenant declared twice: id 'TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69' is declared at "
        "m.yaml:6 and at m.yaml:9"
    )
    assert diagnostic.json_path == "$.subscriptions[0].tenants[1]"
    assert [t.hostname for t in result.desired.tenants] == ["a.eu.qlikcloud.com"]


def test_different_ids_pass(write: Write) -> None:
    tenants = [
        tenant("a.eu.qlikcloud.com", "eu-west-1", "id: AAAA"),
        tenant("b.eu.qlikcloud.com", "eu-west-1", "id: BBBB"),
    ]
    assert load(write, subscription(SID, tenants)).diagnostics == []


def test_duplicate_hostname_across_subscriptions(write: Write) -> None:
    result = load(
        write,
        subscription(SID, [tenant("a.eu.qlikcloud.com", "eu-west-1")]),
        subscription("1111222233334444", [tenant("A.EU.qlikcloud.com", "eu-west-1")]),
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/duplicate-tenant"
    assert "hostname 'A.EU.qlikcloud.com'" in diagnostic.message


def test_alias_shared_with_hostname(write: Write) -> None:
    result = load(
        write,
        subscription(
            SID,
            [
                tenant("a.eu.qlikcloud.com", "eu-west-1", "aliases: [bi.acme.example]"),
                tenant("bi.acme.example", "eu-west-1"),
            ],
        ),
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/duplicate-tenant"
    assert where(diagnostic) == "m.yaml:9:9"


def test_alias_shared_between_aliases(write: Write) -> None:
    result = load(
        write,
        subscription(
            SID,
            [
                tenant("a.eu.qlikcloud.com", "eu-west-1", "aliases: [bi.acme.example]"),
                tenant("b.eu.qlikcloud.com", "eu-west-1", "aliases: [BI.acme.example]"),
            ],
        ),
    )
    assert [d.rule_id for d in result.diagnostics] == ["lint/duplicate-tenant"]


def test_alias_repeats_own_hostname(write: Write) -> None:
    result = load(
        write,
        subscription(
            SID,
            [
                tenant(
                    "a.eu.qlikcloud.com", "eu-west-1", "aliases: [A.eu.qlikcloud.com]"
                )
            ],
        ),
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/duplicate-hostname"
    assert where(diagnostic) == "m.yaml:8:18"
    assert result.desired.tenants == []


def test_subscription_id_length_warning(write: Write) -> None:
    result = load(
        write, subscription("12345", [tenant("a.eu.qlikcloud.com", "eu-west-1")])
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/subscription-id-length"
    assert diagnostic.level == "warning"
    assert where(diagnostic) == "m.yaml:4:5"
    assert diagnostic.json_path == "$.subscriptions[0].subscriptionId"
    assert "5 digits" in diagnostic.message


def test_subscription_id_16_digits_passes(write: Write) -> None:
    result = load(write, subscription(SID, [tenant("a.eu.qlikcloud.com", "eu-west-1")]))
    assert result.diagnostics == []


def test_empty_subscription_warning(write: Write) -> None:
    result = load(write, subscription(SID, []))
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "lint/empty-subscription"
    assert diagnostic.level == "warning"
    assert where(diagnostic) == "m.yaml:4:5"
    assert result.ok


def test_empty_list_subscription_warning(write: Write) -> None:
    write(
        "m.yaml",
        HEADER + f'subscriptions:\n  - subscriptionId: "{SID}"\n    tenants: []\n',
    )
    (diagnostic,) = load_manifests(["m.yaml"]).diagnostics
    assert diagnostic.rule_id == "lint/empty-subscription"


def test_split_subscription_not_empty(write: Write) -> None:
    write("a.yaml", HEADER + "subscriptions:\n" + subscription(SID, [], "Shared"))
    write(
        "b.yaml",
        HEADER
        + "subscriptions:\n"
        + subscription(SID, [tenant("a.eu.qlikcloud.com", "eu-west-1")]),
    )
    assert load_manifests(["a.yaml", "b.yaml"]).diagnostics == []


def test_description_conflict_warning(write: Write) -> None:
    write(
        "a.yaml",
        HEADER
        + "subscriptions:\n"
        + subscription(SID, [tenant("a.eu.qlikcloud.com", "eu-west-1")], "EMEA"),
    )
    write(
        "b.yaml",
        HEADER
        + "subscriptions:\n"
        + subscription(SID, [tenant("b.eu.qlikcloud.com", "eu-west-1")], "Europe"),
    )
    result = load_manifests(["a.yaml", "b.yaml"])
    conflicts = by_rule(result.diagnostics, "lint/description-conflict")
    assert len(conflicts) == 1
    assert where(conflicts[0]) == "b.yaml:5:18"
    assert "a.yaml:5" in conflicts[0].message
    assert result.desired.subscriptions[SID].description == "EMEA"


def test_same_description_passes(write: Write) -> None:
    write(
        "a.yaml",
        HEADER
        + "subscriptions:\n"
        + subscription(SID, [tenant("a.eu.qlikcloud.com", "eu-west-1")], "EMEA"),
    )
    write(
        "b.yaml",
        HEADER
        + "subscriptions:\n"
        + subscription(SID, [tenant("b.eu.qlikcloud.com", "eu-west-1")], "EMEA"),
    )
    assert load_manifests(["a.yaml", "b.yaml"]).diagnostics == []


def test_invalid_status_is_schema_error(write: Write) -> None:
    result = load(
        write,
        subscription(
            SID, [tenant("a.eu.qlikcloud.com", "eu-west-1", "status: suspended")]
        ),
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "schema/enum"
    assert "active, disabled, deleted, deactivated" in diagnostic.message


@pytest.mark.parametrize("status", ["active", "disabled", "deleted", "deactivated"])
def test_known_status_passes(write: Write, status: str) -> None:
    result = load(
        write,
        subscription(
            SID, [tenant("a.eu.qlikcloud.com", "eu-west-1", f"status: {status}")]
        ),
    )
    assert result.diagnostics == []
    assert result.desired.tenants[0].status == status
