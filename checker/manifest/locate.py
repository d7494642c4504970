"""Find where a JSON path of a manifest document is written in its file.

Reports, ``--fix`` and CI annotations need ``file:line`` for a tenant, a
subscription block or a field that a diagnostic or a drift item names.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from checker.manifest.documents import ParsedStream
from checker.manifest.files import display_path, read_manifest_text
from checker.manifest.parse import parse_text
from checker.manifest.positions import PathItem, lookup, parse_json_path
from checker.model import Location


class FilePositions:
    """The positions of every node of one manifest file, parsed once."""

    def __init__(self, file: str, stream: ParsedStream) -> None:
        self.file = file
        self.stream = stream

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FilePositions | None:
        """Parse the file at ``path``; return None if it cannot be read."""
        file = Path(path)
        display = display_path(file)
        text, _unreadable = read_manifest_text(file, display)
        if text is None:
            return None
        return cls(display, parse_text(text))

    def locate(
        self,
        json_path: str | Sequence[PathItem],
        *,
        document: int = 0,
        key: bool = False,
    ) -> Location | None:
        """Return the position of ``json_path`` in document ``document``.

        ``json_path`` is a JSONPath such as ``$.subscriptions[0].tenants[2]``
        or a sequence of keys and indexes. With ``key=True`` the position of
        the last key is returned instead of its value. Returns None when the
        document or the path does not exist.
        """
        items = (
            parse_json_path(json_path)
            if isinstance(json_path, str)
            else tuple(json_path)
        )
        documents = self.stream.documents
        if not 0 <= document < len(documents):
            return None
        found = lookup(documents[document].root, items, key=key)
        if found is None:
            return None
        return Location(self.file, found[0], found[1])


def position_for(
    path: str | os.PathLike[str],
    json_path: str | Sequence[PathItem],
    *,
    document: int = 0,
    key: bool = False,
) -> Location | None:
    """Return where ``json_path`` is written in a manifest file, or None.

    Parses the file each call; use ``FilePositions`` for many lookups.
    """
    positions = FilePositions.load(path)
    if positions is None:
        return None
    return positions.locate(json_path, document=document, key=key)
