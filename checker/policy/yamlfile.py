"""Read a policy or ignore file: YAML with positions, checked against the schema.

Every problem is collected as a ``Problem`` with a 1-based line and column,
so one run reports all of them; ``PolicyFileError`` carries the list.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from checker.datafiles import data_file
from checker.errors import UsageError
from checker.model import Location
from checker.yamlguard import YamlInputError, load_round_trip, short_tag

SCHEMA_NAME = "policy.schema.json"


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class PolicyFileError(UsageError):
    """A policy or ignore file is missing, unreadable or invalid (exit 2)."""

    def __init__(
        self, message: str, problems: Sequence[Problem] = (), *, hint: str
    ) -> None:
        lines = [message, *(f"  {problem}" for problem in problems)]
        super().__init__("\n".join(lines), hint=hint)
        self.problems = list(problems)


@dataclass(slots=True)
class YamlDocument:
    """A parsed file: ``data`` is plain JSON-like data, ``root`` the ruamel tree."""

    path: str
    root: Any
    data: Any

    def location(self, path: Sequence[str | int], *, key: bool = False) -> Location:
        if self.root is None:
            # Read by ``read_yaml_fast``: positions come from ruamel.yaml on demand.
            self.root = read_yaml(self.path, hint="")[0].root
        line, col = position_of(self.root, path, key=key)
        return Location(self.path, line, col)


def read_yaml(path: str, *, hint: str) -> tuple[YamlDocument, list[Problem]]:
    """Parse ``path`` as one YAML 1.2 document; raise PolicyFileError if it cannot be.

    The nesting and alias limits of ``checker.yamlguard`` apply.
    """
    text = _read_text(path, hint=hint)
    try:
        root = load_round_trip(text, _dates_as_text_constructor())
    except YamlInputError as error:
        problem = Problem(Location(path, error.line, error.col), error.message)
        raise PolicyFileError(
            f"invalid file {path}:", [problem], hint=error.hint
        ) from None
    if root is None:
        problem = Problem(Location(path, 1, 1), "the file is empty")
        raise PolicyFileError(f"invalid file {path}:", [problem], hint=hint)

    document = YamlDocument(path, root, None)
    problems: list[Problem] = []
    document.data = _to_plain(root, [], document, problems)
    return document, problems


def read_yaml_fast(path: str, *, hint: str) -> tuple[YamlDocument, list[Problem]]:
    """Like ``read_yaml``, with the manifest reader for plain block-style files.

    Every command reads the built-in policy, and importing and running
    ruamel.yaml for it took about a tenth of ``validate`` on a small
    manifest. A file outside that reader's subset, or holding a value that
    is not text, a number, a boolean or null, goes through ``read_yaml``.
    """
    from checker.manifest.fastscan import scan

    documents = scan(_read_text(path, hint=hint))
    if documents is None or len(documents) != 1 or documents[0].bool_words:
        return read_yaml(path, hint=hint)
    data = documents[0].data
    if not isinstance(data, dict) or not _plain_values(data):
        return read_yaml(path, hint=hint)
    return YamlDocument(path, None, data), []


def _plain_values(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_plain_values(item) for item in value.values())
    if isinstance(value, list):
        return all(_plain_values(item) for item in value)
    return value is None or isinstance(value, (str, int, float))


@lru_cache(maxsize=1)
def _dates_as_text_constructor() -> type[Any]:
    """Return a ruamel constructor that keeps unquoted dates as text.

    ruamel.yaml turns ``2026-02-30`` into a date and fails without a
    position; as text, the schema's date check reports it with one.
    """
    from ruamel.yaml.constructor import RoundTripConstructor

    class DatesAsText(RoundTripConstructor):
        pass

    DatesAsText.add_constructor(
        "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
    )
    return DatesAsText


def _read_text(path: str, *, hint: str) -> str:
    if not Path(path).exists():
        hint = "check the file name; the path is relative to the current folder"
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise PolicyFileError(f"{path}: file not found", hint=hint) from error
    except IsADirectoryError as error:
        raise PolicyFileError(f"{path}: is a folder, not a file", hint=hint) from error
    except UnicodeDecodeError as error:
        message = f"{path}: not UTF-8 text (byte {error.start})"
        raise PolicyFileError(message, hint=hint) from error
    except OSError as error:
        message = f"{path}: cannot be read: {error.strerror}"
        raise PolicyFileError(message, hint=hint) from error


def _to_plain(
    node: Any, path: list[str | int], document: YamlDocument, problems: list[Problem]
) -> Any:
    """Copy the ruamel tree into plain JSON-like data.

    A tag that ruamel.yaml keeps (any but the core ones), and a value with no
    JSON type (``!!binary``, ``!!set``), is a problem.
    """
    tag = getattr(getattr(node, "tag", None), "value", None)
    if tag is not None:
        message = f"YAML tag {short_tag(tag)!r} is not supported in this file"
        problems.append(Problem(document.location(path), f"{message}; remove it"))
    if _is_tagged_scalar(node):
        return str(node.value)
    if isinstance(node, dict):
        plain: dict[str, Any] = {}
        for key, value in node.items():
            if not isinstance(key, str):
                location = document.location([*path, key], key=True)
                problems.append(
                    Problem(location, f"key {key!r} is not a string; quote it: \"{key}\"")
                )
            plain[str(key)] = _to_plain(value, [*path, key], document, problems)
        return plain
    if isinstance(node, list):
        return [_to_plain(v, [*path, i], document, problems) for i, v in enumerate(node)]
    if isinstance(node, str):
        return str(node)
    if node is None or isinstance(node, int | float):
        return node
    problems.append(
        Problem(
            document.location(path),
            f"a value of type {type(node).__name__} is not supported in this file; "
            "write a string, number, boolean, list or mapping",
        )
    )
    return None


def _is_tagged_scalar(node: Any) -> bool:
    from ruamel.yaml.comments import TaggedScalar

    return isinstance(node, TaggedScalar)


def position_of(root: Any, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
    """Return the 1-based line and column of the node at ``path``.

    With ``key=True`` the position is that of the mapping key. A path that
    leaves the tree stops at the deepest node that has a position.
    """
    node = root
    line, col = _own_position(root)
    for index, step in enumerate(path):
        last = index == len(path) - 1
        found = _child_position(node, step, key=key and last)
        if found is None:
            break
        line, col = found
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return line + 1, col + 1


def _own_position(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return 0, 0
    return lc.line, lc.col


def _child_position(node: Any, step: str | int, *, key: bool) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    # ruamel raises KeyError for entries without a recorded position.
    try:
        if isinstance(node, list):
            position = lc.item(step)
        else:
            position = lc.key(step) if key else lc.value(step)
    except (KeyError, IndexError, TypeError):
        return None
    # ruamel records no position for the items of a tagged collection.
    if position is None:
        return None
    return int(position[0]), int(position[1])


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """Return the policy schema: the wheel's copy, else the repository's."""
    path = data_file(f"schemas/{SCHEMA_NAME}", f"schemas/{SCHEMA_NAME}")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def schema_problems(document: YamlDocument) -> list[Problem]:
    """Validate the document against the policy schema; one Problem per error."""
    if _accepted_by_jsonschema_rs(document.data):
        return []
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(
        load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    problems: dict[tuple[Location, str], Problem] = {}
    for error in validator.iter_errors(document.data):
        for problem in _explain(error, document):
            problems.setdefault((problem.location, problem.message), problem)
    return sorted(problems.values(), key=_problem_order)


def _accepted_by_jsonschema_rs(data: Any) -> bool:
    """Return True when jsonschema-rs is installed and finds ``data`` valid.

    Every command loads the built-in policy, and importing jsonschema to
    check it added about 50 ms, a quarter of ``validate`` on a small
    manifest. jsonschema still describes the errors of a file this rejects.
    """
    try:
        import jsonschema_rs
    except ImportError:
        return False
    validator = jsonschema_rs.Draft202012Validator(load_schema(), validate_formats=True)
    try:
        return bool(validator.is_valid(data))
    except (ValueError, TypeError, OverflowError):
        return False


def _problem_order(problem: Problem) -> tuple[int, int, str]:
    return problem.location.line, problem.location.col, problem.message


def _explain(error: Any, document: YamlDocument) -> Iterator[Problem]:
    path = list(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        for name in error.instance:
            if name not in known:
                yield Problem(document.location([*path, name], key=True), _unknown(name, known))
        return
    if validator == "required":
        for name in error.validator_value:
            if name not in error.instance:
                yield Problem(document.location(path), f"missing required key '{name}'")
        return
    if "propertyNames" in error.absolute_schema_path:
        # The error is about a key, and the path ends at its mapping.
        location = document.location([*path, error.instance], key=True)
        yield Problem(location, _key_message(path, error.instance))
        return
    yield Problem(document.location(path), _message(error))


def _key_message(path: list[str | int], key: str) -> str:
    if path and path[-1] == "subscriptions":
        return f"invalid subscription id {key!r}: use the digits of the license number"
    if path and path[-1] == "rules":
        return f"invalid rule id {key!r}: write it as <group>/<rule>, e.g. policy/name-pattern"
    return f"invalid key {key!r}"


def _message(error: Any) -> str:
    validator = error.validator
    value = error.instance
    if validator == "enum":
        choices = [str(c) for c in error.validator_value]
        message = f"{value!r} is not one of: {', '.join(choices)}"
        close = difflib.get_close_matches(str(value), choices, n=1)
        return message + (f"; did you mean '{close[0]}'?" if close else "")
    if validator == "const":
        return f"expected {error.validator_value!r}, found {value!r}"
    if validator == "type":
        return f"expected {_json_type(error.validator_value)}, found {_type_of(value)}"
    if validator == "anyOf" and all("required" in s for s in error.validator_value):
        names = [name for s in error.validator_value for name in s["required"]]
        return f"needs at least one of: {', '.join(names)}"
    if validator == "format" and error.validator_value == "date":
        return f"{value!r} is not a valid date; write it as YYYY-MM-DD"
    if validator == "pattern":
        return _pattern_message(error)
    if validator == "not" and error.validator_value == {"$ref": "#/$defs/lineBreak"}:
        return f"{value!r} contains a line break; write it on one line"
    return str(error.message)


def _pattern_message(error: Any) -> str:
    path = list(error.absolute_path)
    value = error.instance
    if "fields" in path:
        return f"{value!r} is not a JSON Pointer; write a field as '/{value.lstrip('/')}'"
    if path and path[-1] == "expires":
        return f"{value!r} is not a date; write it as YYYY-MM-DD"
    if path and path[-1] == "reason":
        return "reason is blank; say why the drift is accepted"
    return f"{value!r} does not match the pattern {error.validator_value}"


def _unknown(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    suggestion = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown key '{name}'{suggestion}"


_JSON_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _json_type(name: Any) -> str:
    if isinstance(name, list):
        return " or ".join(_JSON_TYPES.get(str(n), str(n)) for n in name)
    return _JSON_TYPES.get(name, str(name))


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value} (a number)"
    return f"{value!r} (a string)"
