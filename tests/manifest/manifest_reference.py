"""Read YAML with ruamel.yaml, the reference for what a manifest means.

The tests compare both of qlik-drift's readers with this one: same data, and
the same positions wherever ruamel.yaml records them.
"""

from __future__ import annotations

import datetime
import warnings
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar


def reference_documents(text: str) -> list[tuple[Any, Any]]:
    """Return ``(data, root position)`` for every document of ``text``.

    A new ``YAML`` object per call: one that has read a ``%YAML 1.1``
    document keeps reading YAML 1.1 afterwards.
    """
    loader = YAML(typ="rt")
    with warnings.catch_warnings():
        # ruamel.yaml warns about a reused anchor name; YAML allows it.
        warnings.simplefilter("ignore")
        documents = list(loader.load_all(text))
    return [(plain(document), root_position(document)) for document in documents]


def plain(value: Any) -> Any:
    """Convert ruamel.yaml's round-trip types into plain Python values."""
    if isinstance(value, CommentedMap):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, CommentedSeq):
        return [plain(item) for item in value]
    if isinstance(value, TaggedScalar):
        return value.value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.datetime):
        return datetime.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
        )
    if isinstance(value, str):
        return str(value)
    return value


def root_position(value: Any) -> Any:
    if isinstance(value, (CommentedMap, CommentedSeq)):
        return (value.lc.line + 1, value.lc.col + 1, tree(value))
    return None


def tree(value: Any) -> Any:
    """Build the position tree of ``checker.manifest.positions`` from ``lc`` data."""
    if isinstance(value, CommentedMap):
        result = {}
        for key, item in value.items():
            recorded = value.lc.data.get(key)
            if recorded is None:
                # Keys that come from a "<<" merge have no position here.
                continue
            key_line, key_col, value_line, value_col = recorded
            result[plain(key)] = (
                key_line + 1,
                key_col + 1,
                value_line + 1,
                value_col + 1,
                tree(item),
            )
        return result
    if isinstance(value, CommentedSeq):
        items = []
        for index, item in enumerate(value):
            line, col = value.lc.item(index)
            items.append((line + 1, col + 1, tree(item)))
        return items
    return None
