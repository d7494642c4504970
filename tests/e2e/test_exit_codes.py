"""The exit-code contract: 0 clean, 1 findings, 2 no answer, 3 internal, 130 interrupted."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import run

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = str(ROOT / "examples" / "manifests")
STATE = str(ROOT / "examples" / "live" / "acme.yaml")


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QLIK_CLIENT_ID", "QLIK_CLIENT_SECRET", "QLIK_ORG_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "argv",
    [
        ["--no-such-flag"],
        ["no-such-command"],
        ["check"],
        ["validate"],
        ["check", MANIFESTS, "--format", "yaml"],
        ["check", MANIFESTS, "--timeout", "0"],
    ],
    ids=["unknown-flag", "unknown-command", "check-no-paths", "validate-no-paths", "bad-format", "bad-timeout"],
)
def test_usage_errors_exit_two(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == 2
    assert "Error" in capsys.readouterr().err


def test_version_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert "qlik-drift" in capsys.readouterr().out


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    output = capsys.readouterr().out
    assert "check" in output
    assert "validate" in output


def test_missing_path_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "no/such/manifests"]) == 2
    assert "no/such/manifests" in capsys.readouterr().err


def test_valid_examples_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", MANIFESTS]) == 0
    assert "valid" in capsys.readouterr().out


def test_missing_credentials_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", MANIFESTS]) == 2
    assert "QLIK_CLIENT_ID" in capsys.readouterr().err


def test_plain_http_remote_url_exits_two(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", "id-for-url-test")
    monkeypatch.setenv("QLIK_CLIENT_SECRET", "secret-for-url-test")
    assert run(["check", MANIFESTS, "--org-url", "http://console.example.com"]) == 2
    err = capsys.readouterr().err
    assert "http://console.example.com" in err
    assert "secret-for-url-test" not in err


def test_internal_error_exits_three(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A real crash cannot be provoked through valid input, so the drift
    # engine is replaced by one that raises.
    def crash(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("checker.drift.compute_drift", crash)
    assert run(["check", MANIFESTS, "--simulate", STATE]) == 3
    captured = capsys.readouterr()
    assert "Internal error: RuntimeError" in captured.err
    assert "report it at" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_internal_error_debug_shows_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("checker.drift.compute_drift", crash)
    assert run(["--debug", "check", MANIFESTS, "--simulate", STATE]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_interrupt_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Ctrl-C is simulated by raising KeyboardInterrupt from the loader.
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("checker.manifest.load_manifests", interrupt)
    assert run(["validate", MANIFESTS]) == 130
    assert "Interrupted" in capsys.readouterr().err


def test_progress_shown_when_forced(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", MANIFESTS, "--simulate", STATE, "--progress", "always"]) == 1
    err = capsys.readouterr().err
    assert "read 8 of 8 tenants" in err


def test_progress_hidden_in_ci(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    assert run(["check", MANIFESTS, "--simulate", STATE]) == 1
    assert "tenants" not in capsys.readouterr().err


def test_color_forced(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", MANIFESTS, "--simulate", STATE, "--color", "always"]) == 1
    assert "\x1b[" in capsys.readouterr().out


def test_no_color_env_disables_auto(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert run(["check", MANIFESTS, "--simulate", STATE]) == 1
    assert "\x1b[" not in capsys.readouterr().out
