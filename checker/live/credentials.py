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

import yaml

from checker.errors import SecretStr, UsageError

logger = logging.getLogger(__name__)

ENV_CLIENT_ID = "QLIK_CLIENT_ID"
ENV_CLIENT_SECRET = "QLIK_CLIENT_SECRET"

# Key spellings accepted in a credentials file, per field.
_ID_KEYS = ("client_id", "clientId", ENV_CLIENT_ID)
_SECRET_KEYS = ("client_secret", "clientSecret", ENV_CLIENT_SECRET)

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")


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
        the environment variable names work too). A file that group or others
        can read gets a warning, as ssh gives for private keys. Raises
        ``UsageError`` when a value is missing or the file cannot be read.
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
        text = path.read_text(encoding="utf-8")
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
    client_id = _pick(values, _ID_KEYS)
    client_secret = _pick(values, _SECRET_KEYS)
    missing = [
        key
        for key, value in (("client_id", client_id), ("client_secret", client_secret))
        if not value
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
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # exc.msg never quotes the document, unlike str(exc) for some parsers.
        raise UsageError(
            f"{path}:{exc.lineno}:{exc.colno}: "
            f"invalid JSON in credentials file: {exc.msg}"
        ) from None
    return _require_mapping(path, data)


def _parse_yaml(path: Path, text: str) -> dict[str, object]:
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        # str(exc) quotes the offending line, which may hold the secret.
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise UsageError(
            f"{where}: invalid YAML in credentials file: {exc.problem}",
            hint="write `client_id: ...` and `client_secret: ...` on two lines",
        ) from None
    except yaml.YAMLError:
        raise UsageError(f"{path}: invalid YAML in credentials file") from None
    return _require_mapping(path, data)


def _require_mapping(path: Path, data: object) -> dict[str, object]:
    if not isinstance(data, dict):
        raise UsageError(
            f"{path}: credentials file must contain a mapping "
            "with client_id and client_secret"
        )
    return {str(key): value for key, value in data.items()}


def _pick(values: Mapping[str, object], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = values.get(key)
        if value is not None:
            return str(value).strip()
    return ""
