"""The simulator state: one organization, its OAuth clients and its tenants.

``load_state`` reads a YAML or JSON state file. It raises a ``UsageError``
naming ``file:line:col`` for the first problem in it.
``SimulatorState.from_dict`` applies the same checks to data built in Python.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from checker.errors import SecretStr, UsageError
from checker.simulator.faults import FaultPlan
from checker.simulator.schema import STATE_SCHEMA
from checker.simulator.settings import SettingError, plan_from_settings
from checker.yamlguard import YamlInputError, load_round_trip, short_tag

logger = logging.getLogger(__name__)

JsonPath = tuple[str | int, ...]
_DOCS_HINT = "see the state file format in docs/simulator.md"
# Keys whose values are credentials: messages name the key, never the value.
_SECRET_KEYS = frozenset({"clientId", "clientSecret"})
_VALIDATOR = jsonschema.Draft202012Validator(STATE_SCHEMA)


@dataclass(frozen=True)
class ClientSpec:
    """An OAuth client the simulator accepts at its token endpoint."""

    client_id: str
    client_secret: SecretStr
    org_permission: bool = True
    revoked: bool = False


@dataclass(frozen=True)
class SimulatorState:
    """A validated organization: clients, subscriptions and tenants.

    ``tenants`` may include tenants of ``foreign_subscriptions``: they exist
    but belong to other organizations, so the API never returns them.
    ``settings`` is the fault plan of the state file's ``settings`` block.
    """

    organization: str
    clients: tuple[ClientSpec, ...]
    subscription_ids: frozenset[str]
    foreign_subscriptions: frozenset[str]
    tenants: tuple[dict[str, Any], ...]
    settings: FaultPlan = field(default_factory=FaultPlan)
    source: str = "<state>"

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], source: str = "<state>"
    ) -> SimulatorState:
        """Validate plain data shaped like a state file; raise UsageError if invalid."""
        return _build(data, source)

    def __repr__(self) -> str:
        return (
            f"SimulatorState(organization={self.organization!r}, "
            f"clients={len(self.clients)}, tenants={len(self.tenants)}, "
            f"source={self.source!r})"
        )


def load_state(path: str | os.PathLike[str]) -> SimulatorState:
    """Read and validate a YAML or JSON state file."""
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"state file not found: {source}",
            hint="pass an existing file to `--state`, e.g. examples/live/acme.yaml",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(
            f"cannot read state file {source}: {error}",
            hint="check the path and that the file is UTF-8 text",
        ) from error
    if source.endswith(".json"):
        state = _build_from_json(text, source)
        if state is not None:
            return state
    else:
        state = _build_from_yaml(text, source)
        if state is not None:
            return state
    data = _parse(text, source) if text.strip() else None
    if data is None:
        raise UsageError(f"{source}:1:1: state file is empty", hint=_DOCS_HINT)
    return _build(data, source)


def _build_from_json(text: str, source: str) -> SimulatorState | None:
    """Build a valid JSON state with the json module, or return None.

    The round-trip YAML parser takes minutes on a 100,000-tenant file, so
    it only runs, from the caller, to place the problem of an invalid file.
    """
    try:
        data = json.loads(text)
        _check_schema(data)
        return _assemble(data, source)
    except (json.JSONDecodeError, _Problem, RecursionError):
        # RecursionError: json nests one call per level, and the YAML reader
        # reports deep nesting with its position.
        return None


def _build_from_yaml(text: str, source: str) -> SimulatorState | None:
    """Build a valid YAML state with libyaml, or return None.

    ruamel.yaml's composer takes about 30 s on a 20,000-tenant file, so, as
    for JSON, it only runs to place the problem of an invalid file. The
    manifest reader gives the YAML 1.2 meaning ruamel.yaml gives.
    """
    from checker.manifest.parse import parse_text

    stream = parse_text(text)
    if stream.problems or len(stream.documents) != 1:
        return None
    data = stream.documents[0].data
    if data is None or _has_typed_values(data):
        return None
    try:
        _check_schema(data)
        return _assemble(data, source)
    except _Problem:
        return None


def _has_typed_values(value: Any) -> bool:
    """Tell whether ``value`` holds a date or a non-text key.

    ruamel.yaml represents those with types of its own; the round-trip
    reader handles such files so that their values and errors stay the same.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if any(type(key) is not str for key in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, (dt.date, dt.datetime)):
            return True
    return False


def _parse(text: str, source: str) -> Any:
    """Parse the state file with positions; raise UsageError if it cannot be.

    Errors are raised without their cause, because ruamel.yaml's messages
    quote the lines of the file, and a state file contains client secrets.
    """
    try:
        return load_round_trip(text)
    except YamlInputError as error:
        yaml_error = error
    if source.endswith(".json"):
        # YAML rejects some valid JSON (tabs as indentation); JSON has no positions.
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise UsageError(
                f"{source}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}",
                hint="fix the syntax; `python -m json.tool FILE` shows it too",
            ) from None
        except RecursionError:
            pass
    raise UsageError(
        f"{source}:{yaml_error.line}:{yaml_error.col}: {yaml_error.message}",
        hint=yaml_error.hint,
    ) from None


class _Problem(Exception):
    """A problem at ``path`` in the state data; ``at_key`` points at the key itself."""

    def __init__(
        self, path: JsonPath, message: str, hint: str = _DOCS_HINT, at_key: bool = False
    ) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.hint = hint
        self.at_key = at_key


def _build(data: Any, source: str) -> SimulatorState:
    try:
        _check_schema(data)
        return _assemble(data, source)
    except _Problem as problem:
        raise _usage_error(source, data, problem) from None


def _check_schema(data: Any) -> None:
    errors = list(_VALIDATOR.iter_errors(data))
    if not errors:
        return
    # Report the first problem in the file. A missing field comes last
    # because a misspelt key, reported as unknown, often explains it.
    described = [(error.validator == "required", _describe(error)) for error in errors]
    described.sort(
        key=lambda item: (
            item[0],
            _locate(data, item[1].path, item[1].at_key) or (0, 0),
        )
    )
    raise described[0][1]


_BOUNDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "greater than",
}


def _describe(error: jsonschema.ValidationError) -> _Problem:
    """Turn a schema error into a problem worded in the state file's terms."""
    if error.validator == "oneOf":
        return _describe_fault(error)
    path = tuple(error.absolute_path)
    # jsonschema types these as possibly unset; on a raised error they are set.
    instance: Any = error.instance
    expected: Any = error.validator_value

    if error.validator == "required":
        missing = [k for k in expected if k not in instance]
        return _Problem(path, f'missing required field "{missing[0]}"')
    if error.validator == "additionalProperties":
        return _unknown_field(path, instance, error.schema)
    if error.validator == "type":
        return _type_problem(path, instance, expected)
    if error.validator in ("minItems", "minLength") and expected == 1:
        return _Problem(path, "must not be empty")
    if _is_secret(path):
        return _Problem(path, f"invalid value: it fails the {error.validator} check")
    if error.validator == "enum":
        choices = ", ".join(json.dumps(c) for c in expected)
        return _Problem(path, f"must be one of {choices}, not {json.dumps(instance)}")
    if error.validator in _BOUNDS:
        bound = _BOUNDS[str(error.validator)]
        return _Problem(path, f"must be {bound} {expected}, not {instance}")
    return _Problem(path, error.message)


def _unknown_field(path: JsonPath, instance: Any, schema: Any) -> _Problem:
    allowed = schema.get("properties", {})
    extra = sorted(str(k) for k in instance if k not in allowed)
    return _Problem(
        (*path, extra[0]),
        f'unknown field "{extra[0]}"',
        hint="check the spelling; allowed fields: " + ", ".join(allowed),
        at_key=True,
    )


def _describe_fault(error: jsonschema.ValidationError) -> _Problem:
    branch = 1 if isinstance(error.instance, Mapping) else 0
    candidates = [e for e in error.context or () if e.relative_schema_path[0] == branch]
    if isinstance(error.instance, (str, Mapping)) and candidates:
        return _describe(jsonschema.exceptions.best_match(candidates))
    return _Problem(
        tuple(error.absolute_path),
        "a fault must be a string or a mapping with a kind",
        hint='write e.g. "status:503 endpoint=list requests=2-3" '
        "or {kind: drop, endpoint: list}",
    )


def _type_problem(path: JsonPath, instance: Any, expected: Any) -> _Problem:
    names = [expected] if isinstance(expected, str) else list(expected)
    type_names = " or ".join(
        {"object": "mapping", "array": "list"}.get(n, n) for n in names
    )
    found = _kind_of(instance, reveal=not _is_secret(path))
    message = f"must be a {type_names}, not {found}"
    if "string" in names and isinstance(instance, (dt.date, int, float)):
        return _Problem(
            path,
            message,
            hint="put the value in double quotes so YAML keeps it as text",
        )
    return _Problem(path, message)


def _is_secret(path: JsonPath) -> bool:
    return bool(path) and path[-1] in _SECRET_KEYS


def _kind_of(value: Any, *, reveal: bool = True) -> str:
    """Describe a value for a message; ``reveal=False`` leaves the value out."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a timestamp"
    if isinstance(value, (int, float)):
        return f"the number {value}" if reveal else "a number"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {json.dumps(value)}" if reveal else "a text"
    tag = getattr(getattr(value, "tag", None), "value", None)
    if tag is not None:
        return f"a value with the YAML tag {short_tag(tag)}"
    return type(value).__name__


def _assemble(data: Mapping[str, Any], source: str) -> SimulatorState:
    clients = _clients(data["clients"])
    foreign = _unique_ids(
        data.get("foreignSubscriptions", []), ("foreignSubscriptions",)
    )
    if "subscriptions" in data:
        ids = [s["subscriptionId"] for s in data["subscriptions"]]
        own = _unique_ids(ids, ("subscriptions",), field_name="subscriptionId")
    else:
        # Without a subscriptions list, every tenant outside a foreign one is ours.
        own = {t["subscriptionId"] for t in data["tenants"]} - foreign
    for index, subscription_id in enumerate(data.get("foreignSubscriptions", [])):
        if subscription_id in own:
            raise _Problem(
                ("foreignSubscriptions", index),
                f"subscription {subscription_id} is listed as both this "
                "organization's and a foreign one",
                hint="remove it from one of the two lists",
            )
    tenants = _tenants(data["tenants"], own | foreign)
    try:
        settings = plan_from_settings(data.get("settings", {}))
    except SettingError as error:
        raise _Problem(("settings", *error.path), error.message) from error
    return SimulatorState(
        organization=str(data.get("organization", "Simulated organization")),
        clients=clients,
        subscription_ids=frozenset(own),
        foreign_subscriptions=frozenset(foreign),
        tenants=tenants,
        settings=settings,
        source=source,
    )


def _clients(items: Sequence[Mapping[str, Any]]) -> tuple[ClientSpec, ...]:
    seen: dict[str, int] = {}
    clients = []
    for index, item in enumerate(items):
        client_id = str(item["clientId"])
        if client_id in seen:
            # The message names the other entry: a client id is a credential.
            raise _Problem(
                ("clients", index, "clientId"),
                f"duplicate clientId: clients[{seen[client_id]}] has the same one",
                hint="give every client its own clientId",
            )
        seen[client_id] = index
        clients.append(
            ClientSpec(
                client_id=client_id,
                client_secret=SecretStr(str(item["clientSecret"])),
                org_permission=bool(item.get("orgPermission", True)),
                revoked=bool(item.get("revoked", False)),
            )
        )
    return tuple(clients)


def _unique_ids(
    values: Sequence[Any], path: JsonPath, field_name: str | None = None
) -> set[str]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            where = (*path, index) if field_name is None else (*path, index, field_name)
            raise _Problem(
                where, f"duplicate subscription {value}", hint="list it once"
            )
        seen.add(str(value))
    return seen


def _tenants(items: Sequence[Any], known: set[str]) -> tuple[dict[str, Any], ...]:
    ids: dict[str, int] = {}
    hostnames: dict[str, int] = {}
    for index, tenant in enumerate(items):
        tenant_id = tenant["id"]
        if tenant_id in ids:
            raise _Problem(
                ("tenants", index, "id"),
                f"duplicate tenant id {tenant_id} (also tenants[{ids[tenant_id]}])",
                hint="give every tenant its own id",
            )
        ids[tenant_id] = index
        for position, hostname in enumerate(tenant["hostnames"]):
            key = hostname.lower()
            if key in hostnames:
                raise _Problem(
                    ("tenants", index, "hostnames", position),
                    f"duplicate hostname {hostname} (also tenants[{hostnames[key]}]); "
                    "hostnames are case-insensitive",
                    hint="every hostname may belong to one tenant only",
                )
            hostnames[key] = index
        if tenant["subscriptionId"] not in known:
            raise _Problem(
                ("tenants", index, "subscriptionId"),
                f"subscription {tenant['subscriptionId']} is in neither "
                "subscriptions nor foreignSubscriptions",
                hint="add it to one of the two lists",
            )
    return tuple(_plain(tenant) for tenant in items)


def _plain(value: Any) -> Any:
    """Copy YAML node types into plain dict, list, str, int, float and bool."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _usage_error(source: str, data: Any, problem: _Problem) -> UsageError:
    position = _locate(data, problem.path, problem.at_key)
    line, col = position or (1, 1)
    where = _dotted(problem.path)
    prefix = f"{where}: " if where else ""
    return UsageError(
        f"{source}:{line}:{col}: {prefix}{problem.message}", hint=problem.hint
    )


def _locate(root: Any, path: JsonPath, at_key: bool = False) -> tuple[int, int] | None:
    """Return the 1-based (line, col) of ``path`` in ruamel data, or None."""
    node = root
    position = None
    for depth, part in enumerate(path):
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(part, int):
                line, col = lc.item(part)
            elif at_key and depth == len(path) - 1:
                line, col = lc.key(part)
            else:
                line, col = lc.value(part)
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        position = (line + 1, col + 1)
    if position is None and hasattr(root, "lc"):
        position = (root.lc.line + 1, root.lc.col + 1)
    return position


def _dotted(path: JsonPath) -> str:
    text = ""
    for part in path:
        text += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{part}" if text else str(part))
        )
    return text
