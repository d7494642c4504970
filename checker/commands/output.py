"""``--output FORMAT=PATH``: several report formats from one run.

One ``check`` can feed GitHub annotations on stdout, a SARIF file for code
scanning and a JSON artifact at once. Files are written atomically, so a
consumer never reads half a report. ``--format F`` is the same as
``--output F=-`` and applies only when no ``--output`` writes to stdout.

Everything a command prints on stdout goes through ``write_stdout``, which
turns a stdout that cannot be written into exit code 2 and a reader that
closed the pipe early into silence.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click
from click.core import ParameterSource

from checker.errors import QlikDriftError
from checker.fsutil import atomic_write_text
from checker.report import RENDERERS, Report, render

logger = logging.getLogger(__name__)

STDOUT = "-"


@dataclass(frozen=True, slots=True)
class OutputTarget:
    """One report to write: a format name and a path, ``-`` for stdout."""

    format_name: str
    path: str

    @property
    def to_stdout(self) -> bool:
        return self.path == STDOUT


def parse_outputs(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> tuple[OutputTarget, ...]:
    """Parse every ``FORMAT=PATH`` value; a bad one is a usage error (exit 2)."""
    targets = tuple(_parse_one(value) for value in values)
    paths = [t.path for t in targets if not t.to_stdout]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    if duplicates:
        raise click.BadParameter(
            f"{duplicates[0]} is named by more than one --output; give each report its own file"
        )
    if sum(t.to_stdout for t in targets) > 1:
        raise click.BadParameter(
            "more than one --output writes to stdout (-); send all but one to files"
        )
    return targets


def _parse_one(value: str) -> OutputTarget:
    name, separator, path = value.partition("=")
    name = name.strip().lower()
    if not separator or not name or not path:
        raise click.BadParameter(
            f"{value!r} is not FORMAT=PATH; for example `sarif=qlik-drift.sarif` or `github=-`"
        )
    if name not in RENDERERS:
        raise click.BadParameter(
            f"unknown format {name!r} in {value!r}; use one of {', '.join(sorted(RENDERERS))}"
        )
    if path != STDOUT:
        check_output_path(path)
    return OutputTarget(name, path)


def check_output_path(path: str) -> None:
    """Raise ``click.BadParameter`` when ``path`` is a folder or its folder is missing.

    Commands call it before the live read, which can take minutes.
    """
    target = Path(path)
    if target.is_dir():
        raise click.BadParameter(f"{path} is a folder; give a file path")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise click.BadParameter(f"folder {parent} for {path} does not exist; create it first")


def resolve_outputs(
    format_name: str, outputs: Sequence[OutputTarget]
) -> list[OutputTarget]:
    """Return every report to write: stdout gets ``--format`` unless an output takes it."""
    if not any(target.to_stdout for target in outputs):
        return [OutputTarget(format_name, STDOUT), *outputs]
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.get_parameter_source("format_name") not in (
        None,
        ParameterSource.DEFAULT,
    ):
        raise click.UsageError(
            "--format and an --output with path - both write to stdout; keep one of them"
        )
    return list(outputs)


def write_outputs(
    report: Report, targets: Sequence[OutputTarget], *, color: bool
) -> str:
    """Write the file reports and return the text for stdout.

    Everything is rendered before the first file is written, so a failure
    leaves no mix of old and new reports. A report that cannot be written is
    an error (exit 2), because the result did not reach its reader.
    """
    rendered = [
        (target, render(report, target.format_name, color=color and target.to_stdout))
        for target in targets
    ]
    stdout = ""
    for target, text in rendered:
        if target.to_stdout:
            stdout = text
            continue
        try:
            atomic_write_text(target.path, text)
        except OSError as error:
            raise QlikDriftError(
                f"could not write the {target.format_name} report to {target.path}: "
                f"{error.strerror or error}"
            ) from error
        logger.info("wrote the %s report to %s", target.format_name, target.path)
    if any(target.format_name == "github" for target in targets):
        _append_step_summary(report)
    return stdout


def write_stdout(text: str, *, color: bool | None = None) -> None:
    """Write ``text`` to stdout and flush it.

    When the reader closed the pipe (``| head``), the rest of the text is
    dropped without a message and the command keeps its exit code. Any other
    write error raises QlikDriftError (exit 2). In both cases the stdout file
    descriptor, when there is one, is pointed at the null device, so the
    flush at interpreter exit cannot fail again.
    ``color`` is passed to ``click.echo``: None strips ANSI codes off a
    stdout that is not a terminal.
    """
    try:
        click.echo(text, nl=False, color=color)
        sys.stdout.flush()
    except BrokenPipeError:
        discard_stdout()
        logger.debug("stdout was closed by its reader; the rest of the output was dropped")
    except OSError as error:
        discard_stdout()
        raise QlikDriftError(
            f"could not write to stdout: {error.strerror or error}"
        ) from error


def discard_stdout() -> None:
    """Point the stdout file descriptor at the null device.

    Text still buffered in ``sys.stdout`` then goes nowhere, instead of
    failing again when Python flushes it at exit.
    """
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not backed by a file descriptor, as under a test's capture
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)


def _append_step_summary(report: Report) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from checker.report.github import write_step_summary

    try:
        write_step_summary(report, path)
    except OSError as error:
        # The annotations and the exit code still carry the result.
        logger.warning("could not append to the step summary %s: %s", path, error)
