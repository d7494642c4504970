"""Live data that has no valid manifest form: ``import`` and ``check --fix`` write nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from adopt_helpers import ACME, RunCli, snapshot

from checker.adopt.importer import build_manifests, manifest_file_name
from checker.adopt.validation import UnwritableManifestError, check_planned
from checker.errors import UsageError

SUBSCRIPTION = "1234567890123456"


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def live_tenant(tenant_id: str, hostnames: list[str], **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": tenant_id,
        "name": f"Tenant {tenant_id}",
        "hostnames": hostnames,
        "regionCode": "eu-west-1",
        "status": "active",
        "subscriptionId": SUBSCRIPTION,
    }
    data.update(fields)
    return data


def state_file(path: Path, tenants: list[dict[str, object]], **extra: object) -> Path:
    state = {
        "clients": [{"clientId": "unwritable-id", "clientSecret": "unwritable-secret"}],
        "tenants": tenants,
        **extra,
    }
    return write_json(path, state)


def snapshot_file(path: Path, tenants: list[dict[str, object]]) -> Path:
    subscriptions = sorted({str(t["subscriptionId"]) for t in tenants})
    data = {
        "format_version": "1.0",
        "scope": "organization",
        "subscriptionIds": subscriptions,
        "tenants": tenants,
    }
    return write_json(path, data)


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# File names from subscription ids ------------------------------------------


@pytest.mark.parametrize("subscription", ["../../escaped", "ESCAPED_ABSOLUTE"])
def test_import_snapshot_id_outside_folder(
    tmp_path: Path, cli: RunCli, subscription: str
) -> None:
    if subscription == "ESCAPED_ABSOLUTE":
        subscription = str(tmp_path / "absolute")
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    source = snapshot_file(
        work / "snap.json",
        [live_tenant("T1", ["a.eu.qlikcloud.com"], subscriptionId=subscription)],
    )
    result = cli("import", "--from-snapshot", source, "-o", work / "out")
    assert result.code == 2
    assert repr(subscription) in result.err
    assert "nothing was written" in result.err
    assert tree(tmp_path) == ["a", "a/b", "a/b/snap.json"]


def test_import_api_id_outside_folder(tmp_path: Path, cli: RunCli) -> None:
    state = state_file(
        tmp_path / "state.json",
        [live_tenant("T1", ["a.eu.qlikcloud.com"], subscriptionId="../escaped")],
    )
    out = tmp_path / "deep" / "out"
    result = cli("import", "--simulate", state, "-o", out)
    assert result.code == 2
    assert "'../escaped'" in result.err
    assert tree(tmp_path) == ["state.json"]


@pytest.mark.parametrize(
    "subscription",
    ["..", ".", "", "a/b", "/abs", "a\\b", ".hidden", "x\x00y", "9" * 65, "a b"],
)
def test_file_name_rejects_unsafe(subscription: str) -> None:
    with pytest.raises(UsageError):
        manifest_file_name(subscription)


@pytest.mark.parametrize("subscription", ["1234567890123456", "sub-1_a.b"])
def test_file_name_keeps_safe(subscription: str) -> None:
    assert manifest_file_name(subscription) == f"{subscription}.yaml"


# import: values outside the manifest format ---------------------------------


def test_import_unknown_status_writes_nothing(tmp_path: Path, cli: RunCli) -> None:
    # The simulator's documented quirk: the first tenant gets status "archived".
    state = state_file(
        tmp_path / "state.json",
        [live_tenant("TA", ["a.eu.qlikcloud.com"]), live_tenant("TB", ["b.eu.qlikcloud.com"])],
        settings={"quirks": {"unknownStatus": True}},
    )
    out = tmp_path / "out"
    result = cli("import", "--simulate", state, "-o", out)
    assert result.code == 2
    assert "a.eu.qlikcloud.com (id TA)" in result.err
    assert "'archived'" in result.err
    assert "nothing was written" in result.err
    assert not out.exists()


def test_import_acme_unknown_status_exit(tmp_path: Path, cli: RunCli) -> None:
    text = ACME.read_text(encoding="utf-8") + "\nsettings:\n  quirks:\n    unknownStatus: true\n"
    state = tmp_path / "acme-unknown.yaml"
    state.write_text(text, encoding="utf-8")
    result = cli("import", "--simulate", state, "-o", tmp_path / "out")
    assert result.code == 2
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("hostnames", "fields", "value"),
    [
        (["b.eu.qlikcloud.com"], {"regionCode": "xx-new-9"}, "'xx-new-9'"),
        (["d_x.eu.qlikcloud.com"], {}, "'d_x.eu.qlikcloud.com'"),
        (["e.eu.qlikcloud.com"], {"id": "bad id"}, "'bad id'"),
    ],
    ids=["region", "hostname", "tenant-id"],
)
def test_import_invalid_value_single_file(
    tmp_path: Path, cli: RunCli, hostnames: list[str], fields: dict[str, str], value: str
) -> None:
    tenant_id = fields.pop("id", "TX")
    state = state_file(tmp_path / "state.json", [live_tenant(tenant_id, hostnames, **fields)])
    target = tmp_path / "all.yaml"
    result = cli("import", "--simulate", state, "--single-file", "-o", target)
    assert result.code == 2
    assert value in result.err
    assert f"{hostnames[0]} (id {tenant_id})" in result.err
    assert not target.exists()


def test_import_no_hostnames_writes_nothing(tmp_path: Path, cli: RunCli) -> None:
    # The snapshot reader may reject the tenant first: either way, no manifest.
    source = snapshot_file(tmp_path / "snap.json", [live_tenant("TB", [])])
    result = cli("import", "--from-snapshot", source, "-o", "-", "--single-file")
    assert result.code == 2
    assert "TB" in result.err
    assert result.out == ""


def test_planned_no_hostname_names_id() -> None:
    tenant = live_tenant("TB", [])
    [manifest] = build_manifests({SUBSCRIPTION: [tenant]}, [], single_file=False)
    with pytest.raises(UnwritableManifestError) as raised:
        check_planned({"out/m.yaml": manifest.text}, failure="cannot write", hint="none")
    message = str(raised.value)
    assert f"out/m.yaml: tenant TB in subscription {SUBSCRIPTION}: " in message
    assert "'hostname'" in message
    assert raised.value.exit_code == 2


def test_import_region_mismatch_lint(tmp_path: Path, cli: RunCli) -> None:
    # Valid for the schema, but the hostname's region label is eu: a lint error.
    state = state_file(
        tmp_path / "state.json",
        [live_tenant("T1", ["a.eu.qlikcloud.com"], regionCode="us-east-1")],
    )
    result = cli("import", "--simulate", state, "-o", tmp_path / "out")
    assert result.code == 2
    assert "a.eu.qlikcloud.com (id T1)" in result.err
    assert "lint/region-mismatch" in result.err
    assert not (tmp_path / "out").exists()


def test_import_duplicate_hostname_lint(tmp_path: Path, cli: RunCli) -> None:
    # Two tenants of one snapshot claim one hostname: the snapshot is rejected.
    source = snapshot_file(
        tmp_path / "snap.json",
        [
            live_tenant("T1", ["a.eu.qlikcloud.com"]),
            live_tenant("T2", ["A.eu.qlikcloud.com"], subscriptionId="2234567890123456"),
        ],
    )
    result = cli("import", "--from-snapshot", source, "-o", tmp_path / "out")
    assert result.code == 2
    assert "hostname a.eu.qlikcloud.com appears on two tenants" in result.err
    assert not (tmp_path / "out").exists()


# check --fix: values outside the manifest format -----------------------------

MANIFEST = (
    "apiVersion: qlik-drift/v1\n"
    "kind: TenantManifest\n"
    "subscriptions:\n"
    f'  - subscriptionId: "{SUBSCRIPTION}"\n'
    "    tenants:\n"
    "      - hostname: a.eu.qlikcloud.com\n"
    "        id: TA\n"
    "        name: Tenant TA\n"
    "        regionCode: eu-west-1\n"
)


@pytest.mark.parametrize(
    ("tenants", "label", "value"),
    [
        (
            [live_tenant("TA", ["a.eu.qlikcloud.com"], regionCode="xx-new-9")],
            "a.eu.qlikcloud.com (id TA)",
            "'xx-new-9'",
        ),
        (
            [live_tenant("TA", ["a.eu.qlikcloud.com"], status="archived")],
            "a.eu.qlikcloud.com (id TA)",
            "'archived'",
        ),
        (
            [live_tenant("TA", ["a.eu.qlikcloud.com"]), live_tenant("TD", ["d_x.eu.qlikcloud.com"])],
            "d_x.eu.qlikcloud.com (id TD)",
            "'d_x.eu.qlikcloud.com'",
        ),
    ],
    ids=["changed-region", "changed-status", "unmanaged-hostname"],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["write", "dry-run"])
def test_fix_invalid_live_value(
    tmp_path: Path,
    cli: RunCli,
    tenants: list[dict[str, object]],
    label: str,
    value: str,
    dry_run: bool,
) -> None:
    work = tmp_path / "manifests"
    work.mkdir()
    (work / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    before = snapshot(work)
    source = snapshot_file(tmp_path / "snap.json", tenants)
    flags = ["--dry-run"] if dry_run else []
    result = cli("check", "--fix", *flags, "--live", source, work)
    assert result.code == 2
    assert label in result.err
    assert value in result.err
    assert "no file was changed" in result.err
    assert result.out == ""
    assert snapshot(work) == before


def test_fix_names_tenant_second_document(tmp_path: Path, cli: RunCli) -> None:
    work = tmp_path / "manifests"
    work.mkdir()
    second = MANIFEST.replace(SUBSCRIPTION, "2234567890123456").replace("a.eu", "z.eu")
    second = second.replace("TA", "TZ")
    (work / "two.yaml").write_text(MANIFEST + "---\n" + second, encoding="utf-8")
    before = snapshot(work)
    tenants = [
        live_tenant("TA", ["a.eu.qlikcloud.com"]),
        live_tenant("TZ", ["z.eu.qlikcloud.com"], status="archived", subscriptionId="2234567890123456"),
    ]
    source = snapshot_file(tmp_path / "snap.json", tenants)
    result = cli("check", "--fix", "--live", source, work)
    assert result.code == 2
    assert "tenant z.eu.qlikcloud.com (id TZ) in subscription 2234567890123456: " in result.err
    assert "'archived'" in result.err
    assert snapshot(work) == before


def test_fix_no_hostname_writes_nothing(tmp_path: Path, cli: RunCli) -> None:
    # The snapshot reader may reject the tenant first: either way, no change.
    work = tmp_path / "manifests"
    work.mkdir()
    (work / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    before = snapshot(work)
    tenants = [live_tenant("TA", ["a.eu.qlikcloud.com"]), live_tenant("TB", [])]
    source = snapshot_file(tmp_path / "snap.json", tenants)
    result = cli("check", "--fix", "--live", source, work)
    assert result.code == 2
    assert "TB" in result.err
    assert snapshot(work) == before
