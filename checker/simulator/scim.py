"""The SCIM filter subset that the Organization API accepts on tenant listings.

Grammar (RFC 7644 section 3.4.2.2, restricted to what the tenants endpoints
document), lowest precedence first::

    expression := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "not" "(" expression ")" | "(" expression ")" | comparison
    comparison := ATTRIBUTE OPERATOR STRING

Keywords, operators and attribute names are case-insensitive, as RFC 7644
specifies. Values are double-quoted strings with backslash escapes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Operator = Literal["eq", "ne", "gt", "ge", "lt", "le", "co"]
OPERATORS: tuple[Operator, ...] = ("eq", "ne", "gt", "ge", "lt", "le", "co")
ORDERING: tuple[Operator, ...] = ("eq", "ne", "gt", "ge", "lt", "le")

# Operators per attribute. The reference documents the limits of the first
# two groups; the timestamp and countryCode rows are inferred.
ALLOWED_OPERATORS: dict[str, tuple[Operator, ...]] = {
    "regionCode": ("eq", "ne"),
    "status": ("eq", "ne"),
    "countryCode": ("eq", "ne"),
    "subscriptionId": ("eq",),
    "name": ("eq",),
    "hostnames": ("eq",),
    "id": ("eq",),
    "originalId": ("eq",),
    "createdAt": OPERATORS,
    "updatedAt": OPERATORS,
}
_CANONICAL = {name.lower(): name for name in ALLOWED_OPERATORS}
_TIMESTAMPS = frozenset({"createdAt", "updatedAt"})
MAX_FILTER_LENGTH = 4096
_MAX_DEPTH = 50


class FilterError(ValueError):
    """An invalid filter expression; ``position`` is a 0-based offset into it."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True, slots=True)
class Comparison:
    attribute: str
    operator: Operator
    value: str


@dataclass(frozen=True, slots=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


Node = Comparison | And | Or | Not


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["word", "string", "lparen", "rparen", "end"]
    text: str
    position: int


def _tokenize(text: str) -> Iterator[_Token]:
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char in "()":
            yield _Token("lparen" if char == "(" else "rparen", char, index)
            index += 1
        elif char == '"':
            value, end = _read_string(text, index)
            yield _Token("string", value, index)
            index = end
        else:
            start = index
            while index < len(text) and not (
                text[index].isspace() or text[index] in '()"'
            ):
                index += 1
            yield _Token("word", text[start:index], start)
    yield _Token("end", "", len(text))


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Read the JSON-style string literal at ``start``; return it and the end offset."""
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text[index] == '"':
            try:
                value = json.loads(text[start : index + 1])
            except json.JSONDecodeError as error:
                raise FilterError(
                    f"invalid escape in string: {error.msg}", start + error.pos
                ) from error
            return str(value), index + 1
        else:
            index += 1
    raise FilterError("string is missing its closing double quote", start)


class _Parser:
    def __init__(self, text: str) -> None:
        self._tokens = list(_tokenize(text))
        self._index = 0
        self._depth = 0

    def parse(self) -> Node:
        node = self._expression()
        token = self._peek()
        if token.kind != "end":
            raise FilterError(f"unexpected {_describe(token)}", token.position)
        return node

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _next(self) -> _Token:
        token = self._tokens[self._index]
        self._index += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token.kind == "word" and token.text.lower() == word:
            self._index += 1
            return True
        return False

    def _expression(self) -> Node:
        node = self._term()
        while self._keyword("or"):
            node = Or(node, self._term())
        return node

    def _term(self) -> Node:
        node = self._factor()
        while self._keyword("and"):
            node = And(node, self._factor())
        return node

    def _factor(self) -> Node:
        token = self._peek()
        if token.kind == "word" and token.text.lower() == "not":
            self._index += 1
            if self._peek().kind != "lparen":
                raise FilterError(
                    'expected "(" after "not": write not (expression)',
                    self._peek().position,
                )
            return Not(self._group())
        if token.kind == "lparen":
            return self._group()
        return self._comparison()

    def _group(self) -> Node:
        opening = self._next()
        self._depth += 1
        if self._depth > _MAX_DEPTH:
            raise FilterError(
                f"parentheses nested deeper than {_MAX_DEPTH} levels", opening.position
            )
        node = self._expression()
        closing = self._next()
        if closing.kind != "rparen":
            raise FilterError(
                f'expected ")" to close "(" at character {opening.position + 1}, '
                f"found {_describe(closing)}",
                closing.position,
            )
        self._depth -= 1
        return node

    def _comparison(self) -> Comparison:
        attribute = self._attribute()
        operator = self._operator(attribute)
        value_token = self._next()
        if value_token.kind != "string":
            raise FilterError(
                f"expected a double-quoted string after {attribute} {operator}, "
                f"found {_describe(value_token)}",
                value_token.position,
            )
        return Comparison(attribute, operator, value_token.text)

    def _attribute(self) -> str:
        token = self._next()
        if token.kind != "word" or token.text.lower() in ("and", "or", "not"):
            raise FilterError(
                f"expected an attribute name, found {_describe(token)}",
                token.position,
            )
        attribute = _CANONICAL.get(token.text.lower())
        if attribute is None:
            raise FilterError(
                f'unknown attribute "{token.text}"; supported: '
                + ", ".join(ALLOWED_OPERATORS),
                token.position,
            )
        return attribute

    def _operator(self, attribute: str) -> Operator:
        token = self._next()
        operator = token.text.lower()
        if token.kind != "word" or operator not in OPERATORS:
            raise FilterError(
                f"expected an operator ({' '.join(OPERATORS)}) after {attribute}, "
                f"found {_describe(token)}",
                token.position,
            )
        allowed = ALLOWED_OPERATORS[attribute]
        if operator not in allowed:
            raise FilterError(
                f'operator "{operator}" is not supported for attribute '
                f'"{attribute}"; supported: {", ".join(allowed)}',
                token.position,
            )
        return operator


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "end of filter"
    if token.kind == "string":
        return f"string {json.dumps(token.text)}"
    return f'"{token.text}"'


def parse_filter(text: str) -> Node:
    """Parse a filter expression; raise FilterError with the offending offset."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(
            f"filter is longer than {MAX_FILTER_LENGTH} characters", MAX_FILTER_LENGTH
        )
    if not text.strip():
        raise FilterError("filter is empty", 0)
    return _Parser(text).parse()


def iter_comparisons(node: Node) -> Iterator[Comparison]:
    """Yield every comparison in the expression, left to right."""
    if isinstance(node, Comparison):
        yield node
    elif isinstance(node, Not):
        yield from iter_comparisons(node.operand)
    else:
        yield from iter_comparisons(node.left)
        yield from iter_comparisons(node.right)


def subscription_ids(node: Node) -> list[str]:
    """Return the values of every ``subscriptionId eq`` comparison, in order."""
    return [c.value for c in iter_comparisons(node) if c.attribute == "subscriptionId"]


def matches(node: Node, tenant: Mapping[str, Any]) -> bool:
    """Evaluate the expression against one tenant object."""
    if isinstance(node, Comparison):
        return _compare(node, tenant)
    if isinstance(node, Not):
        return not matches(node.operand, tenant)
    if isinstance(node, And):
        return matches(node.left, tenant) and matches(node.right, tenant)
    return matches(node.left, tenant) or matches(node.right, tenant)


def _compare(comparison: Comparison, tenant: Mapping[str, Any]) -> bool:
    attribute, operator, value = (
        comparison.attribute,
        comparison.operator,
        comparison.value,
    )
    if attribute == "hostnames":
        # Hostnames are case-insensitive; eq is true when any hostname matches.
        hostnames = tenant.get("hostnames") or []
        return any(str(h).lower() == value.lower() for h in hostnames)
    if attribute == "originalId":
        actual = tenant.get("originalId", tenant.get("id"))
    else:
        actual = tenant.get(attribute)
    if actual is None:
        return operator == "ne"
    actual = str(actual)
    if operator == "co":
        return value in actual
    if attribute in _TIMESTAMPS:
        return _order(timestamp_key(actual), timestamp_key(value), operator)
    return _order(actual, value, operator)


def _order(actual: Any, value: Any, operator: Operator) -> bool:
    if operator == "eq":
        return bool(actual == value)
    if operator == "ne":
        return bool(actual != value)
    if operator == "gt":
        return bool(actual > value)
    if operator == "ge":
        return bool(actual >= value)
    if operator == "lt":
        return bool(actual < value)
    return bool(actual <= value)


def timestamp_key(text: str) -> tuple[int, float, str]:
    """Return a sort key: ISO 8601 timestamps by instant, other text after them."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return (1, 0.0, text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (0, moment.timestamp(), "")


def render(node: Node) -> str:
    """Write the expression back as filter text that ``parse_filter`` reads."""
    if isinstance(node, Comparison):
        return f"{node.attribute} {node.operator} {json.dumps(node.value)}"
    if isinstance(node, Not):
        return f"not ({render(node.operand)})"
    keyword = "and" if isinstance(node, And) else "or"
    return f"({render(node.left)}) {keyword} ({render(node.right)})"
