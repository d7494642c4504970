"""The README's demo and the check command end to end, over real sockets."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "examples" / "manifests"
STATE = ROOT / "examples" / "live" / "acme.yaml"
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("QLIK_")}
    full_env.update({"NO_COLOR": "1", "CI": "true"})
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo_json() -> dict[str, object]:
    result = run_cli("check", str(MANIFESTS), "--simulate", str(STATE), "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_demo_exits_one_with_text_report() -> None:
    result = run_cli("check", "examples/manifests", "--simulate", "examples/live/acme.yaml")
    assert result.returncode == 1, result.stderr
    assert "missing" in result.stdout
    assert "acme-tokyo.jp.qlikcloud.com" in result.stdout
    assert "subscription 9876543210987654 (EMEA production)" in result.stdout
    assert "\x1b[" not in result.stdout


def test_demo_report_matches_schema(demo_json: dict[str, object]) -> None:
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(demo_json)


def test_demo_reports_every_kind(demo_json: dict[str, object]) -> None:
    drift = demo_json["drift"]
    assert isinstance(drift, list)
    found = {(d["kind"], d.get("hostname")) for d in drift}
    assert ("missing", "acme-tokyo.jp.qlikcloud.com") in found
    assert ("unmanaged", "acme-sandbox.us.qlikcloud.com") in found
    assert ("changed", "acme-prod.eu.qlikcloud.com") in found
    assert ("moved", "acme-london.uk.qlikcloud.com") in found
    assert ("undeclared-subscription", None) in found
    assert len(drift) == 5


def test_demo_summary_counts(demo_json: dict[str, object]) -> None:
    summary = demo_json["summary"]
    assert isinstance(summary, dict)
    for kind in ("missing", "unmanaged", "changed", "moved", "undeclared-subscription"):
        assert summary[kind] == 1, kind
    assert summary["tenantsRead"] == 8
    assert summary["checked"] is True


def test_demo_changed_fields(demo_json: dict[str, object]) -> None:
    drift = demo_json["drift"]
    assert isinstance(drift, list)
    changed = next(d for d in drift if d["kind"] == "changed")
    assert changed["id"] == "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69"
    assert changed["source"]["file"].endswith("emea.yaml")
    assert changed["source"]["line"] == 15
    changes = {c["path"]: c for c in changed["changes"]}
    assert changes["name"]["expected"] == "Acme Production"
    assert changes["name"]["actual"] == "Acme Prod (legacy)"
    assert changes["hostnames"]["expected"] == [
        "acme-prod.eu.qlikcloud.com",
        "analytics.acme.example",
    ]
    assert changes["hostnames"]["actual"] == ["acme-prod.eu.qlikcloud.com", "bi.acme.example"]
    assert set(changes) == {"name", "hostnames"}


def test_demo_moved_names_both_subscriptions(demo_json: dict[str, object]) -> None:
    drift = demo_json["drift"]
    assert isinstance(drift, list)
    moved = next(d for d in drift if d["kind"] == "moved")
    assert moved["subscriptionId"] == "9876543210987654"
    assert moved["liveSubscriptionId"] == "1234567890123456"


def test_unmanaged_anchored_to_subscription_block(demo_json: dict[str, object]) -> None:
    drift = demo_json["drift"]
    assert isinstance(drift, list)
    unmanaged = next(d for d in drift if d["kind"] == "unmanaged")
    assert unmanaged["source"]["file"].endswith("americas-apac.yaml")
    assert unmanaged["source"]["line"] == 5


def _write_matching_manifest(path: Path) -> None:
    """Write a manifest that declares exactly the simulator's organization."""
    from ruamel.yaml import YAML

    state = YAML(typ="safe").load(STATE.read_text())
    subscriptions: dict[str, list[dict[str, object]]] = {}
    for tenant in state["tenants"]:
        entry: dict[str, object] = {
            "hostname": tenant["hostnames"][0],
            "name": tenant["name"],
            "regionCode": tenant["regionCode"],
        }
        if len(tenant["hostnames"]) > 1:
            entry["aliases"] = tenant["hostnames"][1:]
        subscriptions.setdefault(tenant["subscriptionId"], []).append(entry)
    manifest = {
        "apiVersion": "qlik-drift/v1",
        "kind": "TenantManifest",
        "subscriptions": [
            {"subscriptionId": sub, "tenants": tenants}
            for sub, tenants in sorted(subscriptions.items())
        ],
    }
    path.write_text(json.dumps(manifest, indent=2))


def test_matching_manifest_exits_zero(tmp_path: Path) -> None:
    manifest = tmp_path / "org.yaml"
    _write_matching_manifest(manifest)
    result = run_cli("check", str(manifest), "--simulate", str(STATE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 drift item(s)" in result.stdout


def test_invalid_manifest_exits_one_with_position(tmp_path: Path) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(
        "apiVersion: qlik-drift/v1\n"
        "kind: TenantManifest\n"
        "subscriptions:\n"
        "  - subscriptionId: \"9876543210987654\"\n"
        "    tenants:\n"
        "      - hostname: acme-prod.eu.qlikcloud.com\n"
        "        regionCode: mars-north-1\n"
    )
    result = run_cli("check", str(manifest), "--simulate", str(STATE))
    assert result.returncode == 1
    assert re.search(r"bad\.yaml:7:\d+: error", result.stdout), result.stdout
    assert "regionCode" in result.stdout


def test_foreign_subscription_exits_two(tmp_path: Path) -> None:
    manifest = tmp_path / "foreign.yaml"
    manifest.write_text(
        "apiVersion: qlik-drift/v1\n"
        "kind: TenantManifest\n"
        "subscriptions:\n"
        "  - subscriptionId: \"1111222233334444\"\n"
        "    tenants:\n"
        "      - hostname: other.us.qlikcloud.com\n"
        "        regionCode: us-east-1\n"
    )
    result = run_cli("check", str(manifest), "--simulate", str(STATE))
    assert result.returncode == 2
    assert "1111222233334444" in result.stderr
    assert "does not belong to this organization" in result.stderr
    assert "foreign.yaml:4" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_standalone_simulator_with_env_credentials(tmp_path: Path) -> None:
    """`qlik-drift simulate` in its own process, `check` reaching it by URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "checker", "simulate", "--state", str(STATE), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stderr is not None
        first_line = server.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", first_line)
        assert match, first_line
        result = run_cli(
            "check",
            str(MANIFESTS),
            "--format",
            "json",
            env={
                "QLIK_ORG_URL": match.group(0),
                "QLIK_CLIENT_ID": "demo-client-id",
                "QLIK_CLIENT_SECRET": "demo-client-secret",
            },
        )
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["drift"] == 5


def test_wrong_secret_exits_two(tmp_path: Path) -> None:
    from checker.simulator import Simulator, load_state

    with Simulator(load_state(STATE)) as simulator:
        result = run_cli(
            "check",
            str(MANIFESTS),
            env={
                "QLIK_ORG_URL": simulator.url,
                "QLIK_CLIENT_ID": "demo-client-id",
                "QLIK_CLIENT_SECRET": "not-the-secret-4711",
            },
        )
    assert result.returncode == 2
    assert "not-the-secret-4711" not in result.stdout + result.stderr
    assert result.stderr.count("\n") <= 3, result.stderr


def test_installed_console_script_runs() -> None:
    script = shutil.which("qlik-drift", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "qlik-drift" in result.stdout


def test_subscription_scope_finds_pinned_tenant_moved_out(tmp_path: Path) -> None:
    # acme-labs lives under 4444555566667777, which this manifest does not declare.
    manifest = tmp_path / "pinned.yaml"
    manifest.write_text(
        "apiVersion: qlik-drift/v1\n"
        "kind: TenantManifest\n"
        "subscriptions:\n"
        "  - subscriptionId: \"5555666677778888\"\n"
        "    tenants:\n"
        "      - hostname: acme-labs.us.qlikcloud.com\n"
        "        id: Pa9sD1fG3hJ5kL7zX9cV1bN3mQ5wE7rT\n"
        "        regionCode: us-east-1\n"
    )
    result = run_cli(
        "check", str(manifest), "--simulate", str(STATE), "--scope", "subscriptions",
        "--format", "json",
    )
    assert result.returncode == 1, result.stderr
    drift = json.loads(result.stdout)["drift"]
    kinds = {(d["kind"], d["hostname"]) for d in drift}
    assert ("moved", "acme-labs.us.qlikcloud.com") in kinds
    assert not any(d["kind"] == "missing" for d in drift)
    moved = next(d for d in drift if d["kind"] == "moved")
    assert moved["liveSubscriptionId"] == "4444555566667777"
