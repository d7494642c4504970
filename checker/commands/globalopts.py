"""``-v``, ``-q`` and ``--debug``: accepted before the subcommand and after it.

The group and every command declare the same three options, so
``qlik-drift -v check ...`` and ``qlik-drift check ... -v`` both work, as
in terraform or kubectl. Values from both places are merged into the root
context's ``obj`` dict: ``-v`` counts add up, and ``-q`` and ``--debug``
apply when given in either place. Each callback configures logging again
from the merged values, so logging is set before a command's body runs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from checker.controlchars import escape_control_chars

F = TypeVar("F", bound=Callable[..., Any])

VERBOSE = "verbose"
QUIET = "quiet"
DEBUG = "debug"


def global_options(func: F) -> F:
    """Add -v/--verbose, -q/--quiet and --debug to a group or command."""
    func = click.option(
        "--debug",
        DEBUG,
        is_flag=True,
        is_eager=True,
        expose_value=False,
        callback=_merge,
        help="Show the traceback of an internal error.",
    )(func)
    func = click.option(
        "-q",
        "--quiet",
        QUIET,
        is_flag=True,
        is_eager=True,
        expose_value=False,
        callback=_merge,
        help="Print only the report and errors.",
    )(func)
    return click.option(
        "-v",
        "--verbose",
        VERBOSE,
        count=True,
        is_eager=True,
        expose_value=False,
        callback=_merge,
        help="Log more on stderr: -v for info, -vv for debug.",
    )(func)


def settings_of(ctx: click.Context) -> dict[str, Any]:
    """Return the merged option values, stored in the root context's ``obj``."""
    root = ctx.find_root()
    settings: dict[str, Any] = root.ensure_object(dict)
    settings.setdefault(VERBOSE, 0)
    settings.setdefault(QUIET, False)
    settings.setdefault(DEBUG, False)
    return settings


def is_quiet(ctx: click.Context | None = None) -> bool:
    """Return whether -q was given, before or after the subcommand."""
    ctx = ctx or click.get_current_context()
    return bool(settings_of(ctx)[QUIET])


def _merge(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    settings = settings_of(ctx)
    if param.name == VERBOSE:
        settings[VERBOSE] += int(value or 0)
    elif param.name in (QUIET, DEBUG):
        settings[param.name] = settings[param.name] or bool(value)
    configure_logging(settings[VERBOSE], settings[QUIET])


def configure_logging(verbose: int, quiet: bool) -> None:
    """Send the ``checker`` loggers' records to stderr at the chosen level."""
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1:
        level = logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_EscapingFormatter("[%(levelname)s] %(name)s: %(message)s"))
    root = logging.getLogger("checker")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class _EscapingFormatter(logging.Formatter):
    """A formatter that escapes control characters, which log arguments can carry."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_control_chars(super().format(record), keep_newlines=True)
