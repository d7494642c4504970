"""Load manifest files: parse, validate against the schema, lint, merge."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checker.collector import collection_paused
from checker.manifest import rules
from checker.manifest.build import Blocked, DesiredBuilder
from checker.manifest.documents import ParsedDocument, ParsedStream, YamlProblem
from checker.manifest.files import (
    display_path,
    find_manifest_files,
    read_manifest_text,
)
from checker.manifest.lint import lint
from checker.manifest.parse import parse_text
from checker.manifest.positions import JsonPath, format_json_path, walk_values
from checker.manifest.schema import ManifestValidator
from checker.model import DesiredState, Diagnostic, Location


@dataclass(slots=True)
class LoadResult:
    """Everything learned from a set of manifest files.

    ``desired`` contains the subscriptions and the tenants that passed
    validation. ``diagnostics`` are sorted by file, line and column.
    ``files`` are the files read, relative to the working folder when they
    are inside it.
    """

    desired: DesiredState
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error."""
        return not any(diagnostic.level == "error" for diagnostic in self.diagnostics)


@functools.lru_cache(maxsize=1)
def default_validator() -> ManifestValidator:
    return ManifestValidator()


def load_manifests(
    paths: Iterable[str | os.PathLike[str]],
    *,
    validator: ManifestValidator | None = None,
    exclude: Sequence[str] = (),
) -> LoadResult:
    """Read, validate and merge the manifests at ``paths`` (files or folders).

    ``exclude`` contains gitignore patterns for files that the folder
    search skips (see ``find_manifest_files``). Raises
    ``checker.errors.UsageError`` for a path that does not exist or an
    invalid pattern. Every problem inside a file, and every folder that
    cannot be read, is a diagnostic, so one bad file never hides the others.
    """
    files, diagnostics = find_manifest_files(paths, exclude=exclude)
    schema_validator = validator if validator is not None else default_validator()
    builder = DesiredBuilder()
    displays: list[str] = []
    with collection_paused():
        for path in files:
            display = display_path(path)
            displays.append(display)
            diagnostics.extend(_load_file(path, display, schema_validator, builder))
        linted = lint(builder.subscriptions, builder.tenants, builder.tenant_paths)
        desired = builder.finish(linted.excluded)
    diagnostics.extend(linted.diagnostics)
    desired.files = list(displays)
    diagnostics.sort(key=_sort_key)
    return LoadResult(desired=desired, diagnostics=diagnostics, files=displays)


def _sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str, str]:
    where = diagnostic.location
    return (where.file, where.line, where.col, diagnostic.rule_id, diagnostic.message)


def _load_file(
    path: Path, display: str, validator: ManifestValidator, builder: DesiredBuilder
) -> list[Diagnostic]:
    text, unreadable = read_manifest_text(path, display)
    if unreadable is not None:
        return [unreadable]
    assert text is not None
    return _load_text(text, display, validator, builder)


def load_manifest_texts(
    texts: Mapping[str, str], *, validator: ManifestValidator | None = None
) -> LoadResult:
    """Validate and merge manifests given as text, keyed by the file name to report.

    The checks are those of ``load_manifests``; ``import`` and ``check --fix``
    run them on what they are about to write. A byte order mark and CRLF line
    ends are removed first, as when a file is read.
    """
    schema_validator = validator if validator is not None else default_validator()
    builder = DesiredBuilder()
    diagnostics: list[Diagnostic] = []
    for display, text in texts.items():
        normalized = text.removeprefix("\ufeff").replace("\r\n", "\n")
        diagnostics.extend(_load_text(normalized, display, schema_validator, builder))
    linted = lint(builder.subscriptions, builder.tenants, builder.tenant_paths)
    desired = builder.finish(linted.excluded)
    diagnostics.extend(linted.diagnostics)
    desired.files = list(texts)
    diagnostics.sort(key=_sort_key)
    return LoadResult(desired=desired, diagnostics=diagnostics, files=list(texts))


def _load_text(
    text: str, display: str, validator: ManifestValidator, builder: DesiredBuilder
) -> list[Diagnostic]:
    stream = parse_text(text)
    found = [problem_diagnostic(problem, display) for problem in stream.problems]
    if not stream.problems and all(doc.data is None for doc in stream.documents):
        found.append(
            Diagnostic(
                Location(display, 1, 1),
                "warning",
                "the file contains no manifest document",
                rules.FILE_EMPTY,
                hint="add a TenantManifest document or remove the file",
            )
        )
    for document in stream.documents:
        if document.data is None:
            continue
        found.extend(
            _check_document(document, stream, display, text, validator, builder)
        )
    return found


def _check_document(
    document: ParsedDocument,
    stream: ParsedStream,
    display: str,
    text: str,
    validator: ManifestValidator,
    builder: DesiredBuilder,
) -> list[Diagnostic]:
    errors = validator.errors(document.data)
    found = _ambiguous_booleans(document, display)
    if errors:
        # Imported only for invalid documents: a valid file needs no message.
        from checker.manifest.messages import SourceText, schema_diagnostics

        found.extend(schema_diagnostics(errors, document, display, SourceText(text)))
    error_paths: list[JsonPath] = [error.path for error in errors]
    error_paths.extend(
        problem.path
        for problem in stream.problems
        if problem.document == document.index
        and problem.path is not None
        and rules.RULES[problem.rule_id].level == "error"
    )
    builder.add_document(document, display, Blocked.from_paths(error_paths))
    return found


def problem_diagnostic(problem: YamlProblem, file: str) -> Diagnostic:
    """Turn a parsing problem into a diagnostic of ``file``."""
    return Diagnostic(
        location=Location(file, problem.line, problem.col),
        level=rules.RULES[problem.rule_id].level,
        message=problem.message,
        rule_id=problem.rule_id,
        json_path=format_json_path(problem.path) if problem.path is not None else "$",
        hint=problem.hint,
    )


def _ambiguous_booleans(document: ParsedDocument, file: str) -> list[Diagnostic]:
    if not document.bool_words:
        return []
    paths = {(line, col): path for path, line, col in walk_values(document.root)}
    found = []
    for line, col, word in document.bool_words:
        path = paths.get((line, col), ())
        key = path[-1] if path and isinstance(path[-1], str) else None
        quoted = f'{key}: "{word}"' if key is not None else f'"{word}"'
        found.append(
            Diagnostic(
                Location(file, line, col),
                "warning",
                f"unquoted {word!r} is the string {word!r} here (YAML 1.2), but YAML 1.1 "
                "tools such as PyYAML read it as a boolean",
                rules.YAML_AMBIGUOUS_BOOL,
                json_path=format_json_path(path),
                hint=f"quote it so every tool reads the same: {quoted}",
            )
        )
    return found
