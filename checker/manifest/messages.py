"""Turn schema errors into diagnostics a person can act on.

Each jsonschema error becomes one diagnostic, except that an
``additionalProperties`` error becomes one per unknown key. A diagnostic
points at the offending value, at the key for an unknown key, and at the
mapping for a missing key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from typing import Any

from checker.manifest import rules
from checker.manifest.documents import ParsedDocument
from checker.manifest.positions import JsonPath, format_json_path, lookup, nearest
from checker.manifest.scalars import describe_type
from checker.manifest.schema import SchemaError
from checker.model import Diagnostic, Location

_ENUM_LIST_MAX = 6
_SIMPLE_PLAIN = re.compile(r"[^\s#,\[\]{}]+(?: [^\s#,\[\]{}]+)*")
# An anchor (&name) or tag (!tag) written before a scalar, in either order.
_NODE_PROPERTIES = re.compile(r"(?:[&!]\S*[ \t]+)+")


class SourceText:
    """The lines of a file, to quote what the user wrote in messages."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def token_at(self, line: int, col: int) -> str | None:
        """Return the scalar written at ``line:col``, without a trailing comment.

        An anchor or tag before the scalar is left out, so that ``&a 1``
        returns ``1``: a node reached through the alias ``*a`` has the
        anchor's position. Returns None when no plain scalar is written there.
        """
        if self._lines is None:
            self._lines = self._text.split("\n")
        if not 1 <= line <= len(self._lines):
            return None
        text = self._lines[line - 1]
        start = col - 1
        properties = _NODE_PROPERTIES.match(text, start)
        if properties is not None:
            start = properties.end()
        match = _SIMPLE_PLAIN.match(text, start)
        if match is None or match[0].startswith(("*", "&", "!")):
            return None
        return match[0]


def schema_diagnostics(
    errors: Sequence[SchemaError],
    document: ParsedDocument,
    file: str,
    source: SourceText,
) -> Iterator[Diagnostic]:
    """Yield the diagnostics for the schema errors of one document."""
    seen: set[tuple[JsonPath, str, str]] = set()
    for error in errors:
        for diagnostic, key in _diagnostics_for(error, document, file, source):
            marker = (key, diagnostic.rule_id, diagnostic.message)
            if marker not in seen:
                seen.add(marker)
                yield diagnostic


def _diagnostics_for(
    error: SchemaError, document: ParsedDocument, file: str, source: SourceText
) -> Iterator[tuple[Diagnostic, JsonPath]]:
    context = _Context(error, document, file, source)
    if error.keyword == "additionalProperties":
        yield from context.unknown_keys()
    elif error.keyword == "required":
        yield from context.missing_keys()
    else:
        yield context.single(), error.path


class _Context:
    def __init__(
        self,
        error: SchemaError,
        document: ParsedDocument,
        file: str,
        source: SourceText,
    ) -> None:
        self.error = error
        self.document = document
        self.file = file
        self.source = source

    def location(self, path: JsonPath, *, key: bool = False) -> Location:
        found = lookup(self.document.root, path, key=key)
        line, col = found if found is not None else nearest(self.document.root, path)
        return Location(self.file, line, col)

    def diagnostic(
        self,
        path: JsonPath,
        rule_id: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        at: JsonPath | None = None,
    ) -> Diagnostic:
        """Build a diagnostic for ``path``, located at ``at`` when given."""
        return Diagnostic(
            location=self.location(path if at is None else at, key=key),
            level=rules.RULES[rule_id].level,
            message=message,
            rule_id=rule_id,
            json_path=format_json_path(path),
            hint=hint,
        )

    def unknown_keys(self) -> Iterator[tuple[Diagnostic, JsonPath]]:
        instance = self.error.instance
        allowed = list(self.error.schema.get("properties", {}))
        if not isinstance(instance, dict):
            return
        for name in instance:
            if name in allowed:
                continue
            path = (*self.error.path, name)
            message = f"unknown key {str(name)!r}"
            guess = _closest(str(name), allowed, count=1)
            if guess:
                message += f"; did you mean {guess[0]!r}?"
                hint = None
            else:
                hint = "allowed keys here: " + ", ".join(allowed)
            yield (
                self.diagnostic(
                    path, rules.SCHEMA_UNKNOWN_KEY, message, hint, key=True
                ),
                path,
            )

    def missing_keys(self) -> Iterator[tuple[Diagnostic, JsonPath]]:
        instance = self.error.instance
        if not isinstance(instance, dict):
            return
        owner = _owner(self.error.path, instance)
        for name in self.error.keyword_value:
            if name in instance:
                continue
            message = f"missing required key {name!r}{owner}"
            hint = f"add '{name}:' with a value"
            path = (*self.error.path, name)
            yield (
                self.diagnostic(
                    path, rules.SCHEMA_REQUIRED, message, hint, at=self.error.path
                ),
                path,
            )

    def single(self) -> Diagnostic:
        handler = _HANDLERS.get(self.error.keyword, _other)
        rule_id, message, hint = handler(self)
        return self.diagnostic(self.error.path, rule_id, message, hint)

    @property
    def field(self) -> str:
        return _field_label(self.error.path)

    def written(self) -> str | None:
        """Return the error's value as the file writes it."""
        found = lookup(self.document.root, self.error.path)
        if found is None:
            return None
        return self.source.token_at(*found)


def _field_label(path: JsonPath) -> str:
    if not path:
        return "the document"
    last = path[-1]
    if isinstance(last, int) and len(path) >= 2:
        return f"{path[-2]}[{last}]"
    return str(last)


def _owner(path: JsonPath, instance: dict[Any, Any]) -> str:
    if len(path) >= 2 and path[-2] == "tenants":
        hostname = instance.get("hostname")
        return (
            f" in tenant {hostname!r}" if isinstance(hostname, str) else " in a tenant"
        )
    if len(path) >= 2 and path[-2] == "subscriptions":
        return " in a subscription"
    return ""


def _closest(value: str, choices: Sequence[Any], *, count: int) -> list[str]:
    """Return up to ``count`` choices similar to ``value``, ignoring case.

    The most similar come first, and equally similar ones keep their order in
    ``choices``.
    """
    scored = []
    for position, choice in enumerate(choices):
        ratio = difflib.SequenceMatcher(
            None, value.lower(), str(choice).lower()
        ).ratio()
        if ratio >= 0.6:
            scored.append((-ratio, position, str(choice)))
    return [choice for _ratio, _position, choice in sorted(scored)[:count]]


def _quote_hint(context: _Context, written: str | None) -> str | None:
    if written is None:
        return None
    escaped = written.replace("\\", "\\\\").replace('"', '\\"')
    last = context.error.path[-1] if context.error.path else None
    if isinstance(last, str):
        return f'quote it: {last}: "{escaped}"'
    return f'quote it: "{escaped}"'


_TYPE_NAMES = {
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def _type(context: _Context) -> tuple[str, str, str | None]:
    error = context.error
    expected = error.keyword_value
    names = [expected] if isinstance(expected, str) else list(expected)
    expected_types = " or ".join(_TYPE_NAMES.get(name, name) for name in names)
    value = error.instance
    field = context.field
    if value is None:
        return (
            rules.SCHEMA_TYPE,
            f"{field} has no value; it must be {expected_types}",
            f"write a value after '{field}:' or remove the key",
        )
    got = describe_type(value)
    written = context.written()
    if "string" in names and not isinstance(value, dict | list) and written is not None:
        message = (
            f"{field} must be {expected_types}, but the unquoted value {written} "
            f"was read as {got}"
        )
        return rules.SCHEMA_TYPE, message, _quote_hint(context, written)
    hint = None
    if "array" in names and isinstance(value, dict):
        hint = "start each item of the list with '- '"
    elif "array" in names and isinstance(value, str):
        hint = f"write a list: {field}: [{value}]"
    return rules.SCHEMA_TYPE, f"{field} must be {expected_types}, not {got}", hint


def _enum(context: _Context) -> tuple[str, str, str | None]:
    allowed = [str(value) for value in context.error.keyword_value]
    value = context.error.instance
    field = context.field
    written = (
        repr(value) if isinstance(value, str) else f"{context.written() or value!r}"
    )
    message = f"invalid {field} {written}"
    if not isinstance(value, str):
        message += f" ({describe_type(value)})"
    guesses = _closest(str(value), allowed, count=3) if isinstance(value, str) else []
    if len(allowed) <= _ENUM_LIST_MAX:
        return (
            rules.SCHEMA_ENUM,
            f"{message}; allowed values: {', '.join(allowed)}",
            None,
        )
    if guesses:
        quoted = [repr(guess) for guess in guesses]
        choices = (
            quoted[0]
            if len(quoted) == 1
            else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        )
        return (
            rules.SCHEMA_ENUM,
            f"{message}; did you mean {choices}?",
            "allowed values: " + ", ".join(allowed),
        )
    return rules.SCHEMA_ENUM, f"{message}; allowed values: {', '.join(allowed)}", None


def _const(context: _Context) -> tuple[str, str, str | None]:
    expected = context.error.keyword_value
    value = context.error.instance
    return (
        rules.SCHEMA_CONST,
        f"{context.field} must be {expected!r}, not {value!r}",
        f"write {context.field}: {expected}",
    )


_PATTERN_MESSAGES = {
    "subscriptionId": (
        "a subscription id is the license number, digits only",
        'write it quoted, for example subscriptionId: "9876543210987654"',
    ),
    "hostname": (
        "a hostname is labels of letters, digits and hyphens joined by dots",
        "write only the host, for example acme-prod.eu.qlikcloud.com",
    ),
    "aliases": (
        "an alias is a hostname: labels of letters, digits and hyphens joined by dots",
        "write only the host, for example analytics.acme.example",
    ),
    "id": (
        "a tenant id contains only letters, digits, '_' and '-'",
        "copy the id from the tenant's settings or the Organization API",
    ),
}


def _pattern(context: _Context) -> tuple[str, str, str | None]:
    value = context.error.instance
    names = [item for item in context.error.path if isinstance(item, str)]
    explained = _PATTERN_MESSAGES.get(names[-1] if names else "")
    if explained is None:
        pattern = context.error.keyword_value
        return (
            rules.SCHEMA_PATTERN,
            f"invalid {context.field} {value!r}: it must match {pattern}",
            None,
        )
    reason, hint = explained
    if isinstance(value, str) and "://" in value:
        hint = "remove the scheme and any path: " + hint
    return rules.SCHEMA_PATTERN, f"invalid {context.field} {value!r}: {reason}", hint


def _length(context: _Context) -> tuple[str, str, str | None]:
    limit = context.error.keyword_value
    field = context.field
    if context.error.keyword == "minLength":
        return (
            rules.SCHEMA_LENGTH,
            f"{field} must not be empty",
            "write a value or remove the key",
        )
    return (
        rules.SCHEMA_LENGTH,
        f"{field} is longer than {limit} characters",
        None,
    )


def _unique(context: _Context) -> tuple[str, str, str | None]:
    values = context.error.instance
    repeated = sorted(
        {str(item) for index, item in enumerate(values) if item in values[:index]}
    )
    return (
        rules.SCHEMA_UNIQUE,
        f"{context.field} lists {', '.join(repr(item) for item in repeated)} more than once",
        "remove the repeated entries",
    )


def _not(context: _Context) -> tuple[str, str, str | None]:
    if context.error.keyword_value != {"$ref": "#/$defs/lineBreak"}:
        return _other(context)
    value = context.error.instance
    message = f"{context.field} must be on one line: {value!r} contains a line break"
    return rules.SCHEMA_PATTERN, message, "remove the line break"


def _other(context: _Context) -> tuple[str, str, str | None]:
    return rules.SCHEMA_OTHER, f"{context.field}: {context.error.message}", None


_HANDLERS = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minLength": _length,
    "maxLength": _length,
    "uniqueItems": _unique,
    "not": _not,
}
