"""Exit codes of `qlik-drift check` for malformed live data and credentials.

A malformed tenant or credentials file is "could not check" (exit 2), never
drift (exit 1) and never an internal error (exit 3). The simulator only
serves well-formed tenants, so a small loopback server sends the bad ones.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from live_helpers import (
    ACME,
    ROOT,
    LoopbackServer,
    api_tenant,
    json_response,
    loopback_server,
    token_payload,
)

from checker.cli import run
from checker.simulator import Simulator, load_state

MANIFESTS = ROOT / "examples" / "manifests"
DECLARED = ("9876543210987654", "1234567890123456", "5555666677778888")


def organization(tenant: dict[str, Any]) -> Any:
    """Serve one tenant in the first declared subscription, and nothing else."""

    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(path)
        query = parse_qs(url.query)
        if url.path == "/oauth/token":
            return json_response(200, token_payload())
        wanted = query.get("filter", [""])[0]
        if url.path.endswith("/actions/count"):
            return json_response(200, {"total": int(DECLARED[0] in wanted)})
        listed = [tenant] if not wanted or DECLARED[0] in wanted else []
        return json_response(200, {"data": listed})

    return respond


def with_field(field: str, value: Any) -> dict[str, Any]:
    """Return a valid tenant with ``field`` set to ``value``, or removed for None."""
    tenant = api_tenant("acme-prod-id", DECLARED[0])
    tenant["hostnames"] = ["acme-prod.eu.qlikcloud.com"]
    if value is None:
        del tenant[field]
    else:
        tenant[field] = value
    return tenant


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", "loopback-client-id")
    monkeypatch.setenv("QLIK_CLIENT_SECRET", "loopback-client-secret")


@pytest.mark.parametrize("scope", ["organization", "subscriptions"])
@pytest.mark.parametrize(
    ("tenant", "problem"),
    [
        (
            with_field("hostnames", "acme-prod.eu.qlikcloud.com"),
            "'hostnames': a string",
        ),
        (with_field("hostnames", 5), "'hostnames': a number"),
        (with_field("subscriptionId", None), "has no 'subscriptionId'"),
        (with_field("name", {"en": "Acme"}), "'name': an object"),
    ],
    ids=["hostnames-string", "hostnames-number", "no-subscription", "name-object"],
)
def test_malformed_tenant_exit_two(
    credentials: None,
    capsys: pytest.CaptureFixture[str],
    tenant: dict[str, Any],
    problem: str,
    scope: str,
) -> None:
    with loopback_server(organization(tenant)) as server:
        code = run(["check", str(MANIFESTS), "--org-url", server.url, "--scope", scope])
    err = capsys.readouterr().err

    assert code == 2
    assert "malformed response, tenant acme-prod-id" in err
    assert problem in err


def test_valid_tenant_control(
    credentials: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same server with a valid tenant reports drift, so exit 2 above comes
    # from the malformed field alone.
    with loopback_server(organization(with_field("status", "active"))) as server:
        code = run(["check", str(MANIFESTS), "--org-url", server.url])

    assert code == 1
    assert "malformed" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "value",
    ["*S3CRET", "!S3CRET", "!!python/name:S3CRET", "!!int S3CRET"],
    ids=["alias", "tag", "python-tag", "int-tag"],
)
def test_credentials_yaml_exit_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    path = tmp_path / "creds.yaml"
    path.write_text(f"client_id: abc\nclient_secret: {value}\n", encoding="utf-8")
    os.chmod(path, 0o600)

    code = run(
        [
            "--debug",
            "check",
            str(MANIFESTS),
            "--credentials-file",
            str(path),
            "--org-url",
            "http://127.0.0.1:9",
        ]
    )
    err = capsys.readouterr().err

    assert code == 2
    assert f"{path}:2:16: invalid YAML in credentials file" in err
    assert "S3CRET" not in err


def test_credentials_bom_key_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Simulator(load_state(ACME)) as simulator:
        path = tmp_path / "creds.env"
        text = (
            f"QLIK_CLIENT_ID={simulator.client_id}\n"
            f"QLIK_CLIENT_SECRET={simulator.client_secret}\n"
        )
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        os.chmod(path, 0o600)
        code = run(
            [
                "check",
                str(MANIFESTS),
                "--credentials-file",
                str(path),
                "--org-url",
                simulator.url,
            ]
        )
    err = capsys.readouterr().err

    assert code == 1
    assert "credentials file" not in err
