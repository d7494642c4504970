"""The outcome of planning a fix: file contents before and after, and the reasons."""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import EXIT_INTERNAL, ManifestError, QlikDriftError
from checker.fsutil import atomic_write_text

logger = logging.getLogger(__name__)

# Drift kinds ``check --fix`` can accept into the manifests; ``missing``
# tenants are removed only on request (``--prune``).
ACCEPTABLE_KINDS = ("changed", "unmanaged", "moved")


class RewriteError(QlikDriftError):
    """A rewritten manifest would not read back as planned; nothing was written."""

    exit_code = EXIT_INTERNAL


@dataclass(frozen=True, slots=True)
class FixRequest:
    """The drift kinds to write back into the manifests, and how."""

    accept: frozenset[str] = frozenset(ACCEPTABLE_KINDS)
    prune: bool = False
    # Print the change as a diff instead of writing it.
    dry_run: bool = False

    def accepts(self, kind: str) -> bool:
        if kind == "missing":
            return self.prune
        return kind in self.accept


@dataclass(frozen=True, slots=True)
class FixAction:
    """One accepted drift item: the tenant, where it was declared, what changed."""

    kind: str
    hostname: str
    change: str
    where: str | None = None

    def __str__(self) -> str:
        where = f" ({self.where})" if self.where else ""
        return f"{self.kind:<9} {self.hostname}{where}: {self.change}"


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    before: str
    after: str

    def diff(self) -> str:
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=self.path,
            tofile=self.path,
        )
        text = ""
        for line in lines:
            text += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        return text


@dataclass(slots=True)
class FixPlan:
    changes: list[FileChange] = field(default_factory=list)
    actions: list[FixAction] = field(default_factory=list)

    def diff(self) -> str:
        """Return a unified diff of every file the plan changes."""
        return "".join(change.diff() for change in self.changes)

    def write(self) -> None:
        """Write every changed file atomically.

        Each file is replaced in one rename, so an interrupted run leaves every
        file either as it was or as planned. A file that changed on disk since
        it was read is not overwritten.
        """
        for change in self.changes:
            try:
                current = Path(change.path).read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise ManifestError(f"cannot read {change.path}: {error}") from error
            if current != change.before:
                raise ManifestError(
                    f"{change.path} changed on disk while it was being fixed; "
                    "it was not written",
                    hint="run `qlik-drift check --fix` again",
                )
        written: list[str] = []
        for change in self.changes:
            try:
                atomic_write_text(change.path, change.after)
            except OSError as error:
                done = ", ".join(written) or "none"
                raise QlikDriftError(
                    f"cannot write {change.path}: {error.strerror or error}; "
                    f"it is unchanged (files already fixed: {done})",
                    hint="fix the cause and run `qlik-drift check --fix` again",
                ) from error
            written.append(change.path)
            logger.info("rewrote %s", change.path)
