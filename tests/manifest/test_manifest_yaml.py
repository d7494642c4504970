"""YAML-level problems: syntax, tabs, duplicate keys, typing traps, unsupported features."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from manifest_helpers import HEADER, by_rule, where

from checker.manifest import load_manifests

Write = Callable[[str, str], Path]

TENANT = (
    HEADER
    + "subscriptions:\n"
    + '  - subscriptionId: "1234567890123456"\n'
    + "    tenants:\n"
    + "      - hostname: a.eu.qlikcloud.com\n"
    + "        regionCode: eu-west-1\n"
)


def load_one(write: Write, text: str) -> Any:
    write("m.yaml", text)
    return load_manifests(["m.yaml"])


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO"])
def test_yaml11_boolean_warning(write: Write, word: str) -> None:
    result = load_one(write, TENANT + f"        name: {word}\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/ambiguous-boolean"
    assert diagnostic.level == "warning"
    assert where(diagnostic) == "m.yaml:8:15"
    assert diagnostic.json_path == "$.subscriptions[0].tenants[0].name"
    assert diagnostic.hint == f'quote it so every tool reads the same: name: "{word}"'
    # YAML 1.2 reads the word as a string, so the tenant is valid.
    assert result.desired.tenants[0].name == word


def test_quoted_word_no_warning(write: Write) -> None:
    result = load_one(write, TENANT + '        name: "no"\n')
    assert result.diagnostics == []
    assert result.desired.tenants[0].name == "no"


def test_yaml11_boolean_in_flow_list(write: Write) -> None:
    result = load_one(write, TENANT + "        aliases: [on.example.com, off]\n")
    warnings = by_rule(result.diagnostics, "yaml/ambiguous-boolean")
    assert [where(d) for d in warnings] == ["m.yaml:8:35"]
    assert warnings[0].json_path == "$.subscriptions[0].tenants[0].aliases[1]"


def test_true_is_boolean_not_string(write: Write) -> None:
    result = load_one(write, TENANT + "        name: true\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "schema/type"
    assert diagnostic.hint == 'quote it: name: "true"'


def test_tab_indentation(write: Write) -> None:
    text = TENANT.replace("        regionCode", "\tregionCode")
    (diagnostic,) = load_one(write, text).diagnostics
    assert diagnostic.rule_id == "yaml/tab-indentation"
    assert where(diagnostic) == "m.yaml:7:1"
    assert diagnostic.hint == "replace the tab with spaces"


def test_tab_after_spaces(write: Write) -> None:
    text = TENANT.replace("        regionCode", "    \tregionCode")
    (diagnostic,) = load_one(write, text).diagnostics
    assert diagnostic.rule_id == "yaml/tab-indentation"
    assert where(diagnostic) == "m.yaml:7:5"


def test_tab_inside_value_allowed(write: Write) -> None:
    result = load_one(write, TENANT + '        name: "a\tb"\n')
    assert result.diagnostics == []
    assert result.desired.tenants[0].name == "a\tb"


def test_duplicate_key_names_both_lines(write: Write) -> None:
    result = load_one(write, TENANT + "        regionCode: eu-west-2\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/duplicate-key"
    assert where(diagnostic) == "m.yaml:8:9"
    assert diagnostic.message == "duplicate key 'regionCode': already defined on line 7"
    assert diagnostic.json_path == "$.subscriptions[0].tenants[0].regionCode"
    assert result.desired.tenants == []


def test_duplicate_top_level_key(write: Write) -> None:
    result = load_one(write, TENANT + "kind: TenantManifest\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/duplicate-key"
    assert where(diagnostic) == "m.yaml:8:1"
    assert "line 2" in diagnostic.message


def test_syntax_error_line_and_column(write: Write) -> None:
    text = TENANT + "        name: [unclosed\n"
    (diagnostic,) = load_one(write, text).diagnostics
    assert diagnostic.rule_id == "yaml/syntax"
    assert diagnostic.message.startswith("invalid YAML: ")
    assert diagnostic.location.line == 9
    assert diagnostic.location.col == 1


def test_syntax_error_bad_indentation(write: Write) -> None:
    text = TENANT + "       name: misaligned\n"
    (diagnostic,) = load_one(write, text).diagnostics
    assert diagnostic.rule_id == "yaml/syntax"
    assert where(diagnostic) == "m.yaml:8:8"
    assert diagnostic.hint is not None


def test_value_with_colon_space(write: Write) -> None:
    text = TENANT + "        name: Acme: Production\n"
    (diagnostic,) = load_one(write, text).diagnostics
    assert diagnostic.rule_id == "yaml/syntax"
    assert where(diagnostic) == "m.yaml:8:19"
    assert diagnostic.hint == (
        "a value containing ': ' must be quoted, or the indentation is wrong"
    )


def test_control_character(write: Write) -> None:
    text = TENANT + "        name: bell\x07\n"
    (diagnostic,) = load_one(write, text).diagnostics
    assert diagnostic.rule_id == "yaml/syntax"
    assert where(diagnostic) == "m.yaml:8:19"
    assert "U+0007" in diagnostic.message


def test_control_character_after_unicode(write: Write) -> None:
    text = TENANT + "        name: Zürich 東京\x07\n"
    (diagnostic,) = load_one(write, text).diagnostics
    assert where(diagnostic) == "m.yaml:8:24"


def test_yaml_version_directive(write: Write) -> None:
    (diagnostic,) = load_one(write, "%YAML 1.1\n---\n" + TENANT).diagnostics
    assert diagnostic.rule_id == "yaml/version"
    assert where(diagnostic) == "m.yaml:1:1"


def test_yaml_12_directive_accepted(write: Write) -> None:
    result = load_one(write, "%YAML 1.2\n---\n" + TENANT)
    assert result.diagnostics == []


def test_unsupported_tag(write: Write) -> None:
    result = load_one(write, TENANT + "        name: !secret vault/acme\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/unsupported"
    assert diagnostic.message == "YAML tag '!secret' is not supported in a manifest"
    assert where(diagnostic) == "m.yaml:8:15"
    assert result.desired.tenants == []


def test_core_tag_accepted(write: Write) -> None:
    result = load_one(write, TENANT + "        name: !!str 2024\n")
    assert result.diagnostics == []
    assert result.desired.tenants[0].name == "2024"


def test_recursive_alias(write: Write) -> None:
    result = load_one(write, TENANT + "        aliases: &loop [*loop]\n")
    rules_found = [d.rule_id for d in result.diagnostics]
    assert "yaml/unsupported" in rules_found
    loop = by_rule(result.diagnostics, "yaml/unsupported")[0]
    assert loop.message == "recursive alias: a node cannot contain itself"


def test_alias_expansion_bomb(write: Write) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 8):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    result = load_one(write, "\n".join(lines) + "\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/unsupported"
    assert "expand to" in diagnostic.message


def test_invalid_date(write: Write) -> None:
    result = load_one(write, TENANT + "        name: 2024-13-45\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/invalid-value"
    assert where(diagnostic) == "m.yaml:8:15"
    assert diagnostic.hint == 'quote it if it is meant as text: "2024-13-45"'
    assert result.desired.tenants == []


def test_anchors_and_merge_keys(write: Write) -> None:
    text = (
        HEADER
        + "subscriptions:\n"
        + '  - subscriptionId: "1234567890123456"\n'
        + "    tenants:\n"
        + "      - &first\n"
        + "        hostname: a.eu.qlikcloud.com\n"
        + "        regionCode: eu-west-1\n"
        + "        status: disabled\n"
        + "      - <<: *first\n"
        + "        hostname: b.eu.qlikcloud.com\n"
    )
    result = load_one(write, text)
    assert result.diagnostics == []
    second = result.desired.tenants[1]
    assert second.hostname == "b.eu.qlikcloud.com"
    assert second.status == "disabled"
    assert second.region_code == "eu-west-1"
    assert str(second.source) == "m.yaml:10:9"
    assert str(second.field_sources["hostname"]) == "m.yaml:11:19"
    # Merged fields point where they are written: in the first tenant.
    assert str(second.field_sources["status"]) == "m.yaml:9:17"


def test_crlf_line_ends(write: Write, workdir: Path) -> None:
    (workdir / "m.yaml").write_bytes(
        (TENANT + "        name: Acme\n").replace("\n", "\r\n").encode()
    )
    result = load_manifests(["m.yaml"])
    assert result.diagnostics == []
    assert str(result.desired.tenants[0].field_sources["name"]) == "m.yaml:8:15"
    assert result.desired.tenants[0].name == "Acme"


def test_byte_order_mark(write: Write, workdir: Path) -> None:
    (workdir / "m.yaml").write_bytes(b"\xef\xbb\xbf" + TENANT.encode())
    result = load_manifests(["m.yaml"])
    assert result.diagnostics == []
    assert str(result.desired.tenants[0].source) == "m.yaml:6:9"


def test_multi_document_empty_documents(write: Write) -> None:
    result = load_one(write, "---\n# nothing\n---\n" + TENANT + "---\n...\n")
    assert result.diagnostics == []
    assert len(result.desired.tenants) == 1


def test_no_traceback_for_garbage(write: Write, workdir: Path) -> None:
    samples = [
        "{{{{",
        "]]]",
        "- - - -",
        ": : :",
        "&a *a",
        "!!binary x",
        "? [a]\n: b\n",
        "'",
    ]
    for index, sample in enumerate(samples):
        (workdir / f"g{index}.yaml").write_text(sample, encoding="utf-8")
    result = load_manifests(sorted(str(path.name) for path in workdir.glob("g*.yaml")))
    assert len(result.files) == len(samples)
    assert all(d.location.line >= 1 and d.location.col >= 1 for d in result.diagnostics)
    assert not result.ok


YAML_CHARACTERS = "ab1 -:#'\"[]{},&*!|>?%@`\t\r\n\\~.\x85\u2028é\x00\ufeff"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=YAML_CHARACTERS, max_size=20),
            st.sampled_from(TENANT.splitlines()),
        ),
        max_size=12,
    )
)
def test_random_text_never_raises(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "m.yaml")
        path.write_text("\n".join(lines), encoding="utf-8", newline="")
        result = load_manifests([path])
    assert len(result.files) == 1
    for diagnostic in result.diagnostics:
        assert diagnostic.location.line >= 1
        assert diagnostic.location.col >= 1
        assert diagnostic.rule_id


def test_merge_of_own_mapping(write: Write) -> None:
    text = (
        HEADER
        + "subscriptions:\n"
        + '  - subscriptionId: "1234567890123456"\n'
        + "    tenants:\n"
        + "      - &self\n"
        + "        <<: *self\n"
        + "        hostname: a.eu.qlikcloud.com\n"
        + "        regionCode: eu-west-1\n"
    )
    result = load_one(write, text)
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/unsupported"
    assert where(diagnostic) == "m.yaml:6:9"
    assert diagnostic.message == "recursive alias: a node cannot contain itself"
    assert diagnostic.hint is not None
    assert result.desired.tenants == []


LAST_INSTANT = "9999-12-31T23:59:59.9999999Z"


def test_timestamp_past_last_date(write: Write) -> None:
    # The fraction rounds up to the next second, past datetime.max.
    result = load_one(write, TENANT + f"        name: {LAST_INSTANT}\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/invalid-value"
    assert where(diagnostic) == "m.yaml:8:15"
    assert "out of range" in diagnostic.message
    assert diagnostic.hint == f'quote it if it is meant as text: "{LAST_INSTANT}"'


def test_timestamp_past_last_date_libyaml(write: Write) -> None:
    # The anchor is outside the fast reader's subset, so libyaml reads the file.
    result = load_one(write, TENANT + f"        name: &n {LAST_INSTANT}\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "yaml/invalid-value"
    assert where(diagnostic) == "m.yaml:8:15"
    assert "out of range" in diagnostic.message


def test_keys_compared_by_type(write: Write) -> None:
    # 1 == True == 1.0 in Python, but the YAML keys 1, true and 1.0 differ.
    text = TENANT + "        1: a\n        true: b\n        1.0: c\n"
    result = load_one(write, text)
    assert by_rule(result.diagnostics, "yaml/duplicate-key") == []
    unknown = by_rule(result.diagnostics, "schema/unknown-key")
    assert [d.message for d in unknown] == [
        "unknown key '1'",
        "unknown key 'true'",
        "unknown key '1.0'",
    ]
    assert [where(d) for d in unknown] == ["m.yaml:8:9", "m.yaml:9:9", "m.yaml:10:9"]


def test_same_integer_key_duplicate(write: Write) -> None:
    result = load_one(write, TENANT + "        1: a\n        0x1: b\n")
    (duplicate,) = by_rule(result.diagnostics, "yaml/duplicate-key")
    assert where(duplicate) == "m.yaml:9:9"
    assert duplicate.message == "duplicate key '0x1': already defined on line 8"


def test_deep_nesting_position(write: Write) -> None:
    # Below libyaml's own limit of 1000 levels, but deeper than Python's
    # recursion limit lets the document be built.
    text = HEADER + "subscriptions: " + "[" * 900 + "]" * 900 + "\n"
    (diagnostic,) = load_one(write, text).diagnostics
    assert diagnostic.rule_id == "yaml/unsupported"
    assert diagnostic.message == "the document is nested too deeply to be read"
    # The root mapping is level 1, so the 100th "[" is the first past the limit.
    assert where(diagnostic) == "m.yaml:3:115"
