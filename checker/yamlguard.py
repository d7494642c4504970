"""Limits and error positions for reading YAML that a user wrote.

The manifest, policy and simulator state loaders share these limits, so a
file that one of them rejects as nested too deeply or as an alias bomb is
rejected by the others too. ``load_round_trip`` reads a policy or state file
with ruamel.yaml and turns every way that reading can fail into a
``YamlInputError`` with a 1-based line and column.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

# Mappings and lists may nest this deep. The files read here need fewer than
# ten levels. ruamel.yaml 0.18.17 loads recursively and, with Python's default
# recursion limit of 1000, failed between 400 and 500 levels when measured.
MAX_DEPTH = 100
# Aliases may repeat a node, but the data they expand to must stay within
# this factor of the collections written in the file, plus the slack (a guard
# against "billion laughs" documents that would make validation run for hours).
MAX_EXPANSION_FACTOR = 10
MAX_EXPANSION_SLACK = 100_000

_CORE_TAG_PREFIX = "tag:yaml.org,2002:"
_TAG_CONTEXT = "while converting a tagged value"
_DUPLICATE_CONTEXT = "while checking the keys of a mapping"
_OWN_HINTS = {
    _TAG_CONTEXT: "remove the tag (such as !!int), or write a value the tag accepts",
    _DUPLICATE_CONTEXT: "keep one of the two keys",
}
_DEPTH_HINT = "a qlik-drift file needs only a few levels of nesting"
_ALIAS_HINT = "repeat the values instead of nesting aliases of aliases"


class YamlInputError(Exception):
    """A YAML text that cannot be read, at a 1-based ``line`` and ``col``."""

    def __init__(self, line: int, col: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message
        self.hint = hint


def expansion_exceeded(expanded: int, written: int) -> bool:
    """Tell whether ``expanded`` values are too many for ``written`` collections."""
    return expanded > MAX_EXPANSION_FACTOR * written + MAX_EXPANSION_SLACK


def find_deep_nesting(text: str, limit: int = MAX_DEPTH) -> tuple[int, int] | None:
    """Return the 1-based position of the first collection nested deeper than ``limit``.

    libyaml's parser produces events without recursion, so this pass is safe
    on any input. Syntax errors are left to the caller's parser, except
    libyaml's own nesting limit, which is a nesting problem too.
    """
    import yaml

    parser = _event_parser()(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return None
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limit:
                    mark = event.start_mark
                    return mark.line + 1, mark.column + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        if mark is not None and "nesting depth" in (error.problem or ""):
            return mark.line + 1, mark.column + 1
        return None
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()


def _event_parser() -> Callable[[str], Any]:
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        from yaml.loader import BaseLoader

        return BaseLoader
    parser: Callable[[str], Any] = CParser
    return parser


def load_round_trip(text: str, constructor: type[Any] | None = None) -> Any:
    """Parse one YAML 1.2 document with ruamel.yaml's round-trip loader.

    ``constructor`` replaces ``RoundTripConstructor``. The result keeps
    ruamel's line and column data. Raises YamlInputError for a syntax error,
    a character YAML does not allow, a value that its tag cannot convert,
    nesting deeper than ``MAX_DEPTH`` and aliases that expand past the limit.
    Messages name keys, never values, so that a file with secrets in it can
    be reported.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    deep = find_deep_nesting(text)
    if deep is not None:
        message = f"mappings and lists are nested more than {MAX_DEPTH} levels deep"
        raise YamlInputError(*deep, message, _DEPTH_HINT)
    yaml = YAML(typ="rt")
    yaml.Constructor = _checked_constructor(constructor)
    try:
        root = yaml.load(text)
    except MarkedYAMLError as error:
        raise _marked_error(error) from None
    except ReaderError as error:
        raise _reader_error(error, text) from None
    except RecursionError:
        # Only when the caller's stack is already deep: find_deep_nesting
        # keeps the nesting far below the recursion limit.
        message = "the document is nested too deeply to be read"
        raise YamlInputError(1, 1, message, _DEPTH_HINT) from None
    check_aliases(root)
    return root


def check_aliases(root: Any) -> None:
    """Raise YamlInputError if ``root`` contains itself or expands past the limit.

    A collection that aliases repeat is counted once per use, and each
    distinct collection once as written.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def expanded_size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            line, col = _own_position(node)
            message = "recursive alias: a mapping or list contains itself"
            raise YamlInputError(line, col, message, _ALIAS_HINT)
        active.add(key)
        children = node.values() if isinstance(node, dict) else node
        total = 1 + sum(expanded_size(child) for child in children)
        active.discard(key)
        sizes[key] = total
        return total

    expanded = expanded_size(root)
    if expansion_exceeded(expanded, len(sizes)):
        line, col = _own_position(root)
        message = (
            f"aliases in this file expand to {expanded} values, more than "
            f"{MAX_EXPANSION_FACTOR} times the {len(sizes)} mappings and lists written"
        )
        raise YamlInputError(line, col, message, _ALIAS_HINT)


def _own_position(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return 1, 1
    return int(lc.line) + 1, int(lc.col) + 1


def _marked_error(error: Any) -> YamlInputError:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if error.context in _OWN_HINTS:
        # Raised by CheckedConstructor, whose problem text is the whole message.
        problem = error.problem
        hint = _OWN_HINTS[error.context]
    else:
        problem = " ".join(part for part in (error.context, error.problem) if part)
        hint = "fix the syntax at that position; check indentation and quotes"
    return YamlInputError(line, col, f"invalid YAML: {problem or 'syntax error'}", hint)


def _reader_error(error: Any, text: str) -> YamlInputError:
    # ruamel.yaml reads a str, so the position counts characters.
    position = max(0, min(int(error.position), len(text)))
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    character = error.character
    code = f"U+{character:04X}" if isinstance(character, int) else repr(character)
    return YamlInputError(
        line,
        col,
        f"invalid YAML: character {code} is not allowed in a YAML file",
        "remove the character, or write it as an escape in a double-quoted string",
    )


def short_tag(tag: Any) -> str:
    """Return a YAML tag as written: ``!!int`` for ``tag:yaml.org,2002:int``."""
    text = str(getattr(tag, "value", tag))
    if text.startswith(_CORE_TAG_PREFIX):
        return "!!" + text.removeprefix(_CORE_TAG_PREFIX)
    return text


@lru_cache(maxsize=4)
def _checked_constructor(base: type[Any] | None) -> type[Any]:
    """Return a subclass of ``base`` whose errors have positions and no values.

    ruamel.yaml converts explicitly tagged scalars (``!!int abc``) with int(),
    float() and dict lookups, whose ValueError or KeyError has no position,
    and its duplicate-key message quotes both values.
    """
    from ruamel.yaml.comments import TaggedScalar
    from ruamel.yaml.constructor import (
        ConstructorError,
        DuplicateKeyError,
        RoundTripConstructor,
    )

    parent: type[Any] = base if base is not None else RoundTripConstructor

    class CheckedConstructor(parent):  # type: ignore[misc, valid-type]
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                value = super().construct_object(node, deep=deep)
            except (ValueError, KeyError, IndexError, TypeError, OverflowError):
                raise ConstructorError(
                    _TAG_CONTEXT,
                    None,
                    f"the value cannot be read as {short_tag(node.tag)}",
                    node.start_mark,
                ) from None
            # ruamel.yaml keeps "!!str 5" as a TaggedScalar; it is the string "5".
            if isinstance(value, TaggedScalar) and short_tag(value.tag) == "!!str":
                return str(value.value)
            return value

        def check_mapping_key(
            self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any
        ) -> bool:
            if key in mapping:
                raise DuplicateKeyError(
                    _DUPLICATE_CONTEXT,
                    node.start_mark,
                    f'duplicate key "{key}"',
                    key_node.start_mark,
                )
            return True

    return CheckedConstructor
