"""The manifest schema, its validation and the messages of schema errors."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from manifest_helpers import HEADER, where

from checker.manifest import ManifestValidator, load_manifests, load_schema
from checker.model import TENANT_STATUSES
from checker.regions import REGION_CODES

REPO = Path(__file__).resolve().parents[2]
Write = Callable[[str, str], Path]


def one_tenant(lines: str, subscription_id: str = '"1234567890123456"') -> str:
    return (
        HEADER
        + "subscriptions:\n"
        + f"  - subscriptionId: {subscription_id}\n"
        + "    tenants:\n"
        + lines
    )


def load_one(write: Write, text: str) -> list[Any]:
    write("m.yaml", text)
    return load_manifests(["m.yaml"]).diagnostics


def described(node: Any, path: str) -> list[str]:
    """Return the JSON paths of schema properties that lack a description."""
    missing = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{path}.properties.{name}")
        for name, sub in node.get("$defs", {}).items():
            if "description" not in sub:
                missing.append(f"{path}.$defs.{name}")
        for key, sub in node.items():
            missing.extend(described(sub, f"{path}.{key}"))
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            missing.extend(described(sub, f"{path}[{index}]"))
    return missing


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_every_property_described() -> None:
    assert described(load_schema(), "$") == []


def test_schema_region_enum_matches_regions() -> None:
    tenant = load_schema()["$defs"]["tenant"]["properties"]
    assert tenant["regionCode"]["enum"] == list(REGION_CODES)
    assert len(REGION_CODES) == 17


def test_schema_status_enum_matches_model() -> None:
    tenant = load_schema()["$defs"]["tenant"]["properties"]
    assert tenant["status"]["enum"] == list(TENANT_STATUSES)


def test_schema_unknown_keys_rejected_everywhere() -> None:
    schema = load_schema()
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["subscription"]["additionalProperties"] is False
    assert schema["$defs"]["tenant"]["additionalProperties"] is False


def test_load_schema_reads_repository_file() -> None:
    on_disk = json.loads((REPO / "schemas" / "manifest.schema.json").read_text("utf-8"))
    assert load_schema() == on_disk


def test_load_schema_returns_copy() -> None:
    first = load_schema()
    first["properties"].clear()
    assert load_schema()["properties"]


def test_five_mistakes_five_diagnostics(write: Write) -> None:
    text = one_tenant(
        "      - hostname: acme.eu.qlikcloud.com\n"
        "        regoinCode: eu-west-1\n"
        "      - hostname: acme2.eu.qlikcloud.com\n"
        "        regionCode: eu-west-9\n"
        "        status: sleeping\n"
        "      - hostname: acme3.eu.qlikcloud.com\n"
        "        regionCode: eu-west-1\n"
        "        aliases: http://x\n",
        subscription_id="9876543210987654",
    )
    diagnostics = load_one(write, text)
    found = [(where(d), d.rule_id, d.json_path) for d in diagnostics]
    assert found == [
        ("m.yaml:4:21", "schema/type", "$.subscriptions[0].subscriptionId"),
        ("m.yaml:6:9", "schema/required", "$.subscriptions[0].tenants[0].regionCode"),
        (
            "m.yaml:7:9",
            "schema/unknown-key",
            "$.subscriptions[0].tenants[0].regoinCode",
        ),
        ("m.yaml:9:21", "schema/enum", "$.subscriptions[0].tenants[1].regionCode"),
        ("m.yaml:10:17", "schema/enum", "$.subscriptions[0].tenants[1].status"),
        ("m.yaml:13:18", "schema/type", "$.subscriptions[0].tenants[2].aliases"),
    ]


def test_unknown_key_suggestion(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n"
        "        regionCode: eu-west-1\n"
        "        regioncode: eu-west-1\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message == "unknown key 'regioncode'; did you mean 'regionCode'?"
    assert where(diagnostic) == "m.yaml:8:9"
    assert diagnostic.level == "error"


def test_unknown_key_lists_allowed(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n"
        "        regionCode: eu-west-1\n"
        "        owner: finance\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message == "unknown key 'owner'"
    assert diagnostic.hint == (
        "allowed keys here: hostname, id, name, regionCode, status, aliases"
    )


def test_unknown_keys_each_reported(write: Write) -> None:
    text = HEADER + "subscriptions: []\nmetadata: {}\nlabels: {}\n"
    diagnostics = load_one(write, text)
    assert [(where(d), d.rule_id) for d in diagnostics] == [
        ("m.yaml:4:1", "schema/unknown-key"),
        ("m.yaml:5:1", "schema/unknown-key"),
    ]


def test_required_points_at_mapping(write: Write) -> None:
    text = one_tenant("      - name: Lonely\n")
    diagnostics = load_one(write, text)
    assert [(where(d), d.json_path) for d in diagnostics] == [
        ("m.yaml:6:9", "$.subscriptions[0].tenants[0].hostname"),
        ("m.yaml:6:9", "$.subscriptions[0].tenants[0].regionCode"),
    ]
    assert diagnostics[1].message == "missing required key 'regionCode' in a tenant"


def test_required_names_tenant(write: Write) -> None:
    (diagnostic,) = load_one(
        write, one_tenant("      - hostname: a.eu.qlikcloud.com\n")
    )
    assert diagnostic.message == (
        "missing required key 'regionCode' in tenant 'a.eu.qlikcloud.com'"
    )
    assert diagnostic.hint == "add 'regionCode:' with a value"


def test_required_top_level(write: Write) -> None:
    diagnostics = load_one(write, "kind: TenantManifest\nsubscriptions: []\n")
    assert [(where(d), d.message) for d in diagnostics] == [
        ("m.yaml:1:1", "missing required key 'apiVersion'")
    ]


def test_unquoted_subscription_id_hint(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n        regionCode: eu-west-1\n",
        subscription_id="9876543210987654",
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.rule_id == "schema/type"
    assert where(diagnostic) == "m.yaml:4:21"
    assert diagnostic.message == (
        "subscriptionId must be a string, but the unquoted value 9876543210987654 "
        "was read as an integer"
    )
    assert diagnostic.hint == 'quote it: subscriptionId: "9876543210987654"'


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("true", "a boolean"),
        ("2024-01-01", "a date"),
        ("1.5", "a number"),
        ("0755", "an integer"),
        ("2024-01-01T10:00:00Z", "a timestamp"),
    ],
    ids=["bool", "date", "float", "leading-zero", "timestamp"],
)
def test_unquoted_name_hint(write: Write, written: str, kind: str) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n"
        "        regionCode: eu-west-1\n"
        f"        name: {written} # comment\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message == (
        f"name must be a string, but the unquoted value {written} was read as {kind}"
    )
    assert diagnostic.hint == f'quote it: name: "{written}"'
    assert where(diagnostic) == "m.yaml:8:15"


def test_null_value_message(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n"
        "        regionCode: eu-west-1\n"
        "        name:\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message == "name has no value; it must be a string"
    assert diagnostic.hint == "write a value after 'name:' or remove the key"
    assert where(diagnostic) == "m.yaml:8:14"


def test_list_expected_hint(write: Write) -> None:
    text = HEADER + "subscriptions:\n  subscriptionId: '1234567890123456'\n"
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message == "subscriptions must be a list, not a mapping"
    assert diagnostic.hint == "start each item of the list with '- '"
    assert where(diagnostic) == "m.yaml:4:3"


def test_enum_short_lists_all(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n"
        "        regionCode: eu-west-1\n"
        "        status: Active\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message == (
        "invalid status 'Active'; allowed values: active, disabled, deleted, deactivated"
    )
    assert where(diagnostic) == "m.yaml:8:17"


def test_enum_long_lists_closest(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n        regionCode: eu-west1\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message.startswith(
        "invalid regionCode 'eu-west1'; did you mean 'eu-west-1'"
    )
    assert diagnostic.hint is not None
    assert diagnostic.hint.startswith("allowed values: us-east-1, us-east-2")


def test_enum_no_close_match_lists_all(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n        regionCode: mars\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message.startswith(
        "invalid regionCode 'mars'; allowed values: us-east-1"
    )
    assert diagnostic.message.endswith("ca-central-1")


def test_const_api_version(write: Write) -> None:
    (diagnostic,) = load_one(
        write, "apiVersion: v1\nkind: TenantManifest\nsubscriptions: []\n"
    )
    assert diagnostic.rule_id == "schema/const"
    assert diagnostic.message == "apiVersion must be 'qlik-drift/v1', not 'v1'"
    assert diagnostic.hint == "write apiVersion: qlik-drift/v1"
    assert where(diagnostic) == "m.yaml:1:13"


def test_const_kind(write: Write) -> None:
    text = "apiVersion: qlik-drift/v1\nkind: Policy\nsubscriptions: []\n"
    (diagnostic,) = load_one(write, text)
    assert diagnostic.message == "kind must be 'TenantManifest', not 'Policy'"


@pytest.mark.parametrize(
    ("line", "message_start"),
    [
        ('  - subscriptionId: "98765-4321"\n', "invalid subscriptionId '98765-4321'"),
        (
            "  - subscriptionId: '1234567890123456'\n    tenants:\n      - hostname: acme_prod\n        regionCode: eu-west-1\n",
            "invalid hostname 'acme_prod'",
        ),
        (
            "  - subscriptionId: '1234567890123456'\n    tenants:\n      - hostname: a.eu.qlikcloud.com\n        regionCode: eu-west-1\n        id: 'abc def'\n",
            "invalid id 'abc def'",
        ),
        (
            "  - subscriptionId: '1234567890123456'\n    tenants:\n      - hostname: a.eu.qlikcloud.com\n        regionCode: eu-west-1\n        aliases: [bad_alias]\n",
            "invalid aliases[0] 'bad_alias'",
        ),
    ],
    ids=["subscription-id", "hostname", "id", "alias"],
)
def test_pattern_messages(write: Write, line: str, message_start: str) -> None:
    (diagnostic,) = load_one(write, HEADER + "subscriptions:\n" + line)
    assert diagnostic.rule_id == "schema/pattern"
    assert diagnostic.message.startswith(message_start)
    assert diagnostic.hint


def test_pattern_hostname_with_scheme(write: Write) -> None:
    text = one_tenant(
        "      - hostname: https://a.eu.qlikcloud.com/hub\n        regionCode: eu-west-1\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.hint is not None
    assert diagnostic.hint.startswith("remove the scheme and any path")


def test_line_break_rejected(write: Write) -> None:
    text = one_tenant(
        '      - hostname: "a.eu.qlikcloud.com\\n"\n        regionCode: eu-west-1\n'
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.rule_id == "schema/pattern"
    assert "contains a line break" in diagnostic.message
    assert where(diagnostic) == "m.yaml:6:19"


def test_empty_name_rejected(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n        regionCode: eu-west-1\n        name: ''\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.rule_id == "schema/length"
    assert diagnostic.message == "name must not be empty"


def test_repeated_alias_rejected(write: Write) -> None:
    text = one_tenant(
        "      - hostname: a.eu.qlikcloud.com\n"
        "        regionCode: eu-west-1\n"
        "        aliases: [x.example.com, y.example.com, x.example.com]\n"
    )
    (diagnostic,) = load_one(write, text)
    assert diagnostic.rule_id == "schema/unique"
    assert diagnostic.message == "aliases lists 'x.example.com' more than once"


def test_document_not_mapping(write: Write) -> None:
    (diagnostic,) = load_one(write, "- a\n- b\n")
    assert diagnostic.message == "the document must be a mapping, not a list"
    assert where(diagnostic) == "m.yaml:1:1"


# Validation stages: jsonschema-rs decides "valid", jsonschema lists errors.


def error_set(errors: Any) -> set[tuple[Any, ...]]:
    return {(tuple(e.path), e.keyword, e.message) for e in errors}


def whole_document_errors(document: Any) -> set[tuple[Any, ...]]:
    validator = jsonschema.Draft202012Validator(load_schema())
    return {
        (tuple(e.absolute_path), str(e.validator), e.message)
        for e in validator.iter_errors(document)
    }


VALID_TENANT = {"hostname": "a.eu.qlikcloud.com", "regionCode": "eu-west-1"}

values = st.one_of(
    st.sampled_from(
        [
            "a.eu.qlikcloud.com",
            "A.EU.QLIKCLOUD.COM",
            "bad_host",
            "a.b\n",
            "1.2.3.4",
            "",
            "eu-west-1",
            "eu-west-9",
            "active",
            "sleeping",
            "1234567890123456",
            "12a",
            "x" * 300,
            "\u0661\u0662",
        ]
    ),
    st.text(max_size=12),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.just(datetime.date(2024, 1, 1)),
    st.lists(st.sampled_from(["x.example.com", "bad host", 3]), max_size=3),
    st.dictionaries(st.sampled_from(["a", "hostname"]), st.just(1), max_size=2),
)
tenant_keys = st.sampled_from(
    ["hostname", "regionCode", "id", "name", "status", "aliases", "other", 1, None]
)
tenants = st.one_of(
    st.dictionaries(tenant_keys, values, max_size=7).map(
        lambda extra: {**VALID_TENANT, **extra}
    ),
    st.dictionaries(tenant_keys, values, max_size=4),
    values,
)
documents = st.builds(
    lambda subscription_id, tenant_list, extra: {
        "apiVersion": "qlik-drift/v1",
        "kind": "TenantManifest",
        "subscriptions": [{"subscriptionId": subscription_id, "tenants": tenant_list}],
        **extra,
    },
    st.one_of(st.just("1234567890123456"), values),
    st.one_of(st.lists(tenants, max_size=4), values),
    st.dictionaries(st.sampled_from(["kind", "extra"]), values, max_size=1),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_staged_errors_equal_jsonschema(document: dict[str, Any]) -> None:
    assert error_set(ManifestValidator().errors(document)) == whole_document_errors(
        document
    )


@settings(max_examples=300, deadline=None)
@given(tenants)
def test_rust_validity_agrees(tenant: Any) -> None:
    schema = load_schema()
    document = {
        "apiVersion": "qlik-drift/v1",
        "kind": "TenantManifest",
        "subscriptions": [{"subscriptionId": "1234567890123456", "tenants": [tenant]}],
    }
    expected = jsonschema.Draft202012Validator(schema).is_valid(document)
    try:
        fast = jsonschema_rs.Draft202012Validator(schema).is_valid(document)
    except ValueError:
        # A value with no JSON type (a date): the staged validator treats
        # this as "not known valid" and falls back to jsonschema.
        return
    assert fast == expected


def test_without_rust_same_errors() -> None:
    document = {
        "apiVersion": "qlik-drift/v1",
        "kind": "TenantManifest",
        "subscriptions": [
            {"subscriptionId": 1, "tenants": [VALID_TENANT, {"hostname": 3}, "x"]},
            "y",
        ],
        "extra": 1,
    }
    slow = error_set(ManifestValidator(fast=False).errors(document))
    assert slow == error_set(ManifestValidator().errors(document))
    assert slow == whole_document_errors(document)
    assert len(slow) == 6


def test_valid_document_no_errors() -> None:
    document = {
        "apiVersion": "qlik-drift/v1",
        "kind": "TenantManifest",
        "subscriptions": [
            {"subscriptionId": "1234567890123456", "tenants": [VALID_TENANT]}
        ],
    }
    assert ManifestValidator().errors(document) == []
    assert ManifestValidator(fast=False).errors(document) == []
