"""Command-line entry point: option parsing, logging and the exit-code contract.

Exit codes: 0 valid and no drift; 1 findings (drift or invalid manifests);
2 no answer (usage, configuration, auth, API or network failure); 3 internal
error; 130 interrupted. Commands return an int; only ``main`` exits.
Each command lives in its own module under ``checker.commands`` and is
imported only when it runs, so ``validate`` never loads the HTTP or diff stack.
Error messages and log records go to stderr with their control characters
escaped, because they can quote live data.
"""

from __future__ import annotations

import importlib
import logging
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from checker import __version__
from checker.commands.globalopts import DEBUG, global_options
from checker.controlchars import escape_control_chars
from checker.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_ANSWER,
    EXIT_OK,
    QlikDriftError,
)

ISSUES_URL = "https://github.com/qlik-drift/qlik-drift/issues"

# Command name -> "module:attribute", loaded on first use.
COMMANDS = {
    "check": "checker.commands.check:check",
    "validate": "checker.commands.validate:validate",
    "simulate": "checker.commands.simulate:simulate",
    "snapshot": "checker.commands.snapshot:snapshot",
    "baseline": "checker.commands.baseline:baseline",
    "import": "checker.commands.import_:import_",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when they are used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    # Reports reach stdout through ``write_stdout``, which keeps the exit code
    # when the reader closes the pipe early. The two methods below catch the
    # other writes, such as help pages, with exit 2: without them click would
    # exit 1, the code for findings.

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            _discard_stdout()
            raise click.exceptions.Exit(EXIT_NO_ANSWER) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _discard_stdout()
            return EXIT_NO_ANSWER


def _discard_stdout() -> None:
    from checker.commands.output import discard_stdout

    discard_stdout()


def register_command(name: str, target: str) -> None:
    """Add a lazily imported subcommand, given as ``"module:attribute"``."""
    COMMANDS[name] = target


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qlik-drift")
@global_options
def cli() -> None:
    """Compare Qlik Cloud tenant manifests with the live organization.

    -v, -q and --debug work before COMMAND and after it.
    """


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code instead of exiting.

    The ``checker`` logger's configuration is restored afterwards, so a
    program or test that calls ``run`` keeps its own logging.
    """
    logger = logging.getLogger("checker")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    try:
        return _run(argv)
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def _run(argv: Sequence[str] | None) -> int:
    # The options' callbacks fill this dict, so --debug counts wherever it was given.
    settings: dict[str, Any] = {}
    try:
        result: Any = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="qlik-drift",
            standalone_mode=False,
            obj=settings,
        )
    except click.exceptions.Exit as exit_request:
        return exit_request.exit_code
    except click.ClickException as error:
        # Usage errors, bad parameters and file errors are all "no answer".
        error.show()
        return EXIT_NO_ANSWER
    except (click.Abort, KeyboardInterrupt):
        click.echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    except QlikDriftError as error:
        if settings.get(DEBUG):
            traceback.print_exc()
        click.echo(f"Error: {escape_control_chars(str(error), keep_newlines=True)}", err=True)
        if error.exit_code == EXIT_INTERNAL:
            click.echo(_report_bug_hint(), err=True)
        return error.exit_code
    except Exception as error:  # noqa: BLE001 - the one place that maps crashes to exit 3
        if settings.get(DEBUG):
            traceback.print_exc()
        click.echo(
            f"Internal error: {type(error).__name__} in qlik-drift {__version__}.\n"
            + _report_bug_hint(),
            err=True,
        )
        return EXIT_INTERNAL
    if isinstance(result, int):
        return result
    return EXIT_OK


def _report_bug_hint() -> str:
    return (
        f"  This is a bug in qlik-drift {__version__}: re-run with --debug for the "
        f"traceback and report it at {ISSUES_URL}"
    )


def main(argv: Sequence[str] | None = None) -> NoReturn:
    sys.exit(run(argv))
