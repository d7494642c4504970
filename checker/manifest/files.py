"""Find manifest files and read them as text."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import UsageError
from checker.manifest import rules
from checker.model import Diagnostic, Location

if TYPE_CHECKING:
    import pathspec

MANIFEST_SUFFIXES = (".yaml", ".yml")


def collect_manifest_files(
    paths: Iterable[str | os.PathLike[str]], *, exclude: Sequence[str] = ()
) -> list[Path]:
    """Return the manifest files named by ``paths``, each once.

    Raises UsageError for a path that does not exist, a folder without
    manifests, and a folder that cannot be read (see ``find_manifest_files``).
    """
    found, unreadable = find_manifest_files(paths, exclude=exclude)
    if unreadable:
        first = unreadable[0]
        raise UsageError(f"{first.location.file}: {first.message}", hint=first.hint)
    return found


def find_manifest_files(
    paths: Iterable[str | os.PathLike[str]], *, exclude: Sequence[str] = ()
) -> tuple[list[Path], list[Diagnostic]]:
    """Return the manifest files named by ``paths``, each once, and unreadable folders.

    A file is taken as given, whatever its name, even when it matches
    ``exclude``. A folder is searched recursively for ``*.yaml`` and
    ``*.yml`` files, in sorted order. The search skips folders whose name
    starts with a dot (``.git``, ``.github``) and every file or folder that
    matches an ``exclude`` pattern (gitignore syntax, see
    ``compile_excludes``). A folder or subfolder that cannot be listed is a
    ``file/unreadable`` error diagnostic, because skipping it would hide its
    manifests. Raises UsageError for a path that does not exist, a folder
    without manifests and an invalid pattern.
    """
    excluded = compile_excludes(exclude)
    found: list[Path] = []
    unreadable: list[Diagnostic] = []
    seen: set[Path] = set()
    for argument in paths:
        path = Path(argument)
        if not path.exists():
            raise UsageError(
                f"manifest path not found: {os.fspath(argument)}",
                hint="pass existing manifest files or folders",
            )
        candidates = [path]
        if path.is_dir():
            candidates, errors = _search_folder(path, excluded)
            unreadable.extend(_folder_diagnostic(error) for error in errors)
            if not candidates and not errors:
                raise _empty_folder_error(path, excluded)
        for candidate in candidates:
            identity = candidate.resolve()
            if identity not in seen:
                seen.add(identity)
                found.append(candidate)
    return found, unreadable


def compile_excludes(patterns: Sequence[str]) -> pathspec.GitIgnoreSpec | None:
    """Compile ``--exclude`` patterns, or return None when there are none.

    The patterns follow gitignore syntax as implemented by ``pathspec``.
    ``*`` matches within one name and ``**`` matches any number of folders.
    A pattern without a slash matches a name at any depth. A pattern with a
    slash at the start or in the middle is matched against the path relative
    to the folder argument. A trailing slash matches folders only, and a
    leading ``!`` takes a match back.
    Raises UsageError for a pattern that gitignore syntax rejects.
    """
    if not patterns:
        return None
    for pattern in patterns:
        if not pattern.strip():
            # gitignore reads a blank line as no pattern, which would hide a typo
            # such as an unset shell variable.
            raise UsageError(
                "invalid --exclude pattern: the pattern is empty",
                hint="pass a glob such as --exclude 'live/*', or drop the option",
            )
    # Imported here: it takes about 30 ms, and most runs pass no pattern.
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(patterns)
    except ValueError as error:
        # pathspec raises GitIgnorePatternError, a ValueError, e.g. for "!".
        raise UsageError(
            f"invalid --exclude pattern: {error}",
            hint="use gitignore syntax, e.g. "
            "--exclude 'live/*' --exclude 'Pulumi.yaml'",
        ) from error


def _is_excluded(excluded: pathspec.GitIgnoreSpec | None, relative: str) -> bool:
    # A pattern without a slash matches the name at any depth, so matching the
    # relative path also matches the file or folder name.
    return excluded is not None and excluded.match_file(relative)


def _search_folder(
    folder: Path, excluded: pathspec.GitIgnoreSpec | None = None
) -> tuple[list[Path], list[OSError]]:
    matches: list[Path] = []
    errors: list[OSError] = []
    # os.walk does not follow symbolic links to folders, so a link loop
    # cannot make the search run forever. It skips a folder that it cannot
    # list and reports it only to onerror.
    for current, folders, files in os.walk(folder, onerror=errors.append):
        base = Path(current).relative_to(folder).as_posix()
        prefix = "" if base == "." else f"{base}/"
        # A trailing slash marks the path as a folder for gitignore patterns.
        folders[:] = [
            name
            for name in folders
            if not name.startswith(".")
            and not _is_excluded(excluded, f"{prefix}{name}/")
        ]
        matches.extend(
            Path(current, name)
            for name in files
            if name.endswith(MANIFEST_SUFFIXES)
            and not _is_excluded(excluded, f"{prefix}{name}")
        )
    return sorted(matches, key=lambda match: match.as_posix()), errors


def _empty_folder_error(
    folder: Path, excluded: pathspec.GitIgnoreSpec | None
) -> UsageError:
    if excluded is not None and _search_folder(folder)[0]:
        return UsageError(
            f"every *.yaml or *.yml file in folder {os.fspath(folder)} "
            "matches an --exclude pattern",
            hint="narrow the --exclude patterns, or pass another folder",
        )
    return UsageError(
        f"no *.yaml or *.yml file in folder {os.fspath(folder)}",
        hint="pass the folder that contains the manifests",
    )


def _folder_diagnostic(error: OSError) -> Diagnostic:
    folder = Path(os.fsdecode(error.filename)) if error.filename else Path(".")
    reason = error.strerror or str(error)
    return _file_diagnostic(
        display_path(folder),
        rules.FILE_UNREADABLE,
        f"cannot read the folder, so its manifests were not checked: {reason}",
        "make the folder readable, or move it out of the folders passed to qlik-drift",
    )


def display_path(path: Path) -> str:
    """Return the path relative to the working folder when it is inside it."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.as_posix()
    return relative.as_posix()


def read_manifest_text(
    path: Path, display: str
) -> tuple[str | None, Diagnostic | None]:
    """Return the text of a manifest file, or a diagnostic if it cannot be read.

    Carriage returns of CRLF line ends and a leading byte order mark are
    removed; neither changes a line or column number.
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None, _file_diagnostic(
                display, rules.FILE_UNREADABLE, "not a regular file", None
            )
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        return None, _file_diagnostic(
            display,
            rules.FILE_UNREADABLE,
            f"cannot read the file: {reason}",
            "check that the file exists and is readable",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, _encoding_diagnostic(display, data, error)
    text = text.removeprefix("\ufeff")
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text, None


def _encoding_diagnostic(
    display: str, data: bytes, error: UnicodeDecodeError
) -> Diagnostic:
    before = data[: error.start]
    line = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    col = len(before[line_start:].decode("utf-8", "replace")) + 1
    return Diagnostic(
        location=Location(display, line, col),
        level="error",
        message=(
            f"the file is not valid UTF-8: byte 0x{data[error.start]:02x} "
            "cannot be decoded"
        ),
        rule_id=rules.FILE_ENCODING,
        hint="save the file as UTF-8",
    )


def _file_diagnostic(
    display: str, rule_id: str, message: str, hint: str | None
) -> Diagnostic:
    return Diagnostic(
        location=Location(display, 1, 1),
        level=rules.RULES[rule_id].level,
        message=message,
        rule_id=rule_id,
        hint=hint,
    )
