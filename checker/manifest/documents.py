"""The result of parsing one YAML file: documents with positions, or a problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.manifest.positions import JsonPath, RootPosition


@dataclass(slots=True)
class ParsedDocument:
    """One YAML document: plain data and the position tree of the same shape.

    ``data`` is None for an empty document. ``bool_words`` lists the
    ``(line, col, text)`` of plain scalars that YAML 1.1 would read as a
    boolean (``yes``, ``off``...); they are strings here.
    """

    index: int
    data: Any
    root: RootPosition
    bool_words: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """A problem found while parsing, before any schema check.

    ``path`` is the JSON path inside document ``document`` when known;
    ``line`` and ``col`` are 1-based.
    """

    rule_id: str
    message: str
    line: int
    col: int
    hint: str | None = None
    document: int | None = None
    path: JsonPath | None = None


@dataclass(slots=True)
class ParsedStream:
    """Every document of a file that could be parsed, and the problems found.

    After a syntax error the documents before it are kept; the rest of the
    file is not read.
    """

    documents: list[ParsedDocument] = field(default_factory=list)
    problems: list[YamlProblem] = field(default_factory=list)
    parser: str = "fast"
