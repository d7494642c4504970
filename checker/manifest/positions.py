"""Positions of YAML nodes, kept beside the parsed data, and JSON paths.

A parsed document is plain Python data plus a position tree of the same shape.
Every position is a 1-based ``(line, col)``. The tree uses tuples and dicts
rather than objects because a 100,000-tenant manifest has millions of
positions:

- a mapping is ``MapPositions``: for each key, ``(key_line, key_col,
  value_line, value_col, child)``;
- a sequence is ``SeqPositions``: for each item, ``(line, col, child)``;
- ``child`` is the tree of the value or item, or None for a scalar.

A block mapping or sequence starts at its first key or first ``-``; a tenant
``- hostname: x`` therefore starts at ``hostname``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

PathItem: TypeAlias = str | int | Any
JsonPath: TypeAlias = tuple[PathItem, ...]
FieldPosition: TypeAlias = tuple[int, int, int, int, Any]
MapPositions: TypeAlias = dict[Any, FieldPosition]
ItemPosition: TypeAlias = tuple[int, int, Any]
SeqPositions: TypeAlias = list[ItemPosition]
# The root of a document: where its content starts and the tree below.
RootPosition: TypeAlias = tuple[int, int, Any]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PATH_TOKEN = re.compile(
    r"\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\[(?P<index>[0-9]+)\]"
    r"|\['(?P<quoted>(?:[^'\\]|\\.)*)'\]"
)


def format_json_path(path: Sequence[PathItem]) -> str:
    """Format a path as JSONPath: ``$.subscriptions[0].tenants[2].regionCode``."""
    parts = ["$"]
    for item in path:
        if isinstance(item, int) and not isinstance(item, bool):
            parts.append(f"[{item}]")
        elif isinstance(item, str) and _IDENTIFIER.fullmatch(item):
            parts.append(f".{item}")
        else:
            text = str(item).replace("\\", "\\\\").replace("'", "\\'")
            parts.append(f"['{text}']")
    return "".join(parts)


def parse_json_path(text: str) -> JsonPath:
    """Parse a JSONPath written by ``format_json_path`` back into its items.

    Raises ValueError for any other syntax.
    """
    if not text.startswith("$"):
        raise ValueError(f"invalid JSON path {text!r}: it must start with '$'")
    items: list[PathItem] = []
    pos = 1
    while pos < len(text):
        match = _PATH_TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"invalid JSON path {text!r} at character {pos + 1}")
        if match["name"] is not None:
            items.append(match["name"])
        elif match["index"] is not None:
            items.append(int(match["index"]))
        else:
            items.append(re.sub(r"\\(.)", r"\1", match["quoted"]))
        pos = match.end()
    return tuple(items)


def lookup(
    root: RootPosition, path: Sequence[PathItem], *, key: bool = False
) -> tuple[int, int] | None:
    """Return the ``(line, col)`` of the node at ``path``, or None if absent.

    With ``key=True`` the position of the last mapping key is returned
    instead of its value. The root's own position is returned for ``()``.
    """
    line, col, tree = root
    for depth, item in enumerate(path):
        entry = _child_entry(tree, item)
        if entry is None:
            return None
        if len(entry) == 5:
            if key and depth == len(path) - 1:
                return entry[0], entry[1]
            line, col, tree = entry[2], entry[3], entry[4]
        else:
            line, col, tree = entry
    return line, col


def nearest(root: RootPosition, path: Sequence[PathItem]) -> tuple[int, int]:
    """Return the position of ``path`` or, if it is absent, of its nearest parent."""
    for cut in range(len(path), -1, -1):
        found = lookup(root, path[:cut])
        if found is not None:
            return found
    return root[0], root[1]


def _child_entry(tree: Any, item: PathItem) -> tuple[Any, ...] | None:
    if isinstance(tree, dict):
        entry: tuple[Any, ...] | None = tree.get(item)
        return entry
    if isinstance(tree, list) and isinstance(item, int) and 0 <= item < len(tree):
        return tuple(tree[item])
    return None


def walk_values(root: RootPosition) -> Iterator[tuple[JsonPath, int, int]]:
    """Yield ``(path, line, col)`` for every node of the tree, parents first."""
    stack: list[tuple[JsonPath, int, int, Any]] = [((), root[0], root[1], root[2])]
    while stack:
        path, line, col, tree = stack.pop()
        yield path, line, col
        if isinstance(tree, dict):
            for name, (_kl, _kc, vline, vcol, child) in reversed(list(tree.items())):
                stack.append(((*path, name), vline, vcol, child))
        elif isinstance(tree, list):
            for index in range(len(tree) - 1, -1, -1):
                iline, icol, child = tree[index]
                stack.append(((*path, index), iline, icol, child))
