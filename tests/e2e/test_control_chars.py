"""Control characters from live data never reach the terminal or a CI log raw."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.cli import run
from checker.controlchars import escape_control_chars

SUBSCRIPTION = "1234567890123456"
# NUL, an OSC sequence that sets the terminal title, BEL.
HOSTILE_HOSTNAME = "b\u0000.x\u001b]0;title\u0007"
# DEL and a C1 CSI (U+009B) that some terminals act on like ESC [.
HOSTILE_ID = "T\u007f\u009b31m"
HOSTILE_SUBSCRIPTION = "55\u001b[2J55"
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QLIK_CLIENT_ID", "QLIK_CLIENT_SECRET", "QLIK_ORG_URL", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """A state with hostile live values and a manifest that declares none of them."""
    tenants = [
        {
            "id": "Tok",
            "name": "Good",
            "hostnames": ["good.eu.qlikcloud.com"],
            "regionCode": "eu-west-1",
            "status": "active",
            "subscriptionId": SUBSCRIPTION,
        },
        {
            "id": HOSTILE_ID,
            "name": "Hostile",
            "hostnames": [HOSTILE_HOSTNAME],
            "regionCode": "eu-west-1",
            "status": "active",
            "subscriptionId": SUBSCRIPTION,
        },
        {
            "id": "Tother",
            "name": "Other",
            "hostnames": ["other.eu.qlikcloud.com"],
            "regionCode": "eu-west-1",
            "status": "active",
            "subscriptionId": HOSTILE_SUBSCRIPTION,
        },
    ]
    state = tmp_path / "state.json"
    state.write_text(
        json.dumps({"clients": [{"clientId": "cc-id", "clientSecret": "cc-secret"}], "tenants": tenants}),
        encoding="utf-8",
    )
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "apiVersion: qlik-drift/v1\n"
        "kind: TenantManifest\n"
        "subscriptions:\n"
        f'  - subscriptionId: "{SUBSCRIPTION}"\n'
        "    tenants:\n"
        "      - hostname: good.eu.qlikcloud.com\n"
        "        regionCode: eu-west-1\n",
        encoding="utf-8",
    )
    return state, manifest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\x1b]0;t\x07b", "a\\x1b]0;t\\x07b"),
        ("nul\x00", "nul\\x00"),
        ("del\x7f", "del\\x7f"),
        ("csi\x9b1m", "csi\\x9b1m"),
        ("tab\tline\ncr\r", "tab\\tline\\ncr\\r"),
        ("héllo ☃", "héllo ☃"),
    ],
    ids=["osc", "nul", "del", "c1", "short", "printable"],
)
def test_escape_control_chars(text: str, expected: str) -> None:
    assert escape_control_chars(text) == expected


def test_escape_keeps_newlines() -> None:
    assert escape_control_chars("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


def test_text_report_escapes_live(
    hostile: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    state, manifest = hostile
    code = run(["check", str(manifest), "--simulate", str(state)])
    out = capsys.readouterr().out
    assert code == 1
    assert RAW_CONTROL.search(out) is None
    assert "b\\x00.x\\x1b]0;title\\x07" in out
    assert "subscription 55\\x1b[2J55" in out


def test_github_report_escapes_live(
    hostile: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    state, manifest = hostile
    code = run(["check", str(manifest), "--simulate", str(state), "--format", "github"])
    out = capsys.readouterr().out
    assert code == 1
    assert RAW_CONTROL.search(out) is None
    assert "b\\x00.x\\x1b]0;title\\x07" in out
    assert all(line.startswith(("::", "qlik-drift check")) for line in out.splitlines())


def test_error_message_escapes_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no\x1b]0;x\x07such.yaml"
    assert run(["validate", str(missing)]) == 2
    err = capsys.readouterr().err
    assert RAW_CONTROL.search(err) is None
    assert "no\\x1b]0;x\\x07such.yaml" in err
