"""The text report: drift levels, what fails the run, and each count once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.cli import run

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "examples" / "manifests"
STATE = str(ROOT / "examples" / "live" / "acme.yaml")
HEAD = "apiVersion: qlik-drift/v1\nkind: TenantManifest\nsubscriptions:\n"


@pytest.fixture(autouse=True)
def plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("QLIK_CLIENT_ID", "QLIK_CLIENT_SECRET", "QLIK_ORG_URL"):
        monkeypatch.delenv(name, raising=False)


def check(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, list[str]]:
    code = run(["check", *(str(arg) for arg in args), "--simulate", STATE])
    return code, capsys.readouterr().out.splitlines()


def americas(tmp_path: Path) -> Path:
    """Write a manifest with one missing tenant and three unmanaged ones."""
    path = tmp_path / "americas.yaml"
    path.write_text(
        HEAD + '  - subscriptionId: "1234567890123456"\n'
        "    tenants:\n"
        "      - hostname: acme-nyc.us.qlikcloud.com\n"
        "        regionCode: us-east-1\n"
    )
    return path


def warning_policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "apiVersion: qlik-drift/v1\nkind: Policy\n"
        "severity:\n  drift:\n    unmanaged: warning\n    undeclared-subscription: ignore\n"
    )
    return path


def test_warning_item_tagged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = americas(tmp_path)
    code, lines = check(capsys, manifest, "--policy", warning_policy(tmp_path))
    assert code == 1
    assert f"  {manifest}:4: warning unmanaged acme-sandbox.us.qlikcloud.com  exists" in "\n".join(
        lines
    )
    assert f"  {manifest}:6: missing   acme-nyc.us.qlikcloud.com  declared" in "\n".join(lines)


def test_summary_counts_failing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(capsys, americas(tmp_path), "--policy", warning_policy(tmp_path))
    assert code == 1
    assert lines[-1] == (
        "4 drift item(s): 1 missing, 3 unmanaged (8 live tenant(s) read); "
        "1 drift item(s) fail the run; 3 ignored"
    )


def test_info_only_drift_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "imported"
    subscriptions = ["9876543210987654", "1234567890123456", "5555666677778888"]
    argv = ["import", "--simulate", STATE, "-o", str(out)]
    for subscription in subscriptions:
        argv += ["--subscription", subscription]
    assert run(argv) == 0
    capsys.readouterr()
    code, lines = check(capsys, out)
    assert code == 0
    assert "  (live only): info undeclared-subscription 1 tenant(s)" in "\n".join(lines)
    assert lines[-1] == (
        "1 drift item(s): 1 undeclared subscription (8 live tenant(s) read); "
        "0 drift item(s) fail the run"
    )


def test_clean_run_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "imported"
    assert run(["import", "--simulate", STATE, "-o", str(out)]) == 0
    capsys.readouterr()
    code, lines = check(capsys, out)
    assert code == 0
    assert lines[-1] == "0 drift item(s) (8 live tenant(s) read)"


def test_demo_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(capsys, MANIFESTS)
    assert code == 1
    assert lines[-1] == (
        "5 drift item(s): 1 missing, 1 unmanaged, 1 changed, 1 moved, "
        "1 undeclared subscription (8 live tenant(s) read); 4 drift item(s) fail the run"
    )


def test_invalid_manifests_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + '  - subscriptionId: "1234567890123456"\n    tenants: 7\n')
    code, lines = check(capsys, bad)
    assert code == 1
    assert lines[-2] == "1 error(s), 0 warning(s) in 1 file(s)"
    assert lines[-1] == "the organization was not read: fix the errors above first"


def test_validate_has_no_read_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + '  - subscriptionId: "1234567890123456"\n    tenants: 7\n')
    assert run(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "was not read" not in out
    assert out.splitlines()[-1] == "1 error(s), 0 warning(s) in 1 file(s)"


def test_early_warnings_counted_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(capsys, MANIFESTS, "--today", "2028-06-15")
    assert code == 1
    assert "warning(s) in" not in lines[-1]
    assert lines[-1].endswith("; 3 early warning(s) from live data")


def test_manifest_and_early_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "m"
    shutil.copytree(MANIFESTS, folder)
    (folder / "empty.yaml").write_text("# nothing declared here yet\n")
    code, lines = check(capsys, folder, "--today", "2028-06-15")
    assert code == 1
    assert lines[-1].startswith("0 error(s), 1 warning(s) in 3 file(s); 5 drift item(s)")
    assert lines[-1].endswith("; 3 early warning(s) from live data")


def test_early_warning_raised_to_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: qlik-drift/v1\nkind: Policy\n"
        "severity:\n  rules:\n    live/license-expiring: error\n"
    )
    code, lines = check(capsys, MANIFESTS, "--today", "2028-06-15", "--policy", policy)
    assert code == 1
    assert lines[-1].endswith("; 3 early warning(s) from live data, 3 of them at level error")
