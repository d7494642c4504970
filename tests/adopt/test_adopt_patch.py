from __future__ import annotations

import pytest

from checker.adopt.patch import Edit, apply_edits, reindent, rewrite_sequence, scalar_end
from checker.adopt.render import (
    ListStyle,
    manifest_tenant,
    plain_safe,
    reconcile_hostnames,
    render_item,
)
from checker.adopt.yamltext import ManifestText

LIST = """\
tenants:
  # first
  - hostname: a.example
    regionCode: eu-west-1

  # before b
  - hostname: b.example
    regionCode: eu-west-1

  - hostname: c.example  # last
    regionCode: eu-west-1
# trailing
"""


def sequence_edit(text: str, items: dict[int, list[str] | None], appended: list[list[str]]) -> str:
    manifest = ManifestText("t.yaml", text)
    blocks = manifest.blocks(manifest.docs[0]["tenants"])
    edit = rewrite_sequence(manifest, blocks, items, appended, ListStyle())
    return manifest.render(apply_edits(manifest.lines, [edit]))


@pytest.mark.parametrize(
    ("line", "col", "end"),
    [
        ("name: Acme Prod  # shown", 6, 15),
        ("name: 'it''s'  # c", 6, 13),
        ('name: "a \\" b" # c', 6, 14),
        ("aliases: [a, 'b, c']  # c", 9, 20),
        ("name: plain", 6, 11),
        ("name: |", 6, None),
        ("name: &anchor x", 6, None),
        ("name: 'open", 6, None),
    ],
    ids=["plain-comment", "single", "double", "flow", "plain", "block", "anchor", "open"],
)
def test_scalar_end(line: str, col: int, end: int | None) -> None:
    assert scalar_end(line, col) == end


def test_blocks_exclude_trailing_gap() -> None:
    manifest = ManifestText("t.yaml", LIST)
    blocks = manifest.blocks(manifest.docs[0]["tenants"])
    assert [(b.start, b.end) for b in blocks] == [(2, 4), (6, 8), (9, 11)]
    assert {b.dash_col for b in blocks} == {2}


def test_remove_middle_keeps_comment() -> None:
    result = sequence_edit(LIST, {1: None}, [])
    assert "  # before b\n" in result
    assert "b.example" not in result
    assert "\n\n\n" not in result


def test_remove_first_drops_leading_blank() -> None:
    result = sequence_edit(LIST, {0: None}, [])
    assert result.startswith("tenants:\n  # first\n  # before b\n  - hostname: b.example\n")


def test_remove_last_keeps_trailing_comment() -> None:
    result = sequence_edit(LIST, {2: None}, [])
    assert result.endswith("    regionCode: eu-west-1\n# trailing\n")
    assert "c.example" not in result


def test_append_after_last_item() -> None:
    result = sequence_edit(LIST, {}, [["  - hostname: d.example", "    regionCode: x"]])
    expected_tail = (
        "  - hostname: c.example  # last\n    regionCode: eu-west-1\n\n"
        "  - hostname: d.example\n    regionCode: x\n# trailing\n"
    )
    assert result.endswith(expected_tail)


def test_untouched_sequence_is_identical() -> None:
    assert sequence_edit(LIST, {}, []) == LIST


def test_apply_edits_rejects_overlap() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits(["a", "b", "c"], [Edit(0, 2, ("x",)), Edit(1, 3, ("y",))])


def test_apply_edits_insert_before_replacement() -> None:
    result = apply_edits(["a", "b"], [Edit(1, 1, ("new",)), Edit(1, 2, ("B",))])
    assert result == ["a", "new", "B"]


def test_apply_edits_keeps_insertion_order() -> None:
    result = apply_edits(["a", "b"], [Edit(2, 2, ("first",)), Edit(2, 2, ("second",))])
    assert result == ["a", "b", "first", "second"]


def test_reindent_both_ways() -> None:
    assert reindent(["  - a", "    b", ""], 2) == ["    - a", "      b", ""]
    assert reindent(["    - a", "      b"], -2) == ["  - a", "    b"]


@pytest.mark.parametrize(
    ("hostname", "aliases", "live", "expected"),
    [
        ("a.example", ["x"], ["a.example", "x", "y"], ("a.example", ["x", "y"])),
        ("A.Example", [], ["a.example"], ("A.Example", [])),
        ("old.example", ["x"], ["new.example", "x"], ("new.example", ["x"])),
        ("a.example", ["x", "y"], ["a.example", "y"], ("a.example", ["y"])),
        ("a.example", ["X"], ["a.example", "x", "x"], ("a.example", ["X"])),
    ],
    ids=["added", "case", "renamed", "dropped", "repeat"],
)
def test_reconcile_hostnames(
    hostname: str, aliases: list[str], live: list[str], expected: tuple[str, list[str]]
) -> None:
    assert reconcile_hostnames(hostname, aliases, live) == expected


def test_plain_safe_quotes_yaml11_words() -> None:
    assert plain_safe("yes").style == '"'
    assert plain_safe("on").style == '"'
    assert plain_safe("eu-west-1") == "eu-west-1"
    assert not hasattr(plain_safe("eu-west-1"), "style")


def test_manifest_tenant_fields() -> None:
    live = {
        "id": "T1",
        "name": "Acme",
        "status": "disabled",
        "hostnames": ["a.example", "b.example", "A.EXAMPLE"],
        "regionCode": "eu-west-1",
        "countryCode": "IE",
    }
    fields = manifest_tenant(live)
    assert list(fields) == ["hostname", "id", "name", "regionCode", "status", "aliases"]
    assert list(fields["aliases"]) == ["b.example"]


def test_manifest_tenant_omits_active() -> None:
    fields = manifest_tenant({"id": "T1", "status": "active", "hostnames": ["a.example"]})
    assert "status" not in fields
    assert "aliases" not in fields


def test_render_item_never_wraps() -> None:
    name = "Acme " + "x" * 300
    lines = render_item({"hostname": "a.example", "name": name}, 4, ListStyle())
    assert lines == ["    - hostname: a.example", f"      name: {name}"]
