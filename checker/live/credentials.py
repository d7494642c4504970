"""Organization OAuth client credentials from the environment or a file."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from checker.errors import SecretStr, UsageError
from checker.live.shapes import JsonNestingError, loads_json

logger = logging.getLogger(__name__)

ENV_CLIENT_ID = "QLIK_CLIENT_ID"
ENV_CLIENT_SECRET = "QLIK_CLIENT_SECRET"

# Key spellings accepted in a credentials file, per field.
_ID_KEYS = ("client_id", "clientId", ENV_CLIENT_ID)
_SECRET_KEYS = ("client_secret", "clientSecret", ENV_CLIENT_SECRET)

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")

# The base loader builds every scalar as the string written (no YAML 1.1
# typing, so 0x1F stays "0x1F" and 0123 stays "0123"). libyaml's parser is
# used when PyYAML was built with it.
_YAML_LOADER: type[yaml.BaseLoader] = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

# Deepest nesting accepted in a credentials file, which needs one flat mapping.
# Deeper input is rejected before PyYAML's recursive composer parses it.
_MAX_YAML_DEPTH = 20

_YAML_HINT = (
    "write `client_id: ...` and `client_secret: ...` on two lines, and quote a "
    "value that starts with a YAML indicator such as ! & * [ { or '"
)

# Quoted text in a PyYAML error, which may come from the file.
_QUOTED = re.compile(r"""\s*(?:'[^']*'|"[^"]*")""")


@dataclass(frozen=True)
class Credentials:
    """The id and secret of an organization OAuth client.

    Both values are ``SecretStr``, so ``repr`` and ``str`` never show them, and
    pickling raises ``TypeError``.
    """

    client_id: SecretStr
    client_secret: SecretStr
    # Where the values came from, for messages: an environment variable or a path.
    source: str = "environment"

    @classmethod
    def load(
        cls, credentials_file: str | os.PathLike[str] | None = None
    ) -> Credentials:
        """Read the credentials from ``credentials_file`` or, without one, from
        ``QLIK_CLIENT_ID`` and ``QLIK_CLIENT_SECRET``.

        The file may be YAML, JSON or ``KEY=VALUE`` lines, with the keys
        ``client_id`` and ``client_secret`` (``clientId``/``clientSecret`` and
        the environment variable names work too), and may start with a UTF-8
        byte-order mark. Every value is read as the exact string written:
        YAML tags, anchors and aliases are rejected, and no YAML typing
        applies. A file that group or others can read gets a warning, as ssh
        gives for private keys. Raises ``UsageError`` when a value is missing
        or the file cannot be read; its message never quotes the file.
        """
        if credentials_file is not None:
            return _load_file(Path(credentials_file))
        return _load_environment(os.environ)


def _load_environment(environ: Mapping[str, str]) -> Credentials:
    client_id = environ.get(ENV_CLIENT_ID, "").strip()
    client_secret = environ.get(ENV_CLIENT_SECRET, "").strip()
    missing = [
        name
        for name, value in (
            (ENV_CLIENT_ID, client_id),
            (ENV_CLIENT_SECRET, client_secret),
        )
        if not value
    ]
    if missing:
        raise UsageError(
            f"missing OAuth client credentials: {' and '.join(missing)} not set",
            hint=(
                f"export `{ENV_CLIENT_ID}` and `{ENV_CLIENT_SECRET}` of an "
                "organization OAuth client, or pass a credentials file"
            ),
        )
    return Credentials(SecretStr(client_id), SecretStr(client_secret))


def _load_file(path: Path) -> Credentials:
    try:
        # utf-8-sig drops a byte-order mark, which Windows editors write.
        text = path.read_text(encoding="utf-8-sig")
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UsageError(f"credentials file {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        # The message names the error class only: a decode error quotes file bytes.
        raise UsageError(
            f"credentials file {path} could not be read ({type(exc).__name__})"
        ) from None

    _warn_if_shared(path, mode)
    values = _parse_credentials_text(path, text)
    client_id = _pick(path, values, _ID_KEYS)
    client_secret = _pick(path, values, _SECRET_KEYS)
    missing = [
        key
        for key, value in (("client_id", client_id), ("client_secret", client_secret))
        if not value.strip()
    ]
    if missing:
        raise UsageError(
            f"credentials file {path}: missing {' and '.join(missing)}",
            hint="write `client_id: ...` and `client_secret: ...` "
            "(YAML, JSON or KEY=VALUE)",
        )
    return Credentials(SecretStr(client_id), SecretStr(client_secret), source=str(path))


def _warn_if_shared(path: Path, mode: int) -> None:
    if os.name == "nt":  # POSIX permission bits mean nothing on Windows
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.warning(
            "credentials file %s can be read by group or others (mode %s). "
            "Restrict it with `chmod 600 %s`",
            path,
            oct(stat.S_IMODE(mode)),
            path,
        )


def _parse_credentials_text(path: Path, text: str) -> dict[str, object]:
    lines = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if lines and all(_ASSIGNMENT.match(line) for line in lines):
        return _parse_assignments(lines)
    if text.lstrip().startswith("{"):
        return _parse_json(path, text)
    return _parse_yaml(path, text)


def _parse_assignments(lines: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for line in lines:
        match = _ASSIGNMENT.match(line)
        assert match is not None  # every line matched in the caller
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[match.group(1)] = value
    return values


def _parse_json(path: Path, text: str) -> dict[str, object]:
    try:
        # Numbers stay the text written, as in the other formats.
        data = loads_json(text, parse_int=str, parse_float=str, parse_constant=str)
    except JsonNestingError:
        raise UsageError(
            f"{path}: invalid JSON in credentials file: nested too deeply",
            hint='write one object: {"client_id": "...", "client_secret": "..."}',
        ) from None
    except json.JSONDecodeError as exc:
        # exc.msg never quotes the document, unlike str(exc).
        raise UsageError(
            f"{path}:{exc.lineno}:{exc.colno}: "
            f"invalid JSON in credentials file: {exc.msg}"
        ) from None
    return _require_mapping(path, data)


def _parse_yaml(path: Path, text: str) -> dict[str, object]:
    try:
        _check_yaml_events(path, text)
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(path, exc.problem_mark, _unquoted(exc.problem)) from None
    except yaml.YAMLError:
        raise UsageError(
            f"{path}: invalid YAML in credentials file", hint=_YAML_HINT
        ) from None
    return _require_mapping(path, data)


def _check_yaml_events(path: Path, text: str) -> None:
    """Reject tags, anchors, aliases and deep nesting, naming line and column.

    A tag could change a value's type and an alias could name another
    value, so the values read would differ from the text written.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _yaml_error(
                path, event.start_mark, "anchors and aliases (& and *) are not allowed"
            )
        if isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None):
            raise _yaml_error(path, event.start_mark, "tags (! and !!) are not allowed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_YAML_DEPTH:
                raise _yaml_error(
                    path,
                    event.start_mark,
                    f"nested more than {_MAX_YAML_DEPTH} levels deep",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _Mark(Protocol):
    """A position in a YAML file, from PyYAML or from libyaml (zero-based)."""

    line: int
    column: int


def _yaml_error(path: Path, mark: _Mark | None, problem: str | None) -> UsageError:
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    return UsageError(
        f"{where}: invalid YAML in credentials file: {problem or 'syntax error'}",
        hint=_YAML_HINT,
    )


def _unquoted(problem: str | None) -> str | None:
    """Drop quoted text from a PyYAML problem, because it may quote the secret.

    libyaml's messages quote nothing. The pure-Python parser quotes aliases,
    tags and characters from the file.
    """
    if problem is None:
        return None
    return _QUOTED.sub("", problem).strip() or None


def _require_mapping(path: Path, data: object) -> dict[str, object]:
    if not isinstance(data, dict):
        raise UsageError(
            f"{path}: credentials file must contain a mapping "
            "with client_id and client_secret"
        )
    return {str(key): value for key, value in data.items()}


def _pick(path: Path, values: Mapping[str, object], keys: tuple[str, ...]) -> str:
    """Return the first value present under ``keys``, or "" when none is."""
    for key in keys:
        value = values.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            # Never quote the value: it may be the secret.
            raise UsageError(
                f"credentials file {path}: {key} must be a string",
                hint=f"write `{key}: ...` with the value as plain or quoted text",
            )
        return value
    return ""
