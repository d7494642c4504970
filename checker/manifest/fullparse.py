"""Parse any YAML text with libyaml (PyYAML's C parser) into data and positions.

libyaml composes the node tree. Scalars are resolved with the YAML 1.2 rules
of ``checker.manifest.scalars`` instead of PyYAML's YAML 1.1 ones, and the
data is built here so that every node keeps its position. Anchors, aliases
and merge keys (``<<``) are supported. Duplicate keys, unsupported tags,
recursive aliases and syntax errors become problems with a line and column,
never exceptions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from checker.manifest import rules
from checker.manifest.documents import ParsedDocument, ParsedStream, YamlProblem
from checker.manifest.positions import JsonPath
from checker.manifest.scalars import (
    MAP_TAG,
    MERGE_TAG,
    SEQ_TAG,
    STR_TAG,
    YAML11_BOOL_WORDS,
    ScalarError,
    TypedKey,
    construct_tagged,
    resolve_plain_tag,
)
from checker.yamlguard import expansion_exceeded, find_deep_nesting

if TYPE_CHECKING:
    import yaml

_CORE_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_VERSION_DIRECTIVE = re.compile(r"^%YAML[ \t]+(\S+)", re.MULTILINE)
_SKIP = object()


def parse_full(text: str) -> ParsedStream:
    """Parse every document of ``text``; stop at the first syntax error."""
    import yaml

    stream = ParsedStream(parser="libyaml")
    _check_version(text, stream)
    loader = _loader_class()(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            builder = _DocumentBuilder(len(stream.documents), stream.problems)
            stream.documents.append(builder.document(node))
    except yaml.MarkedYAMLError as error:
        stream.problems.append(_syntax_problem(error, text))
    except yaml.reader.ReaderError as error:
        stream.problems.append(_reader_problem(error, text))
    except RecursionError:
        line, col = find_deep_nesting(text) or (1, 1)
        stream.problems.append(
            YamlProblem(
                rules.YAML_UNSUPPORTED,
                "the document is nested too deeply to be read",
                line,
                col,
                hint="a manifest needs only a few levels of nesting",
            )
        )
    finally:
        loader.dispose()
    return stream


def _check_version(text: str, stream: ParsedStream) -> None:
    for match in _VERSION_DIRECTIVE.finditer(text):
        if match[1] != "1.2":
            line = text.count("\n", 0, match.start()) + 1
            stream.problems.append(
                YamlProblem(
                    rules.YAML_VERSION,
                    f"'%YAML {match[1]}' directive: qlik-drift reads YAML 1.2 only",
                    line,
                    1,
                    hint="remove the directive; the file is read as YAML 1.2",
                )
            )


_LOADER: type[Any] | None = None


def _loader_class() -> type[Any]:
    """Return a libyaml parser class that resolves plain scalars as YAML 1.2."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    from yaml._yaml import CParser
    from yaml.nodes import ScalarNode, SequenceNode
    from yaml.resolver import BaseResolver

    class Yaml12Parser(CParser, BaseResolver):  # type: ignore[misc, unused-ignore]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            BaseResolver.__init__(self)

        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
            if kind is ScalarNode:
                return resolve_plain_tag(value) if implicit[0] else STR_TAG
            return SEQ_TAG if kind is SequenceNode else MAP_TAG

    _LOADER = Yaml12Parser
    return _LOADER


def _syntax_problem(error: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    problem = error.problem or "invalid YAML"
    message = f"invalid YAML: {problem}"
    if error.context and error.context_mark is not None and error.context_mark != mark:
        where = f"line {error.context_mark.line + 1}, column {error.context_mark.column + 1}"
        message += f" ({error.context} at {where})"
    tab_col = _tab_in_indentation(text, line)
    if tab_col is not None:
        return YamlProblem(
            rules.YAML_TAB,
            "tab character in indentation: YAML indents with spaces only",
            line,
            tab_col,
            hint="replace the tab with spaces",
        )
    return YamlProblem(
        rules.YAML_SYNTAX, message, line, col, hint=_syntax_hint(problem)
    )


def _tab_in_indentation(text: str, line: int) -> int | None:
    """Return the column of a tab in the leading whitespace of ``line``."""
    lines = text.split("\n", line)
    if len(lines) < line:
        return None
    current = lines[line - 1]
    indent = current[: len(current) - len(current.lstrip(" \t"))]
    position = indent.find("\t")
    return position + 1 if position >= 0 else None


def _syntax_hint(problem: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, or the indentation is wrong"
    if "could not find expected ':'" in problem:
        return "check the indentation and that every key ends with ':'"
    if (
        "did not find expected key" in problem
        or "expected <block end>" in problem
        or "did not find expected '-' indicator" in problem
    ):
        return "check that the lines of this block are indented the same way"
    if "found undefined alias" in problem:
        return "define the anchor (&name) before using the alias (*name)"
    return None


def _reader_problem(error: yaml.reader.ReaderError, text: str) -> YamlProblem:
    # libyaml reports the offset in the UTF-8 encoding of the text.
    prefix = text.encode("utf-8")[: error.position].decode("utf-8", "replace")
    line = prefix.count("\n") + 1
    col = len(prefix) - (prefix.rfind("\n") + 1) + 1
    character = error.character
    code = f"U+{character:04X}" if isinstance(character, int) else repr(character)
    return YamlProblem(
        rules.YAML_SYNTAX,
        f"invalid YAML: character {code} is not allowed in a YAML file",
        line,
        col,
        hint="remove the character or write it as an escape in a double-quoted string",
    )


class _DocumentBuilder:
    """Build the data and position tree of one composed document."""

    def __init__(self, index: int, problems: list[YamlProblem]) -> None:
        self.index = index
        self.problems = problems
        # id(node) -> (value, tree, expanded size): an alias returns the same data.
        self.memo: dict[int, tuple[Any, Any, int]] = {}
        self.active: set[int] = set()
        self.bool_words: list[tuple[int, int, str]] = []

    def document(self, node: yaml.Node | None) -> ParsedDocument:
        if node is None:
            return ParsedDocument(self.index, None, (1, 1, None))
        value, tree, size = self.build(node, ())
        if expansion_exceeded(size, len(self.memo)):
            self.problem(
                rules.YAML_UNSUPPORTED,
                f"aliases in this document expand to {size} nodes",
                node,
                (),
                hint="repeat the values instead of nesting aliases of aliases",
            )
            value, tree = None, None
        root = (node.start_mark.line + 1, node.start_mark.column + 1, tree)
        return ParsedDocument(self.index, value, root, self.bool_words)

    def problem(
        self,
        rule_id: str,
        message: str,
        node: yaml.Node,
        path: JsonPath,
        hint: str | None = None,
    ) -> None:
        mark = node.start_mark
        self.problems.append(
            YamlProblem(
                rule_id,
                message,
                mark.line + 1,
                mark.column + 1,
                hint=hint,
                document=self.index,
                path=path,
            )
        )

    def build(self, node: yaml.Node, path: JsonPath) -> tuple[Any, Any, int]:
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if isinstance(node, ScalarNode):
            return self.scalar(node, path), None, 1
        if key in self.active:
            self.problem(
                rules.YAML_UNSUPPORTED,
                "recursive alias: a node cannot contain itself",
                node,
                path,
                hint="an alias (*name) or a '<<' merge cannot refer to a mapping "
                "or list that contains it",
            )
            return None, None, 1
        self.active.add(key)
        try:
            self.check_collection_tag(node, path)
            if isinstance(node, MappingNode):
                result = self.mapping(node, path)
            else:
                assert isinstance(node, SequenceNode)
                result = self.sequence(node, path)
        finally:
            self.active.discard(key)
        self.memo[key] = result
        return result

    def check_collection_tag(self, node: yaml.Node, path: JsonPath) -> None:
        if node.tag not in (MAP_TAG, SEQ_TAG):
            self.problem(
                rules.YAML_UNSUPPORTED,
                f"YAML tag {node.tag!r} is not supported in a manifest",
                node,
                path,
                hint="remove the tag",
            )

    def scalar(
        self, node: yaml.ScalarNode, path: JsonPath, *, is_key: bool = False
    ) -> Any:
        tag = node.tag
        text = node.value
        if tag == STR_TAG:
            # libyaml marks a plain scalar with style "" (PyYAML's own
            # parser uses None).
            if not node.style and text in YAML11_BOOL_WORDS and not is_key:
                mark = node.start_mark
                self.bool_words.append((mark.line + 1, mark.column + 1, text))
            return text
        if tag == MERGE_TAG:
            return text
        if tag not in _CORE_SCALAR_TAGS:
            self.problem(
                rules.YAML_UNSUPPORTED,
                f"YAML tag {tag!r} is not supported in a manifest",
                node,
                path,
                hint="remove the tag",
            )
            return text
        try:
            return construct_tagged(tag, text)
        except ScalarError as error:
            self.problem(
                rules.YAML_INVALID_SCALAR,
                f"invalid value: {error}",
                node,
                path,
                hint=f'quote it if it is meant as text: "{text}"',
            )
            return text

    def sequence(self, node: yaml.SequenceNode, path: JsonPath) -> tuple[Any, Any, int]:
        items: list[Any] = []
        tree: list[Any] = []
        size = 1
        for index, item_node in enumerate(node.value):
            value, child, item_size = self.build(item_node, (*path, index))
            items.append(value)
            mark = item_node.start_mark
            tree.append((mark.line + 1, mark.column + 1, child))
            size += item_size
        return items, tree, size

    def mapping(self, node: yaml.MappingNode, path: JsonPath) -> tuple[Any, Any, int]:
        result: dict[Any, Any] = {}
        tree: dict[Any, Any] = {}
        size = 1
        merges: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append((key_node, value_node))
                continue
            key = self.key(key_node, path)
            if key is _SKIP:
                continue
            if key in result:
                self.duplicate(key, key_node, tree[key], path)
                continue
            value, child, value_size = self.build(value_node, (*path, key))
            result[key] = value
            key_mark = key_node.start_mark
            value_mark = value_node.start_mark
            tree[key] = (
                key_mark.line + 1,
                key_mark.column + 1,
                value_mark.line + 1,
                value_mark.column + 1,
                child,
            )
            size += value_size
        for key_node, value_node in merges:
            size += self.merge(result, tree, key_node, value_node, path)
        return result, tree, size

    def key(self, node: yaml.Node, path: JsonPath) -> Any:
        from yaml.nodes import ScalarNode

        if not isinstance(node, ScalarNode):
            self.problem(
                rules.YAML_UNSUPPORTED,
                "a mapping key must be a single value, not a list or mapping",
                node,
                path,
            )
            return _SKIP
        value = self.scalar(node, path, is_key=True)
        if isinstance(value, str):
            return value
        return TypedKey(value, node.value)

    def duplicate(self, key: Any, node: yaml.Node, first: Any, path: JsonPath) -> None:
        self.problem(
            rules.YAML_DUPLICATE_KEY,
            f"duplicate key {str(key)!r}: already defined on line {first[0]}",
            node,
            (*path, key),
            hint=f"keep one of the two {str(key)!r} keys; the first one is used",
        )

    def merge(
        self,
        result: dict[Any, Any],
        tree: dict[Any, Any],
        key_node: yaml.Node,
        value_node: yaml.Node,
        path: JsonPath,
    ) -> int:
        """Add the keys of a ``<<`` merge that the mapping does not set itself."""
        from yaml.nodes import MappingNode, SequenceNode

        sources = [value_node]
        if isinstance(value_node, SequenceNode):
            sources = list(value_node.value)
        size = 0
        for source in sources:
            if not isinstance(source, MappingNode):
                self.problem(
                    rules.YAML_UNSUPPORTED,
                    "the value of a '<<' merge key must be a mapping or a list of mappings",
                    source,
                    path,
                )
                continue
            values, source_tree, source_size = self.build(source, path)
            size += source_size
            if not isinstance(values, dict):
                # A mapping that merges itself: build() reported the
                # recursive alias and returned no data.
                continue
            # Earlier sources win over later ones, and the mapping's own keys
            # win over all of them.
            for name, value in values.items():
                if name not in result:
                    result[name] = value
                    tree[name] = source_tree[name]
        return size
