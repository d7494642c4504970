"""``qlik-drift import`` against the simulator and from snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from adopt_helpers import ACME, RunCli, snapshot
from ruamel.yaml import YAML

from checker.manifest import load_manifests

ACME_FILES = [
    "1234567890123456.yaml",
    "4444555566667777.yaml",
    "5555666677778888.yaml",
    "9876543210987654.yaml",
]


def write_state(path: Path, tenants: list[dict[str, object]]) -> Path:
    state = {
        "clients": [{"clientId": "import-test-id", "clientSecret": "import-test-secret"}],
        "tenants": tenants,
    }
    path.write_text(json.dumps(state), encoding="utf-8")
    return path


def tenant(hostname: str, subscription: str, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "T" + hostname.split(".")[0].replace("-", "").ljust(31, "0")[:31],
        "hostnames": [hostname],
        "regionCode": "eu-west-1",
        "status": "active",
        "subscriptionId": subscription,
    }
    data.update(fields)
    return data


def test_import_one_file_per_subscription(tmp_path: Path, cli: RunCli) -> None:
    result = cli("import", "--simulate", ACME, "-o", tmp_path / "out")
    assert result.code == 0, result.err
    assert sorted(snapshot(tmp_path / "out")) == ACME_FILES
    assert "wrote 8 tenant(s) of 4 subscription(s) to 4 file(s)" in result.err


def test_import_layout(tmp_path: Path, cli: RunCli) -> None:
    cli("import", "--simulate", ACME, "-o", tmp_path)
    text = (tmp_path / "9876543210987654.yaml").read_text()
    body = text.split("apiVersion:", 1)[1]
    assert body == (
        " qlik-drift/v1\n"
        "kind: TenantManifest\n"
        "subscriptions:\n"
        '  - subscriptionId: "9876543210987654"\n'
        "    tenants:\n"
        "      - hostname: acme-frankfurt.de.qlikcloud.com\n"
        "        id: Xk2nR8vLq0PmW3sT6yZb9cDf1gHj4kLa\n"
        "        name: Acme Frankfurt\n"
        "        regionCode: eu-central-1\n"
        "\n"
        "      - hostname: acme-prod.eu.qlikcloud.com\n"
        "        id: TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69\n"
        "        name: Acme Prod (legacy)\n"
        "        regionCode: eu-west-1\n"
        "        aliases: [bi.acme.example]\n"
    )


def test_import_header_names_source(tmp_path: Path, cli: RunCli) -> None:
    cli("import", "--simulate", ACME, "-o", tmp_path)
    lines = (tmp_path / "1234567890123456.yaml").read_text().splitlines()
    assert lines[0].startswith("# Imported by qlik-drift ")
    assert lines[1] == f"# from the simulator seeded with {ACME}."
    assert lines[2].startswith("# Review before committing")


def test_import_never_writes_credentials(tmp_path: Path, cli: RunCli) -> None:
    result = cli("import", "--simulate", ACME, "-o", tmp_path)
    texts = "".join(path.read_text() for path in tmp_path.iterdir())
    for secret in ("demo-client-id", "demo-client-secret"):
        assert secret not in texts
        assert secret not in result.err


def test_import_validates(tmp_path: Path, cli: RunCli) -> None:
    cli("import", "--simulate", ACME, "-o", tmp_path)
    loaded = load_manifests([str(tmp_path)])
    assert loaded.ok, loaded.diagnostics
    assert len(loaded.desired.tenants) == 8


def test_import_then_check_is_clean(tmp_path: Path, cli: RunCli) -> None:
    cli("import", "--simulate", ACME, "-o", tmp_path / "out")
    result = cli("check", tmp_path / "out", "--simulate", ACME)
    assert result.code == 0, result.out + result.err


def test_import_disabled_status_and_sorting(tmp_path: Path, cli: RunCli) -> None:
    sub = "7000000000000001"
    state = write_state(
        tmp_path / "state.json",
        [
            tenant("zulu.eu.qlikcloud.com", sub, status="disabled"),
            tenant("Alpha.eu.qlikcloud.com", sub, name="yes"),
            tenant("mike.eu.qlikcloud.com", sub, hostnames=["mike.eu.qlikcloud.com", "m.example"]),
        ],
    )
    cli("import", "--simulate", state, "-o", tmp_path / "out")
    data = YAML(typ="safe").load((tmp_path / "out" / f"{sub}.yaml").read_text())
    tenants = data["subscriptions"][0]["tenants"]
    assert [t["hostname"] for t in tenants] == [
        "Alpha.eu.qlikcloud.com",
        "mike.eu.qlikcloud.com",
        "zulu.eu.qlikcloud.com",
    ]
    assert tenants[2]["status"] == "disabled"
    assert "status" not in tenants[0]
    assert tenants[1]["aliases"] == ["m.example"]
    assert tenants[0]["name"] == "yes"


def test_import_long_names_not_wrapped(tmp_path: Path, cli: RunCli) -> None:
    # 249 characters: beyond any default line width, within the schema's 256.
    name = "Analytics " + " ".join(["workspace"] * 24)
    state = write_state(
        tmp_path / "state.json", [tenant("long.eu.qlikcloud.com", "7000000000000002", name=name)]
    )
    cli("import", "--simulate", state, "-o", tmp_path / "out")
    text = (tmp_path / "out" / "7000000000000002.yaml").read_text()
    assert f"        name: {name}\n" in text


def test_import_filters(tmp_path: Path, cli: RunCli) -> None:
    result = cli(
        "import", "--simulate", ACME, "-o", tmp_path / "out",
        "--subscription", "9876543210987654", "--subscription", "1234567890123456",
        "--region", "eu-west-1", "--region", "eu-west-2",
    )  # fmt: skip
    assert result.code == 0, result.err
    loaded = load_manifests([str(tmp_path / "out")])
    hostnames = sorted(t.hostname for t in loaded.desired.tenants)
    assert hostnames == ["acme-london.uk.qlikcloud.com", "acme-prod.eu.qlikcloud.com"]
    assert sorted(snapshot(tmp_path / "out")) == ["1234567890123456.yaml", "9876543210987654.yaml"]


def test_import_filter_matching_nothing(tmp_path: Path, cli: RunCli) -> None:
    result = cli("import", "--simulate", ACME, "-o", tmp_path / "out", "--region", "il-central-1")
    assert result.code == 2
    assert "no tenants to import: region(s) il-central-1 matched none" in result.err
    assert not (tmp_path / "out").exists()


def test_import_refuses_overwrite(tmp_path: Path, cli: RunCli) -> None:
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "9876543210987654.yaml"
    existing.write_text("# mine\n")
    result = cli("import", "--simulate", ACME, "-o", out)
    assert result.code == 2
    assert "not overwriting existing file(s)" in result.err
    assert "--force" in result.err
    assert existing.read_text() == "# mine\n"
    assert sorted(snapshot(out)) == ["9876543210987654.yaml"]


def test_import_force_overwrites(tmp_path: Path, cli: RunCli) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "9876543210987654.yaml").write_text("# mine\n")
    result = cli("import", "--simulate", ACME, "-o", out, "--force")
    assert result.code == 0
    assert "acme-frankfurt" in (out / "9876543210987654.yaml").read_text()


def test_import_single_file(tmp_path: Path, cli: RunCli) -> None:
    target = tmp_path / "all.yaml"
    result = cli("import", "--simulate", ACME, "-o", target, "--single-file")
    assert result.code == 0, result.err
    loaded = load_manifests([str(target)])
    assert loaded.ok
    assert sorted(loaded.desired.subscriptions) == sorted(name[:-5] for name in ACME_FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["all.yaml"]


def test_import_single_file_to_stdout(tmp_path: Path, cli: RunCli) -> None:
    result = cli("import", "--simulate", ACME, "-o", "-", "--single-file")
    assert result.code == 0
    assert result.out.count("subscriptionId:") == 4
    assert list(tmp_path.iterdir()) == []


def test_import_stdout_needs_single_file(cli: RunCli) -> None:
    result = cli("import", "--simulate", ACME, "-o", "-")
    assert result.code == 2
    assert "needs --single-file" in result.err


def test_import_from_snapshot(tmp_path: Path, cli: RunCli) -> None:
    snap = tmp_path / "live.json"
    assert cli("snapshot", "--simulate", ACME, "-o", snap).code == 0
    result = cli("import", "--from-snapshot", snap, "-o", tmp_path / "out")
    assert result.code == 0, result.err
    assert sorted(snapshot(tmp_path / "out")) == ACME_FILES
    header = (tmp_path / "out" / ACME_FILES[0]).read_text().splitlines()[1]
    assert header.startswith(f"# from snapshot {snap} of http://127.0.0.1:")
    assert cli("check", tmp_path / "out", "--simulate", ACME).code == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--from-snapshot", "x.json", "--simulate", str(ACME)],
        ["--region", " "],
    ],
    ids=["snapshot-and-simulate", "empty-region"],
)
def test_import_usage_errors(argv: list[str], tmp_path: Path, cli: RunCli) -> None:
    result = cli("import", "-o", tmp_path / "out", *argv)
    assert result.code == 2
    assert result.err.startswith("Error: ")
