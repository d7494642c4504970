"""-v, -vv, -q and --debug before the subcommand, after it, or in both places."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest

from checker.cli import COMMANDS, LazyGroup, cli, run

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = str(ROOT / "examples" / "manifests")
STATE = str(ROOT / "examples" / "live" / "acme.yaml")


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QLIK_CLIENT_ID", "QLIK_CLIENT_SECRET", "QLIK_ORG_URL"):
        monkeypatch.delenv(name, raising=False)


def crash_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    # No valid input makes the drift engine crash, so it is replaced by one
    # that raises, to reach the internal-error path.
    def crash(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("checker.drift.compute_drift", crash)


@pytest.mark.parametrize(
    "argv",
    [
        ["check", MANIFESTS, "--simulate", STATE, "-v"],
        ["check", "-v", MANIFESTS, "--simulate", STATE],
        ["-v", "check", MANIFESTS, "--simulate", STATE],
        ["check", MANIFESTS, "--simulate", STATE, "--verbose"],
    ],
    ids=["after-args", "after-command", "before-command", "long-form"],
)
def test_verbose_any_place(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == 1
    err = capsys.readouterr().err
    assert "[INFO] checker.live.read: read 8 tenants" in err
    assert "[DEBUG]" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", MANIFESTS, "--simulate", STATE, "-vv"],
        ["-v", "check", MANIFESTS, "--simulate", STATE, "-v"],
    ],
    ids=["vv-after", "counts-add-up"],
)
def test_debug_logs_any_place(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == 1
    assert "[DEBUG]" in capsys.readouterr().err


def test_no_verbose_no_logs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", MANIFESTS, "--simulate", STATE]) == 1
    assert "[INFO]" not in capsys.readouterr().err


@pytest.mark.parametrize("place", ["before", "after"])
def test_quiet_any_place(
    place: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["snapshot", "--simulate", STATE, "-o", str(tmp_path / "live.json")]
    argv = ["-q", *command] if place == "before" else [*command, "-q"]
    assert run(argv) == 0
    assert capsys.readouterr().err == ""
    assert (tmp_path / "live.json").is_file()


def test_without_quiet_snapshot_speaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["snapshot", "--simulate", STATE, "-o", str(tmp_path / "live.json")]) == 0
    assert "wrote a snapshot of 8 tenant(s)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", MANIFESTS, "--simulate", STATE, "--debug"],
        ["check", "--debug", MANIFESTS, "--simulate", STATE],
        ["--debug", "check", MANIFESTS, "--simulate", STATE],
    ],
    ids=["after-args", "after-command", "before-command"],
)
def test_debug_traceback_any_place(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    crash_drift(monkeypatch)
    assert run(argv) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "RuntimeError: boom" in err


def test_debug_as_path_is_no_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # After `--`, "--debug" is the name of a manifest folder, not the flag.
    shutil.copytree(MANIFESTS, tmp_path / "--debug")
    monkeypatch.chdir(tmp_path)
    crash_drift(monkeypatch)
    assert run(["check", "--simulate", STATE, "--", "--debug"]) == 3
    err = capsys.readouterr().err
    assert "Internal error: RuntimeError" in err
    assert "Traceback" not in err


def group_options() -> list[str]:
    """Return the group's option names, other than --help and --version."""
    names = []
    for param in cli.params:
        if isinstance(param, click.Option) and param.name != "version":
            names += param.opts
    return names


def test_group_options_known() -> None:
    assert group_options() == ["-v", "--verbose", "-q", "--quiet", "--debug"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_lists_group_options(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([command, "--help"]) == 0
    out = capsys.readouterr().out
    for option in group_options():
        assert option in out, f"{command} --help does not list {option}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_lists_every_option(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    group = cli
    assert isinstance(group, LazyGroup)
    with click.Context(group) as ctx:
        subcommand = group.get_command(ctx, command)
    assert subcommand is not None
    assert run([command, "--help"]) == 0
    out = capsys.readouterr().out
    for param in subcommand.params:
        if isinstance(param, click.Option) and not param.hidden:
            for option in param.opts:
                assert option in out, f"{command} --help does not list {option}"
