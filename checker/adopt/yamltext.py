"""A manifest file as text lines plus the positions ruamel.yaml records for it.

Edits are planned on the round-trip tree and applied to the text lines, so
every line an edit does not touch keeps its bytes. All line numbers here are
0-based, as ruamel.yaml reports them.
"""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from checker.errors import ManifestError


def make_yaml() -> YAML:
    """Return a round-trip loader/dumper that never wraps long lines."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000
    return yaml


@dataclass(frozen=True, slots=True)
class Block:
    """The lines of one item of a block sequence.

    ``start`` is the line of its dash and ``end`` the line after its last
    content line: blank and comment lines that follow the item belong to the
    gap before the next one.
    """

    start: int
    end: int
    dash_col: int


class ManifestText:
    """One manifest file: its lines, line-ending style and round-trip documents."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.original = text
        self.bom = text.startswith("\ufeff")
        body = text[1:] if self.bom else text
        self.newline = "\r\n" if "\r\n" in body else "\n"
        normalized = body.replace("\r\n", "\n")
        self.final_newline = normalized.endswith("\n")
        if self.final_newline:
            normalized = normalized[:-1]
        self.lines: list[str] = normalized.split("\n")
        self._flow_ends: dict[tuple[int, int], tuple[int, int]] | None = None
        try:
            readable = separation_tabs_as_spaces(body)
            self.docs: list[Any] = list(make_yaml().load_all(io.StringIO(readable)))
        except Exception as error:  # ruamel raises many unrelated types
            # Only files that passed validation get here, so the problem is
            # one ruamel.yaml has and the manifest loader does not.
            raise ManifestError(
                f"{path}: cannot parse the file for rewriting with ruamel.yaml: {error}",
                hint="apply the change to this file by hand, because --fix cannot edit it",
            ) from error

    @classmethod
    def read(cls, path: str) -> ManifestText:
        try:
            # Bytes, not read_text(): universal newlines would hide CRLF endings.
            text = Path(path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ManifestError(f"cannot read {path}: {error}") from error
        return cls(path, text)

    def render(self, lines: list[str]) -> str:
        """Join ``lines`` back with the file's line endings, BOM and final newline."""
        text = self.newline.join(lines)
        if self.final_newline or not lines:
            text += self.newline
        return ("\ufeff" if self.bom else "") + text

    # Documents and subscription blocks ---------------------------------

    def subscriptions(self, doc: int) -> CommentedSeq | None:
        data = self.docs[doc]
        if isinstance(data, CommentedMap):
            subs = data.get("subscriptions")
            if isinstance(subs, CommentedSeq):
                return subs
        return None

    def subscription_blocks(self) -> list[tuple[int, int, CommentedMap]]:
        """Return ``(doc, index, block)`` for every subscription block in the file."""
        found = []
        for doc in range(len(self.docs)):
            subs = self.subscriptions(doc)
            for index, block in enumerate(subs or ()):
                if isinstance(block, CommentedMap):
                    found.append((doc, index, block))
        return found

    # Positions -----------------------------------------------------------

    def is_gap_line(self, line: int) -> bool:
        """Return whether ``line`` is blank or contains only a comment."""
        stripped = self.lines[line].strip()
        return not stripped or stripped.startswith("#")

    def indent_of(self, line: int) -> int:
        text = self.lines[line]
        return len(text) - len(text.lstrip(" "))

    def dash_of(self, line: int, col: int) -> tuple[int, int]:
        """Find the dash that opens the sequence item whose node starts at ``line, col``."""
        head = self.lines[line][:col].rstrip()
        if head.endswith("-"):
            return line, len(head) - 1
        for above in range(line - 1, -1, -1):
            stripped = self.lines[above].split("#", 1)[0].rstrip()
            if not stripped:
                continue
            if stripped.lstrip() == "-":
                return above, len(stripped) - 1
            break
        raise self.layout_error(line, "expected a block sequence item here")

    def blocks(self, seq: CommentedSeq) -> list[Block]:
        """Return the line blocks of the items of a block sequence."""
        if seq.fa.flow_style():
            raise self.layout_error(
                seq.lc.line, "the list is in flow style ([...])", "write it as a block list"
            )
        starts = [self.dash_of(*self._item_position(seq, i)) for i in range(len(seq))]
        blocks = []
        for i, (start, dash_col) in enumerate(starts):
            limit = starts[i + 1][0] if i + 1 < len(starts) else self._block_limit(start, dash_col)
            end = limit
            while end > start + 1 and self.is_gap_line(end - 1):
                end -= 1
            blocks.append(Block(start, end, dash_col))
        return blocks

    def _item_position(self, seq: CommentedSeq, index: int) -> tuple[int, int]:
        item = seq[index]
        if isinstance(item, CommentedMap) and not item.fa.flow_style():
            return item.lc.line, item.lc.col
        line, col = seq.lc.item(index)
        return int(line), int(col)

    def _block_limit(self, start: int, dash_col: int) -> int:
        """Return the first line after ``start`` that no longer belongs to the item."""
        for line in range(start + 1, len(self.lines)):
            text = self.lines[line]
            if text.startswith(("---", "...")) and text[3:4] in ("", " ", "\t"):
                return line
            if self.is_gap_line(line):
                continue
            if self.indent_of(line) <= dash_col:
                return line
        return len(self.lines)

    def key_range(self, node: CommentedMap, key: str, block_end: int) -> tuple[int, int]:
        """Return the lines ``[first, end)`` of one key and its value in a block mapping."""
        keys = list(node.keys())
        first = node.lc.key(key)[0]
        position = keys.index(key)
        end = block_end
        if position + 1 < len(keys):
            end = node.lc.key(keys[position + 1])[0]
        while end > first + 1 and self.is_gap_line(end - 1):
            end -= 1
        return first, end

    def flow_mapping_span(self, line: int, col: int) -> tuple[int, int, int] | None:
        """Return where the flow mapping whose node starts at ``line, col`` is.

        The node starts at its anchor or tag when it has one. The result is
        the column of its ``{`` on ``line``, then the line and the column
        just after its ``}``. Returns None when no flow mapping starts
        there, when its ``{`` is on a later line, or when libyaml cannot
        parse the file.
        """
        if self._flow_ends is None:
            self._flow_ends = _flow_mapping_ends(self.lines)
        end = self._flow_ends.get((line, col))
        open_col = self.lines[line].find("{", col)
        if end is None or open_col == -1:
            return None
        return open_col, end[0], end[1]

    def layout_error(self, line: int, problem: str, fix: str | None = None) -> ManifestError:
        return ManifestError(
            f"{self.path}:{line + 1}: cannot rewrite this part of the file: {problem}",
            hint=fix or "edit this part of the file by hand",
        )


def separation_tabs_as_spaces(text: str) -> str:
    """Return ``text`` with each tab outside scalars replaced by one space.

    YAML 1.2 allows tabs as separation inside a line (``name:<TAB>value``)
    and libyaml reads them, but the ruamel.yaml 0.18 scanner rejects them.
    A tab outside every scalar is separation or part of a comment, so the
    swap changes no value, and no column because one character replaces
    one. Tabs inside keys, values and block scalars stay. Text libyaml
    cannot parse is returned unchanged, for ruamel.yaml to report.
    """
    if "\t" not in text:
        return text
    loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    try:
        events = list(pyyaml.parse(text, Loader=loader))
    except pyyaml.YAMLError:
        return text
    line_starts = [0]
    line_starts += [match.end() for match in re.finditer("\n", text)]

    def offset(mark: Any) -> int:
        return int(line_starts[mark.line] + mark.column)

    spans = sorted(
        (offset(event.start_mark), offset(event.end_mark))
        for event in events
        if isinstance(event, pyyaml.ScalarEvent)
    )
    span_starts = [start for start, _ in spans]
    chars = list(text)
    for match in re.finditer("\t", text):
        index = match.start()
        position = bisect.bisect_right(span_starts, index) - 1
        if position < 0 or index >= spans[position][1]:
            chars[index] = " "
    return "".join(chars)


def _flow_mapping_ends(lines: list[str]) -> dict[tuple[int, int], tuple[int, int]]:
    """Map the start of each flow mapping node to the position just after its ``}``.

    Positions are 0-based ``(line, column)``; a node starts at its anchor or
    tag when it has one. libyaml reads the layout as ruamel.yaml does, and
    tabs outside scalars become spaces first, as for ruamel.yaml.
    """
    text = separation_tabs_as_spaces("\n".join(lines))
    loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    ends: dict[tuple[int, int], tuple[int, int]] = {}
    starts: list[tuple[int, int] | None] = []
    try:
        for event in pyyaml.parse(text, Loader=loader):
            if isinstance(event, pyyaml.MappingStartEvent):
                mark = event.start_mark
                starts.append((mark.line, mark.column) if event.flow_style else None)
            elif isinstance(event, pyyaml.MappingEndEvent):
                start = starts.pop()
                if start is not None:
                    ends[start] = (event.end_mark.line, event.end_mark.column)
    except pyyaml.YAMLError:
        return {}
    return ends


def gap_has_blank(text: ManifestText, blocks: list[Block]) -> list[bool]:
    """Return, for each gap between consecutive items, whether it has a blank line."""
    return [
        any(not text.lines[line].strip() for line in range(before.end, after.start))
        for before, after in zip(blocks, blocks[1:])
    ]
