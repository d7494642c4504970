"""Tabs as separation whitespace: valid YAML that ruamel.yaml's scanner rejects."""

from __future__ import annotations

import pytest
import yaml

from checker.adopt.yamltext import ManifestText, separation_tabs_as_spaces


def load(text: str) -> object:
    # libyaml reads tabs as separation; PyYAML's pure-Python scanner does not.
    return yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\tb\n", "a: b\n"),
        ("a: b\t# c\td\n", "a: b # c d\n"),
        ('k: "x\ty"\n', 'k: "x\ty"\n'),
        ("k:\tplain\twith tab\n", "k: plain\twith tab\n"),
        ("k: |\n  a\tb\nz:\t1\n", "k: |\n  a\tb\nz: 1\n"),
        ("- a:\t[x,\ty]\n", "- a: [x, y]\n"),
        ('k: "é"\nb:\t"ü\tx"\n', 'k: "é"\nb: "ü\tx"\n'),
        ("x: 1\r\ny:\t2\r\n", "x: 1\r\ny: 2\r\n"),
    ],
    ids=["after-colon", "comment", "quoted", "plain", "block", "flow", "non-ascii", "crlf"],
)
def test_tabs_outside_scalars(text: str, expected: str) -> None:
    result = separation_tabs_as_spaces(text)
    assert result == expected
    assert load(text) == load(expected)


def test_tabs_invalid_yaml_unchanged() -> None:
    text = "\tbad: 1\n"
    assert separation_tabs_as_spaces(text) == text


def test_tabs_manifest_text_keeps_lines() -> None:
    text = "apiVersion: qlik-drift/v1\nkind:\tTenantManifest\nsubscriptions: []\n"
    manifest = ManifestText("m.yaml", text)
    assert manifest.docs[0]["kind"] == "TenantManifest"
    assert manifest.lines[1] == "kind:\tTenantManifest"
