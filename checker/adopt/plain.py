"""Plain Python data from ruamel.yaml round-trip nodes, for comparisons."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import TaggedScalar


def to_plain(node: Any) -> Any:
    """Return a deep copy of ``node`` as dicts, lists and plain scalars, without styles."""
    if isinstance(node, dict):
        return {str(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(value) for value in node]
    if isinstance(node, TaggedScalar):
        return node.value
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node
