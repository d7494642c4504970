"""Both readers (fast line reader, libyaml) agree with each other and with ruamel.yaml."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from manifest_reference import reference_documents
from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

from checker.manifest.documents import ParsedDocument
from checker.manifest.fastscan import scan
from checker.manifest.fullparse import parse_full
from checker.manifest.scalars import (
    ScalarError,
    TypedKey,
    construct_plain,
    resolve_plain_tag,
)

REPO = Path(__file__).resolve().parents[2]

CORPUS = {
    "example-emea": (REPO / "examples/manifests/emea.yaml").read_text("utf-8"),
    "example-multi": (REPO / "examples/manifests/americas-apac.yaml").read_text(
        "utf-8"
    ),
    "numbers": "a: 1\nb: '1'\nc: \"1\"\nd: 1.5\ne: 1e3\nf: 0x1F\ng: 0o17\nh: 0755\n"
    "i: 1_000\nj: .inf\nk: -.INF\nl: .nan\nm: +12\nn: -0\no: 9876543210987654\np: .5e3\n",
    "booleans": "a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: true\nh: False\ni: TRUE\n"
    "j: tRue\nk: Yes\n",
    "key-punctuation-mixed": "a-b: 1\nc/d: x\ne.f: [g]\ntrue-x: y\nnull.z:\n  - k-1: v\n",
    "nulls": "a: ~\nb: null\nc: Null\nd: NULL\ne: nUll\nf:\ng: x\n",
    "dates": "a: 2024-01-01\nb: 2024-1-1\nc: 2024-01-01T10:00:00Z\n"
    "d: 2024-01-01 10:00:00.5 +01:00\ne: 2024-01-01t10:00:00\nf: 2024-01-01 1:02:03.1234567\n",
    "anchors-merge": "base: &b {regionCode: eu-west-1, status: active}\nt:\n  - <<: *b\n"
    "    hostname: a.eu.qlikcloud.com\n  - <<: *b\n    status: disabled\n",
    "merge-list": "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  w: 0\n",
    "alias-scalar": "a: &x hello\nb: *x\n",
    "multi-empty": "---\n---\na: 1\n---\n",
    "comments-only": "# just a comment\n  # another\n",
    "empty": "",
    "blank-lines": "\n\n  \na: 1\n\n\nb: 2\n\n",
    "trailing-document": "a: 1\n---\n",
    "document-end": "a: 1\n...\n",
    "unicode": "name: Zürich München 東京 😀\nx: \"naïve — ok\"\ny: 'ü'\n",
    "long-line": "name: " + "x" * 20000 + "\n",
    "long-key-line": "k: " + "word " * 3000 + "end\n",
    "flow-seq": "aliases: [a.example.com, 'b', \"c\", 1, yes, ~]\n",
    "flow-trailing-comma": "a: [x, y, ]\nb: []\nc: [ ]\n",
    "indentless": "tenants:\n- a: 1\n  b: 2\n- c: 3\nz: 1\n",
    "nested-sequence": "a:\n  - - 1\n    - 2\n",
    "comments-after": "a: b # comment\nc: 'd' # c\ne: \"f\"   # c\ng: [1, 2] # c\nh: # c\n  i: 1\n",
    "hash-in-plain": "a: b#c\nd: e #f\n",
    "colon-in-plain": "a: http://x.y/z\nb: a:b\nc: a::b\n",
    "quoted-keys": "'a': 1\n\"b\": 2\n",
    "non-string-keys": "true: 1\nnull: 2\n2: 3\n",
    "crlf": "a: 1\r\nb: 2\r\n",
    "tab-indentation": "a:\n\tb: 1\n",
    "duplicate": "a: 1\na: 2\n",
    "block-scalars": "a: |\n  line1\n  line2\nb: >\n  folded\n  text\n",
    "multiline-plain": "a: one\n  two\nb: 3\n",
    "indented-root": "  a: 1\n  b: 2\n",
    "dash-spaces": "-   a: 1\n    b: 2\n-   c: 3\n",
    "sequence-root": "- 1\n- two\n- - 3\n",
    "empty-value": "a:\nb: 1\n",
    "deep-indentation": "a:\n    b:\n          c: 1\n",
    "escapes": 'a: "x\\ty\\u00e9\\n"\n',
    "single-quote-escape": "a: 'it''s'\n",
    "core-tags": "a: !!str 12\nb: !!int '12'\n",
    "invalid-date": "a: 2024-13-45\n",
    "nbsp": "a: b\u00a0c\n",
    "key-punctuation": "my-key: 1\nkey.with.dot: 2\n",
    "colon-at-end": "a: b:\n",
    "question-mark": "a: ?x\n",
    "dash-values": "a: -x\nb: - x\n",
    "percent-at": "a: 50%\nb: x@y.com\n",
    "brackets-in-plain": "a: x{y}\nb: [x]y\n",
    "equals-merge-values": "a: =\nb: <<\n",
    "marker-comment": "--- # doc\na: 1\n",
    "marker-content": "--- a\n",
    "byte-order-mark": "\ufeffa: 1\n",
    "wrong-indent": "a:\n  b: 1\n c: 2\n",
    "key-after-scalar-deeper": "a: 1\n  b: 2\n",
    "sequence-after-key-same-column": "a: 1\n- b\n",
    "unclosed-flow": "a: [1, 2\n",
    "unclosed-quote": "a: 'open\n",
    "control-char": "a: \x07\n",
}

# Inputs where libyaml and ruamel.yaml 0.18 disagree, and what qlik-drift does.
KNOWN_DIFFERENCES = {
    # YAML 1.2 allows a tab as separator after ':'; ruamel.yaml rejects it.
    "tab-separator": "a:\tb\n",
    # NEL and U+2028 are content in YAML 1.2; libyaml rejects them.
    "next-line": "a: b\x85c\n",
    "line-separator": "a: b\u2028c\n",
}

# Features ruamel.yaml accepts that manifests reject on purpose.
UNSUPPORTED = {
    "set-tag": "a: !!set {x, y}\n",
    "custom-tag": "a: !foo bar\n",
    "recursive-alias": "a: &a [*a]\n",
    "yaml-1.1": "%YAML 1.1\n---\na: yes\n",
}

# The fast reader must accept these, or the agreement tests prove little.
FAST_SUBSET = [
    "example-emea",
    "key-punctuation",
    "key-punctuation-mixed",
    "example-multi",
    "numbers",
    "booleans",
    "dates",
    "multi-empty",
    "comments-only",
    "empty",
    "blank-lines",
    "trailing-document",
    "unicode",
    "long-line",
    "long-key-line",
    "flow-trailing-comma",
    "indentless",
    "comments-after",
    "hash-in-plain",
    "colon-in-plain",
    "indented-root",
    "dash-spaces",
    "deep-indentation",
    "nbsp",
    "percent-at",
    "equals-merge-values",
    "marker-comment",
]


def plain_key(key: Any) -> Any:
    """Return a mapping key as ruamel.yaml stores it: unwrap a TypedKey."""
    return key.value if isinstance(key, TypedKey) else key


def normalized(value: Any) -> Any:
    """Make NaN comparable and keep types visible (1 and True and 1.0 differ)."""
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, dict):
        return {
            normalized(plain_key(key)): normalized(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [normalized(item) for item in value]
    return (type(value).__name__, value)


def comparable_tree(tree: Any, data: Any, keep: Any) -> Any:
    """Restrict a position tree to what ``keep`` (ruamel's tree) records.

    Positions of null values are left out: for ``key:`` with no value,
    libyaml points after the colon and ruamel.yaml at the next token.
    """
    if isinstance(tree, dict) and isinstance(keep, dict):
        result = {}
        for key, entry in tree.items():
            reference_key = plain_key(key)
            if reference_key not in keep:
                continue
            value_position = entry[2:4] if data.get(key) is not None else None
            result[normalized(reference_key)] = (
                entry[:2],
                value_position,
                comparable_tree(entry[4], data.get(key), keep[reference_key][4]),
            )
        return result
    if isinstance(tree, list) and isinstance(keep, list):
        return [
            (
                entry[:2] if item is not None else None,
                comparable_tree(entry[2], item, other[2]),
            )
            for entry, item, other in zip(tree, data, keep)
        ]
    return None


def assert_fast_matches_full(fast: list[ParsedDocument], full: Any) -> None:
    assert full.problems == []
    assert len(fast) == len(full.documents)
    for mine, theirs in zip(fast, full.documents):
        assert normalized(mine.data) == normalized(theirs.data)
        if mine.data is not None:
            assert mine.root == theirs.root
        assert mine.bool_words == theirs.bool_words


def equal_in_python(value: Any) -> bool:
    """Tell whether a mapping has keys that YAML distinguishes but Python does not.

    ``1`` and ``true`` are different YAML keys, but ``1 == True`` in Python.
    ruamel.yaml 0.18 compares keys with ``==`` and rejects such a mapping as
    a duplicate, so it is no reference for it.
    """
    if isinstance(value, dict):
        keys = [plain_key(key) for key in value]
        if len(set(keys)) < len(keys):
            return True
        return any(equal_in_python(item) for item in value.values())
    if isinstance(value, list):
        return any(equal_in_python(item) for item in value)
    return False


# A quoted scalar followed directly by ":" and no space.
ADJACENT_VALUE = re.compile(r"[\"']:(?!\s)")


def assert_full_matches_reference(text: str, full: Any) -> None:
    if any(equal_in_python(document.data) for document in full.documents):
        # test_keys_compared_by_type checks these mappings instead.
        return
    try:
        reference = reference_documents(text)
    except Exception:  # noqa: BLE001 - any ruamel.yaml error means "invalid"
        if ADJACENT_VALUE.search(text):
            # YAML 1.2 lets a value follow a quoted key's ":" directly in a
            # flow sequence (spec example 7.21, ["JSON like":adjacent]), and
            # libyaml reads ['':] as [{'': None}]. ruamel.yaml 0.18 rejects it.
            return
        assert full.problems, "ruamel.yaml rejects the text, qlik-drift accepts it"
        return
    if full.problems:
        # libyaml is stricter than ruamel.yaml on some corner cases ("- :"),
        # and manifests reject tags on purpose: an error is acceptable
        # there, a different meaning never is.
        rejected = {problem.rule_id for problem in full.problems}
        assert rejected <= {"yaml/syntax", "yaml/unsupported"}
        return
    assert [normalized(d.data) for d in full.documents] == [
        normalized(data) for data, _ in reference
    ]
    for document, (data, root) in zip(full.documents, reference):
        if root is None:
            continue
        assert document.root[:2] == root[:2]
        mine = comparable_tree(document.root[2], document.data, root[2])
        theirs = comparable_tree(root[2], data, root[2])
        assert mine == theirs


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_agreement(name: str) -> None:
    text = CORPUS[name].replace("\r\n", "\n").removeprefix("\ufeff")
    full = parse_full(text)
    fast = scan(text)
    if fast is not None:
        assert_fast_matches_full(fast, full)
    assert_full_matches_reference(text, full)


@pytest.mark.parametrize("name", FAST_SUBSET)
def test_fast_reader_accepts(name: str) -> None:
    assert scan(CORPUS[name]) is not None


@pytest.mark.parametrize(
    "name",
    [
        "anchors-merge",
        "block-scalars",
        "duplicate",
        "tab-indentation",
        "escapes",
        "empty-value",
    ],
)
def test_fast_reader_declines(name: str) -> None:
    assert scan(CORPUS[name]) is None


def test_tab_separator_accepted() -> None:
    full = parse_full(KNOWN_DIFFERENCES["tab-separator"])
    assert full.problems == []
    assert full.documents[0].data == {"a": "b"}


@pytest.mark.parametrize("name", ["next-line", "line-separator"])
def test_unicode_line_breaks_rejected(name: str) -> None:
    full = parse_full(KNOWN_DIFFERENCES[name])
    assert [problem.rule_id for problem in full.problems] == ["yaml/syntax"]


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_reported(name: str) -> None:
    full = parse_full(UNSUPPORTED[name])
    assert full.problems
    assert full.problems[0].rule_id in {"yaml/unsupported", "yaml/version"}


def test_syntax_error_keeps_earlier_documents() -> None:
    full = parse_full("a: 1\n---\nb: 2\n---\nc: [\n")
    assert [d.data for d in full.documents] == [{"a": 1}, {"b": 2}]
    assert [p.rule_id for p in full.problems] == ["yaml/syntax"]


def test_rows_across_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lines are classified in slices; a slice boundary must not shift lines.
    from checker.manifest import fastscan

    text = "".join(f"k{index}: v{index}\n" for index in range(500))
    expected = scan(text)
    monkeypatch.setattr(fastscan, "_SLICE", 37)
    sliced = scan(text)
    assert expected is not None
    assert sliced is not None
    assert sliced[0].data == expected[0].data
    assert sliced[0].root == expected[0].root
    assert sliced[0].root[2]["k499"][:2] == (500, 1)


# Generated documents: block-style YAML close to manifests, with tricky scalars.

SCALARS = [
    "yes",
    "no",
    "on",
    "Off",
    "y",
    "N",
    "true",
    "False",
    "~",
    "null",
    "",
    "1",
    "-1",
    "0755",
    "0o17",
    "0x1F",
    "1_000",
    "1.5",
    "1e3",
    ".inf",
    ".NaN",
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "12:30",
    "9876543210987654",
    "acme.eu.qlikcloud.com",
    "Zürich",
    "東京",
    "a b",
    "a#b",
    "a #b",
    "a: b",
    "#x",
    "-x",
    "- x",
    "[x]",
    "x]",
    "{y}",
    "@x",
    "%x",
    "&a",
    "*a",
    "!t",
    "|",
    ">",
    "?x",
    ":x",
    "a:b",
    "http://x/y",
    "'q'",
    '"d"',
    "x" * 100,
    "a\\b",
    "=",
    "<<",
    "it's",
    "-",
    "---",
    "...",
]
KEYS = [
    "hostname",
    "regionCode",
    "name",
    "a",
    "b_c",
    "key-1",
    "yes",
    "true",
    "null",
    "1",
]


def render_scalar(text: str, style: str) -> str:
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


scalar_nodes = st.tuples(
    st.one_of(st.sampled_from(SCALARS), st.text(alphabet="ab1:# -'\"ü", max_size=6)),
    st.sampled_from(["plain", "plain", "single", "double"]),
)
trees = st.recursive(
    scalar_nodes,
    lambda children: st.one_of(
        st.lists(
            st.tuples(st.sampled_from(KEYS), children), min_size=1, max_size=4
        ).map(lambda pairs: ("map", pairs)),
        st.lists(children, min_size=1, max_size=4).map(lambda items: ("seq", items)),
    ),
    max_leaves=12,
)


def is_collection(node: Any) -> bool:
    return node[0] in ("map", "seq") and bool(node[1])


def inline(node: Any) -> str:
    """Render a scalar, or an empty collection as ``[]``."""
    return "[]" if node[0] in ("map", "seq") else render_scalar(*node)


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """Render generated trees as block-style YAML, sometimes damaged."""
    step = draw(st.sampled_from([2, 4]))
    lines: list[str] = []

    def note() -> str:
        return draw(st.sampled_from(["", "", "", "  # note"]))

    def emit_map(pairs: list[Any], indent: int, dash: bool) -> None:
        for index, (key, child) in enumerate(pairs):
            if dash and index == 0:
                head = " " * (indent - 2) + "- " + key + ":"
            else:
                head = " " * indent + key + ":"
            emit_value(child, indent, head)

    def emit_value(child: Any, indent: int, head: str) -> None:
        if not is_collection(child):
            lines.append(f"{head} {inline(child)}{note()}".rstrip())
        elif child[0] == "map":
            lines.append(head + note())
            emit_map(child[1], indent + step, dash=False)
        elif not any(is_collection(item) for item in child[1]) and draw(st.booleans()):
            items = ", ".join(inline(item) for item in child[1])
            lines.append(f"{head} [{items}]{note()}")
        else:
            lines.append(head + note())
            emit_seq(child[1], indent if draw(st.booleans()) else indent + step)

    def emit_seq(items: list[Any], indent: int) -> None:
        for item in items:
            if is_collection(item) and item[0] == "map":
                emit_map(item[1], indent + 2, dash=True)
            elif is_collection(item):
                lines.append(" " * indent + "-")
                emit_seq(item[1], indent + step)
            else:
                lines.append(f"{' ' * indent}- {inline(item)}{note()}".rstrip())

    for index, tree in enumerate(draw(st.lists(trees, min_size=1, max_size=3))):
        if index or draw(st.booleans()):
            lines.append("---")
        emit_map(
            tree[1] if tree[0] == "map" and tree[1] else [("root", tree)], 0, dash=False
        )
        if draw(st.booleans()):
            lines.append("")
    if draw(st.integers(0, 4)) == 0:
        # Damage one line: shift it right by one column.
        position = draw(st.integers(0, len(lines) - 1))
        lines[position] = " " + lines[position]
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_texts())
def test_generated_agreement(text: str) -> None:
    full = parse_full(text)
    fast = scan(text)
    if fast is not None:
        assert_fast_matches_full(fast, full)
    assert_full_matches_reference(text, full)


# NEL and the Unicode line and paragraph separators are line breaks for
# libyaml (YAML 1.1) but content for ruamel.yaml (YAML 1.2): a known difference.
texts = st.text(max_size=8).filter(
    lambda text: not set(text) & {"\x85", "\u2028", "\u2029"}
)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.one_of(
            texts,
            st.integers(),
            st.booleans(),
            st.none(),
            st.floats(allow_nan=False),
        ),
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(texts.filter(bool), children, min_size=1, max_size=3),
        ),
        max_leaves=10,
    )
)
def test_ruamel_dump_roundtrip(data: Any) -> None:
    import io

    out = io.StringIO()
    dumper = YAML(typ="rt")
    dumper.width = 4096
    dumper.dump({"root": data}, out)
    text = out.getvalue()
    full = parse_full(text)
    assert full.problems == []
    assert normalized(full.documents[0].data) == normalized({"root": data})
    fast = scan(text)
    if fast is not None:
        assert_fast_matches_full(fast, full)


# Scalar resolution against ruamel.yaml's own resolver and constructors.


def ruamel_tag(text: str) -> str:
    tag = str(
        VersionedResolver(version=(1, 2)).resolve(ScalarNode, text, (True, False))
    )
    # ruamel.yaml tags "=" as !!value but builds the string "=" from it.
    return tag.replace("value", "str")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789+-._eEoxbTtZz:abfnulsrNY~ ", max_size=12))
def test_plain_tag_matches_ruamel(text: str) -> None:
    assert resolve_plain_tag(text) == ruamel_tag(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789+-._eEoxbTt:Z ", min_size=1, max_size=14))
def test_plain_value_matches_ruamel(text: str) -> None:
    text = text.strip()
    if (
        not text
        or text.startswith(("-", "#", ":", "?"))
        or ": " in text
        or text.endswith(":")
    ):
        return
    try:
        expected = reference_documents(f"v: {text}\n")[0][0]["v"]
    except Exception:  # noqa: BLE001 - ruamel.yaml raised: so must we
        with pytest.raises(ScalarError):
            construct_plain(text)
        return
    assert normalized(construct_plain(text)) == normalized(expected)
