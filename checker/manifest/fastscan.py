"""A fast reader for the plain block-style YAML that manifests are written in.

Manifests are mostly lines of ``key: value`` and ``- key: value`` with
one-line scalars. One regular expression classifies every line of such a file
in C, and a short loop builds the data and the position tree from the
indentation. Anything outside that subset makes ``scan`` return None, and the
caller parses the file with libyaml instead: tabs, carriage returns,
anchors, aliases, tags, block and multi-line scalars, flow mappings,
quoted keys, escapes, empty values, duplicate keys and every syntax error.
The subset is chosen so that libyaml and ruamel.yaml read whatever this
reader accepts the same way. The tests check that on a corpus and with
generated documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from typing import Any

from checker.manifest.documents import ParsedDocument
from checker.manifest.scalars import (
    SPECIAL_FIRST_CHARS,
    STR_TAG,
    YAML11_BOOL_WORDS,
    ScalarError,
    construct_plain,
    resolve_plain_tag,
)

# Characters outside the subset: control characters (tab and carriage
# return included), NEL, the Unicode line and paragraph separators, the byte
# order mark and non-characters. YAML versions and parsers treat them
# differently, or reject them.
_OUTSIDE_SUBSET = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)

# A plain scalar: it must not start with an indicator, must not contain
# ": " or " #", and may not end with ":".
_PLAIN = r"""
    (?:[^ \n\-?:,\[\]{}\#&*!|>'"%@`]|-(?=[^ \n]))
    [^ \n:]*(?::+[^ \n:]+)*
    (?:[ ]+[^ \n:\#][^ \n:]*(?::+[^ \n:]+)*)*
"""

# Document markers (``---``, ``...``) come out as a bare value at column 0.
_LINE = re.compile(
    rf"""
    ^(?:
        (?P<indent>[ ]*)
        (?P<dash>-[ ]+(?=[^ \n]))?
        (?:(?P<key>[A-Za-z_][A-Za-z0-9_./-]*):(?:(?P<gap>[ ]+)|$))?
        (?:
            (?P<value>{_PLAIN}|"[^"\\\n]*"|'[^'\n]*'|\[[^\n]*?\])
            (?:[ ]+\#.*|[ ]*)
          | \#.*
          |
        )
      | (?P<bad>.+)
    )$
    """,
    re.MULTILINE | re.VERBOSE,
)
_FLOW_EMPTY = re.compile(r"\[[ ]*\]")
_FLOW_ITEM = re.compile(
    r"""[ ]*("[^"\\]*"|'[^']*'|[A-Za-z0-9_./][A-Za-z0-9_./@+-]*)[ ]*(,[ ]*(\])?|\])"""
)

# Lines are classified in slices of about this many characters, so the
# tuples of the regular expression never hold more than a slice of the file.
_SLICE = 1 << 20


class _OutsideSubset(Exception):
    """The text uses YAML this reader does not handle."""


def scan(text: str) -> list[ParsedDocument] | None:
    """Parse ``text`` if it is in the plain block subset, else return None."""
    if _OUTSIDE_SUBSET.search(text):
        return None
    try:
        return _Scanner().run(text)
    except _OutsideSubset:
        return None


def _iter_rows(text: str) -> Iterator[tuple[str, ...]]:
    """Yield the groups of ``_LINE`` for every line, one slice at a time."""
    # chain() yields the rows in C; a generator would resume once per line.
    return chain.from_iterable(_iter_slices(text))


def _iter_slices(text: str) -> Iterator[list[tuple[str, ...]]]:
    start = 0
    size = len(text)
    while True:
        end = size
        if start + _SLICE < size:
            newline = text.find("\n", start + _SLICE)
            end = size if newline == -1 else newline
        yield _LINE.findall(text, start, end)
        if end >= size:
            return
        start = end + 1


# First characters of values that need more than a table lookup: quotes,
# flow sequences, and plain scalars that may be numbers or dates.
_DIGIT_FIRST = frozenset("-+.0123456789<")
_SLOW_FIRST = _DIGIT_FIRST | frozenset("\"'[")
# Every other plain scalar is a string unless it is one of these words.
_WORD_VALUES = {
    word: construct_plain(word)
    for word in [
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "null",
        "Null",
        "NULL",
        "~",
    ]
}
assert SPECIAL_FIRST_CHARS - _DIGIT_FIRST <= frozenset("tTfFnN~")


def _scalar(value: str) -> Any:
    first = value[0]
    if first == '"' or first == "'":
        return value[1:-1]
    if first in _DIGIT_FIRST:
        try:
            return construct_plain(value)
        except ScalarError:
            # An invalid date or number: the libyaml reader reports it.
            raise _OutsideSubset from None
    return _WORD_VALUES.get(value, value)


class _Scanner:
    """Indentation state of one pass over the lines of a file.

    A frame is ``[is_mapping, column, container, positions]`` for an open
    block collection; columns are 0-based here and 1-based in the tree.
    """

    def __init__(self) -> None:
        self.documents: list[ParsedDocument] = []
        self.keys: dict[str, str] = {}
        self.stack: list[list[Any]] = []
        self._reset()

    def _reset(self) -> None:
        self.stack.clear()
        self.root: tuple[int, int, Any] | None = None
        self.data: Any = None
        self.bool_words: list[tuple[int, int, str]] = []
        self.started = False

    def run(self, text: str) -> list[ParsedDocument]:
        # One loop with local names: this runs once per line of files with
        # hundreds of thousands of lines, so the common line shapes are
        # handled inline and the rare ones in methods.
        stack = self.stack
        keys = self.keys
        lineno = 0
        # The last key read with no value, whose block collection follows:
        # (frame, key, key line, key column).
        pending: tuple[list[Any], str, int, int] | None = None
        for indent, dash, key, gap, value, bad in _iter_rows(text):
            lineno += 1
            if bad:
                raise _OutsideSubset
            if not (dash or key):
                # A blank or comment line, or "---".
                if value:
                    if pending is not None:
                        raise _OutsideSubset
                    self._bare_value(indent, value)
                continue

            col = len(indent)
            if pending is not None:
                self._open_value(pending, lineno, col, bool(dash))
                pending = None
            elif not stack:
                self._open_root(lineno, col, bool(dash))
            top = stack[-1]

            # Close the collections the line is not part of: a "- " line
            # belongs to the sequence in its column, a key to the mapping.
            if dash:
                while top[1] > col or (top[0] and top[1] >= col):
                    stack.pop()
                    if not stack:
                        raise _OutsideSubset
                    top = stack[-1]
                if top[0] or top[1] != col:
                    raise _OutsideSubset
                col += len(dash)
                if not key:
                    if not value:
                        raise _OutsideSubset
                    item, tree = self._value(lineno, col, value)
                    top[2].append(item)
                    top[3].append((lineno, col + 1, tree))
                    continue
                mapping: dict[Any, Any] = {}
                positions: dict[Any, Any] = {}
                top[2].append(mapping)
                top[3].append((lineno, col + 1, positions))
                top = [True, col, mapping, positions]
                stack.append(top)
            elif top[1] != col or not top[0]:
                while top[1] > col or (not top[0] and top[1] >= col):
                    stack.pop()
                    if not stack:
                        raise _OutsideSubset
                    top = stack[-1]
                if not top[0] or top[1] != col:
                    raise _OutsideSubset

            mapping = top[2]
            name = keys.get(key)
            if name is None:
                name = self._new_key(key)
            if name in mapping:
                raise _OutsideSubset
            if not value:
                mapping[name] = None
                pending = (top, name, lineno, col + 1)
                continue
            value_col = col + len(key) + len(gap) + 1
            if value[0] in _SLOW_FIRST:
                item, tree = self._value(lineno, value_col, value)
            else:
                item = _WORD_VALUES.get(value, value)
                tree = None
                if value in YAML11_BOOL_WORDS:
                    self.bool_words.append((lineno, value_col + 1, value))
            mapping[name] = item
            top[3][name] = (lineno, col + 1, lineno, value_col + 1, tree)
        if pending is not None:
            raise _OutsideSubset
        self._end_document()
        return self.documents

    def _new_key(self, key: str) -> str:
        # "true:" or "null:" would be a boolean or null key.
        if resolve_plain_tag(key) != STR_TAG:
            raise _OutsideSubset
        return self.keys.setdefault(key, key)

    def _bare_value(self, indent: str, value: str) -> None:
        """Handle a line with a value and no key: only ``---`` is supported."""
        if indent or value != "---":
            raise _OutsideSubset
        self._end_document()
        self.started = True

    def _end_document(self) -> None:
        if self.started:
            root = self.root if self.root is not None else (1, 1, None)
            self.documents.append(
                ParsedDocument(len(self.documents), self.data, root, self.bool_words)
            )
        self._reset()

    def _open_root(self, lineno: int, col: int, is_sequence: bool) -> None:
        if self.root is not None:
            raise _OutsideSubset
        container: Any = [] if is_sequence else {}
        positions: Any = [] if is_sequence else {}
        self.data = container
        self.root = (lineno, col + 1, positions)
        self.started = True
        self.stack.append([not is_sequence, col, container, positions])

    def _open_value(
        self,
        pending: tuple[list[Any], str, int, int],
        lineno: int,
        col: int,
        is_sequence: bool,
    ) -> None:
        """Open the block collection that is the value of an empty key."""
        frame, key, key_line, key_col = pending
        # A sequence may start in its key's column; a mapping must be deeper.
        # Anything else means the key's value is null, which libyaml handles.
        if col < frame[1] or (col == frame[1] and not is_sequence):
            raise _OutsideSubset
        container: Any = [] if is_sequence else {}
        positions: Any = [] if is_sequence else {}
        frame[2][key] = container
        frame[3][key] = (key_line, key_col, lineno, col + 1, positions)
        self.stack.append([not is_sequence, col, container, positions])

    def _value(self, lineno: int, col: int, value: str) -> tuple[Any, Any]:
        if value[0] == "[":
            return self._flow(lineno, col, value)
        if value in YAML11_BOOL_WORDS:
            self.bool_words.append((lineno, col + 1, value))
        return _scalar(value), None

    def _flow(self, lineno: int, col: int, text: str) -> tuple[list[Any], list[Any]]:
        items: list[Any] = []
        positions: list[Any] = []
        if _FLOW_EMPTY.fullmatch(text):
            return items, positions
        pos = 1
        while pos < len(text):
            match = _FLOW_ITEM.match(text, pos)
            if match is None:
                raise _OutsideSubset
            item = match[1]
            item_col = col + match.start(1) + 1
            if item in YAML11_BOOL_WORDS:
                self.bool_words.append((lineno, item_col, item))
            items.append(_scalar(item))
            positions.append((lineno, item_col, None))
            pos = match.end()
            if match[2] == "]" or match[3]:
                break
        if pos != len(text):
            raise _OutsideSubset
        return items, positions
