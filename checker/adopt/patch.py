"""Line-level edits of a manifest file: field values, list items, new keys.

Every function here returns replacement lines for a known range and leaves
the lines around it alone. That is what keeps comments, blank lines,
quoting and key order of untouched lines byte-for-byte the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from checker.adopt.render import ListStyle, dump, like, plain_safe, render_entry, render_value
from checker.adopt.yamltext import Block, ManifestText

# Marks a key to delete in a field edit.
DELETE: Any = object()


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace lines ``[start, end)`` with ``lines``; ``start == end`` inserts."""

    start: int
    end: int
    lines: tuple[str, ...]


def apply_edits(lines: Sequence[str], edits: Sequence[Edit]) -> list[str]:
    """Apply non-overlapping edits and return the new lines.

    Edits are applied from the bottom up, so line numbers stay valid. At one
    position a replacement is applied before an insertion, so the inserted
    lines land in front of the replacement, and insertions keep their order.
    """
    result = list(lines)
    previous_start = len(lines) + 1
    ordered = sorted(enumerate(edits), key=lambda p: (p[1].start, p[1].end, p[0]), reverse=True)
    for _, edit in ordered:
        if edit.end > previous_start or edit.start > edit.end:
            raise ValueError(f"overlapping edits at line {edit.start + 1}")
        result[edit.start : edit.end] = edit.lines
        previous_start = edit.start
    return result


def reindent(lines: Sequence[str], delta: int) -> list[str]:
    """Shift lines right by ``delta`` columns, or left when it is negative."""
    if delta >= 0:
        return [(" " * delta + line) if line.strip() else line for line in lines]
    shifted = []
    for line in lines:
        spaces = len(line) - len(line.lstrip(" "))
        shifted.append(line[min(spaces, -delta) :] if line.strip() else line)
    return shifted


def merge_gaps(first: list[str], second: list[str]) -> list[str]:
    """Join two runs of blank and comment lines, with no doubled blank line."""
    if first and second and not first[-1].strip() and not second[0].strip():
        second = second[1:]
    return first + second


def strip_blank_edges(lines: list[str], leading: bool, trailing: bool) -> list[str]:
    start, end = 0, len(lines)
    while leading and start < end and not lines[start].strip():
        start += 1
    while trailing and end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def rewrite_sequence(
    text: ManifestText,
    blocks: Sequence[Block],
    items: dict[int, list[str] | None],
    appended: Sequence[list[str]],
    style: ListStyle,
) -> Edit:
    """Rebuild the lines of a block sequence from its first dash to its last item.

    ``items`` maps an item index to its new lines, or to None to remove the
    item; items not in it keep their lines. Blank and comment lines between
    items stay, so a comment above a removed item is kept. ``appended`` items
    go after the last item, each after a blank line when ``style.blank_lines`` is set.
    """
    out: list[str] = []
    pending: list[str] = []
    emitted = False
    for index, block in enumerate(blocks):
        gap = text.lines[blocks[index - 1].end : block.start] if index else []
        pending = merge_gaps(pending, list(gap))
        if index in items and items[index] is None:
            continue
        if not emitted:
            pending = strip_blank_edges(pending, leading=True, trailing=False)
        body = items.get(index) or text.lines[block.start : block.end]
        out += pending + list(body)
        pending = []
        emitted = True
    out += strip_blank_edges(pending, leading=not emitted, trailing=True)
    for lines in appended:
        if out and style.blank_lines and out[-1].strip():
            out.append("")
        out += lines
    return Edit(blocks[0].start, blocks[-1].end, tuple(out))


def scalar_end(line: str, col: int) -> int | None:
    """Return the column after a one-line scalar or flow collection at ``col``.

    Returns None for anything this cannot bound on one line (block scalars,
    anchors, tags, or values that go on to the next line).
    """
    if col >= len(line):
        return None
    first = line[col]
    if first == '"':
        return _quoted_end(line, col, '"')
    if first == "'":
        return _quoted_end(line, col, "'")
    if first in "[{":
        return _flow_end(line, col)
    if first in "|>&*!%@`":
        return None
    end = len(line)
    comment = line.find(" #", col)
    if comment != -1:
        end = comment
    return len(line[:end].rstrip())


def _quoted_end(line: str, col: int, quote: str) -> int | None:
    index = col + 1
    while index < len(line):
        char = line[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and line[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index + 1
        index += 1
    return None


def _flow_end(line: str, col: int) -> int | None:
    depth = 0
    index = col
    while index < len(line):
        char = line[index]
        if char in "\"'":
            end = _quoted_end(line, index, char)
            if end is None:
                return None
            index = end
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None


class ItemEditor:
    """Field edits of one block mapping that is an item of a block list.

    Line numbers are those of the file; ``lines()`` returns the item's new
    lines, from its dash to its last content line.
    """

    def __init__(self, text: ManifestText, node: CommentedMap, block: Block) -> None:
        self.text = text
        self.node = node
        self.block = block
        self.edits: list[Edit] = []
        self.added: list[str] = []

    def set(self, key: str, value: Any, style: ListStyle) -> None:
        """Set ``key`` to ``value``, keeping the old value's quoting style."""
        if key not in self.node:
            self.added += render_entry(key, value, self.node.lc.col, style)
            return
        old = self.node[key]
        if isinstance(value, str):
            value = like(value, old)
        if isinstance(old, CommentedSeq) and isinstance(value, CommentedSeq):
            if not old.fa.flow_style():
                self._set_block_list(key, value, style)
                return
        first, end = self.text.key_range(self.node, key, self.block.end)
        line, col = self.node.lc.value(key)
        rendered = render_value(value)
        text = self.text.lines[line]
        stop = scalar_end(text, col) if line == first and end == first + 1 else None
        if rendered is not None and stop is not None:
            self.edits.append(Edit(line, line + 1, (text[:col] + rendered + text[stop:],)))
            return
        lines = render_entry(key, value, self.node.lc.key(key)[1], style)
        self.edits.append(Edit(first, end, tuple(lines)))

    def delete(self, key: str) -> None:
        if key in self.node:
            first, end = self.text.key_range(self.node, key, self.block.end)
            self.edits.append(Edit(first, end, ()))

    def _set_block_list(self, key: str, value: CommentedSeq, style: ListStyle) -> None:
        """Replace the items of a block list value, in the layout of its first item.

        Items that stay keep their own line, inline comment included.
        """
        old = self.node[key]
        first, end = self.text.key_range(self.node, key, self.block.end)
        key_line, key_col = self.node.lc.key(key)
        if not len(value):
            self.edits.append(Edit(first, end, tuple(render_entry(key, value, key_col, style))))
            return
        dash_line, dash_col = old.lc.line, old.lc.col
        after_dash = self.text.lines[dash_line][dash_col + 1 :]
        gap = " " * max(1, len(after_dash) - len(after_dash.lstrip(" ")))
        kept = self._single_line_items(old, end)
        items = []
        for entry in value:
            line = kept.get(str(entry))
            if line is None:
                line = " " * dash_col + "-" + gap + (render_value(entry) or str(entry))
            items.append(line)
        head = self.text.lines[key_line:dash_line]
        self.edits.append(Edit(first, end, tuple(head + items)))

    def _single_line_items(self, seq: CommentedSeq, end: int) -> dict[str, str]:
        """Map each scalar item of a block list to its line, when it has one line."""
        lines: dict[str, str] = {}
        for index, entry in enumerate(seq):
            line = seq.lc.item(index)[0]
            following = seq.lc.item(index + 1)[0] if index + 1 < len(seq) else end
            if isinstance(entry, str) and following == line + 1:
                lines.setdefault(str(entry), self.text.lines[line])
        return lines

    def lines(self) -> list[str]:
        start, end = self.block.start, self.block.end
        local = [Edit(e.start - start, e.end - start, e.lines) for e in self.edits]
        result = apply_edits(self.text.lines[start:end], local)
        return result + self.added

    @property
    def changed(self) -> bool:
        return bool(self.edits or self.added)


FLOW_ITEM_FIX = "rewrite it in block style or apply the change by hand"


class FlowItemEditor:
    """Field edits of a one-line flow mapping (``- {...}``) that is an item of a block list.

    The mapping is rendered again as a whole, from its ``{`` to its ``}``:
    keys keep their order, and values that stay keep their quoting. The text
    around it on the line, such as an anchor or a comment, stays. A flow
    mapping over several lines is not edited, because rendering it on one
    line would drop the comments and line breaks inside it.
    """

    def __init__(self, text: ManifestText, node: CommentedMap, block: Block) -> None:
        self.text = text
        self.block = block
        self.values = CommentedMap((key, node[key]) for key in node)
        self.changed = False
        span = text.flow_mapping_span(node.lc.line, node.lc.col)
        if span is None or block.end != block.start + 1 or span[1] != block.start:
            raise text.layout_error(
                node.lc.line,
                "the tenant is a flow mapping ({...}) over several lines",
                FLOW_ITEM_FIX,
            )
        self.open_col, _, self.close_col = span

    def set(self, key: str, value: Any, style: ListStyle) -> None:
        """Set ``key`` to ``value``, keeping the old value's quoting style."""
        if isinstance(value, str):
            value = like(value, self.values[key]) if key in self.values else plain_safe(value)
        self.values[key] = value
        self.changed = True

    def delete(self, key: str) -> None:
        if key in self.values:
            del self.values[key]
            self.changed = True

    def lines(self) -> list[str]:
        line = self.text.lines[self.block.start]
        if not self.changed:
            return [line]
        mapping = CommentedMap(self.values)
        mapping.fa.set_flow_style()
        rendered = dump([mapping])
        if len(rendered) != 1 or not rendered[0].startswith("- {"):
            raise self.text.layout_error(
                self.block.start, "the tenant's new values do not fit on one line", FLOW_ITEM_FIX
            )
        return [line[: self.open_col] + rendered[0][2:] + line[self.close_col :]]
