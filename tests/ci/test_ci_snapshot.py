"""`qlik-drift snapshot` and `check --live`: offline drift from a saved file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ci_helpers import STATE, CliRunner

from checker.simulator import Simulator, load_state
from checker.snapshot import SNAPSHOT_FORMAT_VERSION, load_snapshot


def drift_of(report_json: str) -> list[dict[str, object]]:
    drift = json.loads(report_json)["drift"]
    assert isinstance(drift, list)
    return drift


@pytest.fixture
def demo_snapshot(cli: CliRunner, workspace: Path) -> Path:
    path = workspace / "live.json"
    result = cli("snapshot", "-o", path, "--simulate", STATE, "manifests")
    assert result.code == 0, result.err
    return path


def test_snapshot_shape(demo_snapshot: Path) -> None:
    data = json.loads(demo_snapshot.read_text(encoding="utf-8"))
    assert data["format_version"] == SNAPSHOT_FORMAT_VERSION
    assert data["scope"] == "organization"
    assert data["orgUrl"].startswith("http://127.0.0.1:")
    assert data["readAt"].endswith("Z")
    assert "4444555566667777" in data["subscriptionIds"]
    assert len(data["tenants"]) == 8


def test_round_trip_same_drift(cli: CliRunner, demo_snapshot: Path) -> None:
    simulated = cli("check", "manifests", "--simulate", STATE, "--format", "json")
    offline = cli("check", "manifests", "--live", demo_snapshot, "--format", "json")
    assert offline.code == simulated.code == 1
    assert drift_of(offline.out) == drift_of(simulated.out)
    assert json.loads(offline.out)["summary"] == json.loads(simulated.out)["summary"]


def test_round_trip_subscriptions_scope(cli: CliRunner, workspace: Path) -> None:
    path = workspace / "live.json"
    written = cli("snapshot", "-o", path, "--simulate", STATE, "--scope", "subscriptions", "manifests")
    simulated = cli("check", "manifests", "--simulate", STATE, "--scope", "subscriptions", "--format", "json")
    offline = cli("check", "manifests", "--live", path, "--format", "json")
    assert written.code == 0, written.err
    assert offline.code == simulated.code
    assert drift_of(offline.out) == drift_of(simulated.out)
    assert json.loads(offline.out)["scope"] == "subscriptions"


def test_snapshot_to_stdout(cli: CliRunner, workspace: Path) -> None:
    result = cli("snapshot", "-o", "-", "--simulate", STATE)
    data = json.loads(result.out)
    assert result.code == 0
    assert len(data["tenants"]) == 8


def test_snapshot_has_no_secrets(
    cli: CliRunner, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workspace / "live.json"
    with Simulator(load_state(STATE)) as simulator:
        monkeypatch.setenv("QLIK_CLIENT_ID", simulator.client_id)
        monkeypatch.setenv("QLIK_CLIENT_SECRET", simulator.client_secret)
        result = cli("-vv", "snapshot", "-o", path, "--org-url", simulator.url, "manifests")
        tokens = simulator.issued_tokens
    text = path.read_text(encoding="utf-8")
    assert result.code == 0, result.err
    assert tokens
    for secret in (simulator.client_id, simulator.client_secret, *tokens):
        assert secret not in text
        assert secret not in result.out
        assert secret not in result.err


def test_snapshot_writes_atomically(cli: CliRunner, workspace: Path) -> None:
    path = workspace / "live.json"
    path.write_text("old", encoding="utf-8")
    result = cli("snapshot", "-o", path, "--simulate", STATE)
    assert result.code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["tenants"]
    assert sorted(p.name for p in workspace.iterdir()) == ["live.json", "manifests"]


def test_live_and_simulate_exclusive(cli: CliRunner, demo_snapshot: Path) -> None:
    result = cli("check", "manifests", "--live", demo_snapshot, "--simulate", STATE)
    assert result.code == 2
    assert "--live and --simulate cannot be used together" in result.err


def snapshot_text(tenant: object, **extra: object) -> str:
    """Return a snapshot of one tenant of subscription 9876543210987654."""
    data = {
        "format_version": "1.0",
        "scope": "organization",
        "subscriptionIds": ["9876543210987654"],
        "tenants": [tenant],
        **extra,
    }
    return json.dumps(data)


def acme_prod(**changes: object) -> dict[str, object]:
    tenant: dict[str, object] = {
        "id": "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69",
        "name": "Acme Production",
        "status": "active",
        "hostnames": ["acme-prod.eu.qlikcloud.com"],
        "regionCode": "eu-west-1",
        "subscriptionId": "9876543210987654",
    }
    tenant.update(changes)
    return tenant


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


DEEP = nested(100_000)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"tenants": [}', "live.json:1:14: invalid JSON in snapshot"),
        (DEEP, "live.json: invalid JSON in snapshot: arrays or objects nested too deeply"),
        (snapshot_text(acme_prod(), tool="DEEP").replace('"DEEP"', nested(300)), "a list is not of type 'object' at $.tool"),
        (snapshot_text(acme_prod(), subscriptionIds=["DEEP"]).replace('"DEEP"', nested(975)), "nested too deeply"),
        (snapshot_text(acme_prod(), x=10**4000).replace("0" * 4000, "0" * 4500), "a number is too long to read"),
        (snapshot_text(acme_prod(hostnames=[])), "tenant TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69 has an invalid 'hostnames': an empty list"),
        (snapshot_text(acme_prod(hostnames="acme-prod.eu.qlikcloud.com")), "'hostnames': a string"),
        (snapshot_text(acme_prod(name={"en": "Acme"})), "'name': an object, expected a string or null"),
        (snapshot_text(acme_prod(subscriptionId="")), "'subscriptionId': an empty string"),
        (snapshot_text(acme_prod(status=None)), "'status': null, expected a string"),
        ("[1, 2]", "not a qlik-drift snapshot"),
        ('{"format_version": "1.0", "scope": "org", "subscriptionIds": [], "tenants": []}', "'org' is not one of"),
        ('{"format_version": "1.0", "scope": "organization", "subscriptionIds": [], "tenants": [{"id": 5}]}', "at $.tenants[0]"),
        ('{"format_version": "2.0", "scope": "organization", "subscriptionIds": [], "tenants": []}', "snapshot format 2.0 is not supported"),
    ],
    ids=[
        "not-json",
        "deep",
        "deep-tool",
        "deep-subscription",
        "long-number",
        "hostnames-empty",
        "hostnames-string",
        "name-object",
        "subscription-empty",
        "status-null",
        "not-object",
        "bad-scope",
        "bad-tenant",
        "future-format",
    ],
)
def test_bad_snapshot_exits_two(
    cli: CliRunner, workspace: Path, content: str, message: str
) -> None:
    (workspace / "live.json").write_text(content, encoding="utf-8")
    result = cli("check", "manifests", "--live", "live.json")
    assert result.code == 2
    assert message in result.err
    assert "live.json" in result.err
    assert "Traceback" not in result.err


def test_missing_snapshot_exits_two(cli: CliRunner, workspace: Path) -> None:
    result = cli("check", "manifests", "--live", "nowhere.json")
    assert result.code == 2
    assert "snapshot file nowhere.json not found" in result.err


def test_uncovered_subscription_exits_two(cli: CliRunner, workspace: Path) -> None:
    snapshot = {
        "format_version": "1.0",
        "scope": "subscriptions",
        "subscriptionIds": ["9876543210987654"],
        "tenants": [],
    }
    (workspace / "live.json").write_text(json.dumps(snapshot), encoding="utf-8")
    result = cli("check", "manifests", "--live", "live.json")
    assert result.code == 2
    assert "does not cover subscription(s) 1234567890123456, 5555666677778888" in result.err


def test_load_snapshot_keeps_unknown_fields(tmp_path: Path) -> None:
    tenant = acme_prod(futureField={"x": 1}, status="archived", regionCode="xx-moon-1", name=None)
    snapshot = {
        "format_version": "1.7",
        "scope": "organization",
        "subscriptionIds": ["9876543210987654"],
        "tenants": [tenant],
        "newTopLevelKey": True,
    }
    path = tmp_path / "live.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    live = load_snapshot(path)
    assert live.tenants == [tenant]
    assert live.scope == "organization"
    assert live.subscription_ids == frozenset({"9876543210987654"})


def test_scope_subscriptions_needs_manifests(cli: CliRunner, workspace: Path) -> None:
    result = cli("snapshot", "-o", "live.json", "--simulate", STATE, "--scope", "subscriptions")
    assert result.code == 2
    assert "needs the manifests" in result.err
    assert not (workspace / "live.json").exists()


def test_snapshot_output_folder_missing(cli: CliRunner, workspace: Path) -> None:
    result = cli("snapshot", "-o", "no/such/live.json", "--simulate", STATE)
    assert result.code == 2
    assert "does not exist" in result.err


def test_duplicate_tenant_id_exits_two(cli: CliRunner, workspace: Path) -> None:
    data = json.loads(snapshot_text(acme_prod()))
    data["tenants"].append(acme_prod(hostnames=["acme-copy.eu.qlikcloud.com"]))
    (workspace / "live.json").write_text(json.dumps(data), encoding="utf-8")

    result = cli("check", "manifests", "--live", "live.json")

    assert result.code == 2
    assert "live.json: invalid snapshot" in result.err
    assert "tenant TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69 appears twice" in result.err
    assert "$.tenants[0] and at $.tenants[1]" in result.err
    assert "unmanaged" not in result.out


def test_duplicate_hostname_exits_two(cli: CliRunner, workspace: Path) -> None:
    data = json.loads(snapshot_text(acme_prod()))
    other = acme_prod(id="TOtherTenant0000000000000000001")
    other["hostnames"] = ["x.eu.qlikcloud.com", "ACME-PROD.eu.qlikcloud.com"]
    data["tenants"].append(other)
    (workspace / "live.json").write_text(json.dumps(data), encoding="utf-8")

    result = cli("check", "manifests", "--live", "live.json")

    assert result.code == 2
    assert "live.json: invalid snapshot" in result.err
    assert "hostname acme-prod.eu.qlikcloud.com appears on two tenants" in result.err
    assert "TOtherTenant0000000000000000001 at $.tenants[1]" in result.err


def test_distinct_tenants_accepted(tmp_path: Path) -> None:
    # The control case: a second tenant with its own id and hostname loads.
    data = json.loads(snapshot_text(acme_prod()))
    other = acme_prod(id="TOtherTenant0000000000000000001")
    other["hostnames"] = ["acme-other.eu.qlikcloud.com"]
    data["tenants"].append(other)
    path = tmp_path / "live.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    live = load_snapshot(path)

    assert len(live.tenants) == 2
