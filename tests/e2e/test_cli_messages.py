"""Messages and help texts that name the option the user actually typed."""

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
        ["check", MANIFESTS],
        ["snapshot", "-o", "-"],
        ["import", "-o", "-", "--single-file"],
        ["baseline", MANIFESTS, "-o", "-"],
    ],
    ids=["check", "snapshot", "import", "baseline"],
)
def test_missing_state_names_simulate(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.yaml"
    assert run([*argv, "--simulate", str(missing)]) == 2
    captured = capsys.readouterr()
    assert f"Error: state file not found: {missing}" in captured.err
    assert "`--simulate`" in captured.err
    assert "--state" not in captured.err
    assert captured.out == ""


def test_simulate_command_names_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["simulate", "--state", str(tmp_path / "nope.yaml"), "--port", "0"]) == 2
    assert "`--state`" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["snapshot", "import", "baseline"])
def test_simulate_help_reads(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([command, "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Read the organization from an embedded simulator seeded from this state file" in out
    assert "Check against" not in out


def test_check_simulate_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Check against an embedded simulator seeded from this state file" in out


def test_import_invalid_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run(["import", "--simulate", STATE, "-o", str(out), "--region", "eu-west-9"]) == 2
    err = capsys.readouterr().err
    assert "Error: invalid region code 'eu-west-9' in --region" in err
    assert "did you mean eu-west-1, eu-west-2 or eu-west-3?" in err
    assert "matched none" not in err
    assert not out.exists()


def test_import_region_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run(["import", "--simulate", STATE, "-o", str(out), "--region", "EU-West-1"]) == 2
    err = capsys.readouterr().err
    assert "invalid region code 'EU-West-1' in --region" in err
    assert "did you mean eu-west-1" in err


def test_import_region_no_guess(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run(["import", "--simulate", STATE, "-o", str(out), "--region", "zz"]) == 2
    err = capsys.readouterr().err
    assert "invalid region code 'zz' in --region" in err
    assert "valid codes: us-east-1, " in err


def test_import_valid_region_unused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run(["import", "--simulate", STATE, "-o", str(out), "--region", "il-central-1"]) == 2
    assert "region(s) il-central-1 matched none" in capsys.readouterr().err
