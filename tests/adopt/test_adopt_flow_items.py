"""``check --fix`` on block lists whose tenants are flow mappings (``- {...}``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from adopt_helpers import ACME, RunCli, snapshot

from checker.manifest import load_manifests

HEAD = (
    "apiVersion: qlik-drift/v1\n"
    "kind: TenantManifest\n"
    "subscriptions:\n"
    '  - subscriptionId: "9876543210987654"\n'
    "    tenants:\n"
)
PROD = '{hostname: acme-prod.eu.qlikcloud.com, regionCode: eu-west-1, name: "Acme Production"}'
FRANKFURT = (
    "      - hostname: acme-frankfurt.de.qlikcloud.com\n"
    "        regionCode: eu-central-1\n"
)


def manifest(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "m"
    folder.mkdir()
    path = folder / "n.yaml"
    path.write_text(HEAD + body)
    return path


def fix(cli: RunCli, path: Path, *flags: object, state: Path = ACME) -> tuple[int, str, str]:
    result = cli("check", path, "--simulate", state, "--fix", *flags)
    return result.code, result.out, result.err


def test_flow_item_changed_in_place(tmp_path: Path, cli: RunCli) -> None:
    path = manifest(tmp_path, f"      - {PROD}\n{FRANKFURT}")
    code, _, err = fix(cli, path)
    lines = path.read_text().splitlines()
    assert code == 0, err
    assert lines[5] == (
        "      - {hostname: acme-prod.eu.qlikcloud.com, regionCode: eu-west-1, "
        'name: "Acme Prod (legacy)", aliases: [bi.acme.example]}'
    )
    assert "\n".join(lines[6:8]) + "\n" == FRANKFURT


def test_flow_item_fix_is_stable(tmp_path: Path, cli: RunCli) -> None:
    path = manifest(tmp_path, f"      - {PROD}\n{FRANKFURT}")
    assert fix(cli, path)[0] == 0
    after = path.read_text()
    code, _, err = fix(cli, path)
    assert code == 0
    assert "nothing to fix" in err
    assert path.read_text() == after


def test_flow_item_keeps_comment(tmp_path: Path, cli: RunCli) -> None:
    path = manifest(tmp_path, f"      -   {PROD}   # the main tenant\n{FRANKFURT}")
    code, _, err = fix(cli, path, "--accept", "changed")
    line = path.read_text().splitlines()[5]
    assert code == 0, err
    assert line.startswith("      -   {hostname: acme-prod.eu.qlikcloud.com, ")
    assert line.endswith("aliases: [bi.acme.example]}   # the main tenant")


def test_flow_item_existing_aliases(tmp_path: Path, cli: RunCli) -> None:
    item = (
        "{hostname: acme-prod.eu.qlikcloud.com, id: TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69, "
        "name: 'Acme Prod (legacy)', regionCode: eu-west-1, aliases: [old.acme.example]}"
    )
    path = manifest(tmp_path, f"      - {item}\n{FRANKFURT}")
    code, _, err = fix(cli, path, "--accept", "changed")
    assert code == 0, err
    assert path.read_text().splitlines()[5] == (
        "      - {hostname: acme-prod.eu.qlikcloud.com, id: TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69, "
        "name: 'Acme Prod (legacy)', regionCode: eu-west-1, aliases: [bi.acme.example]}"
    )


def test_flow_item_quotes_flow_characters(tmp_path: Path, cli: RunCli) -> None:
    state = tmp_path / "state.yaml"
    state.write_text(ACME.read_text().replace("name: Acme Prod (legacy)", "name: Acme, Prod {EU}"))
    item = "{hostname: acme-prod.eu.qlikcloud.com, regionCode: eu-west-1, name: Acme}"
    path = manifest(tmp_path, f"      - {item}\n{FRANKFURT}")
    code, _, err = fix(cli, path, "--accept", "changed", state=state)
    assert code == 0, err
    loaded = load_manifests([str(path)])
    assert loaded.ok
    assert loaded.desired.tenants[0].name == "Acme, Prod {EU}"
    assert path.read_text().splitlines()[5].startswith(
        "      - {hostname: acme-prod.eu.qlikcloud.com, regionCode: eu-west-1, "
        "name: 'Acme, Prod {EU}'"
    )


def test_flow_item_pruned(tmp_path: Path, cli: RunCli) -> None:
    missing = "{hostname: gone.eu.qlikcloud.com, regionCode: eu-west-1}"
    path = manifest(tmp_path, f"      - {PROD}\n      - {missing}\n{FRANKFURT}")
    code, _, err = fix(cli, path, "--prune")
    text = path.read_text()
    assert code == 0, err
    assert "gone.eu.qlikcloud.com" not in text
    assert FRANKFURT in text


def test_flow_item_moved(tmp_path: Path, cli: RunCli) -> None:
    london = "{hostname: acme-london.uk.qlikcloud.com, name: Acme London, regionCode: eu-west-2}"
    path = manifest(tmp_path, f"      - {PROD}\n      - {london}\n{FRANKFURT}")
    code, _, err = fix(cli, path, "--accept", "moved")
    text = path.read_text()
    assert code == 1, err
    assert 'subscriptionId: "1234567890123456"' in text
    assert f"      - {london}\n" in text
    moved = [t for t in load_manifests([str(path)]).desired.tenants if "london" in t.hostname]
    assert [t.subscription_id for t in moved] == ["1234567890123456"]


def test_flow_item_over_lines_exits_two(tmp_path: Path, cli: RunCli) -> None:
    body = (
        "      - {hostname: acme-prod.eu.qlikcloud.com,\n"
        "         regionCode: eu-west-1, name: Acme Production}\n"
    )
    path = manifest(tmp_path, body + FRANKFURT)
    before = snapshot(path.parent)
    code, out, err = fix(cli, path)
    assert code == 2
    assert out == ""
    assert f"{path}:6: cannot rewrite this part of the file" in err
    assert "flow mapping" in err
    assert "rewrite it in block style or apply the change by hand" in err
    assert "Internal error" not in err
    assert snapshot(path.parent) == before


def test_flow_item_keeps_anchor(tmp_path: Path, cli: RunCli) -> None:
    path = manifest(tmp_path, f"      - &prod {PROD}\n{FRANKFURT}")
    code, _, err = fix(cli, path, "--accept", "changed")
    assert code == 0, err
    assert path.read_text().splitlines()[5].startswith(
        "      - &prod {hostname: acme-prod.eu.qlikcloud.com, regionCode: eu-west-1, "
        'name: "Acme Prod (legacy)"'
    )


def test_flow_item_adds_status(tmp_path: Path, cli: RunCli) -> None:
    state = tmp_path / "state.yaml"
    state.write_text(
        ACME.read_text().replace("    name: Acme Frankfurt\n    status: active\n",
                                 "    name: Acme Frankfurt\n    status: disabled\n")
    )
    item = (
        "{hostname: acme-frankfurt.de.qlikcloud.com, name: Acme Frankfurt, "
        "regionCode: eu-central-1}"
    )
    path = manifest(tmp_path, f"      - {item}\n")
    code, _, err = fix(cli, path, "--accept", "changed", state=state)
    assert code == 1, err
    assert path.read_text().splitlines()[5] == (
        "      - {hostname: acme-frankfurt.de.qlikcloud.com, name: Acme Frankfurt, "
        "regionCode: eu-central-1, status: disabled}"
    )


def test_rewrite_error_says_where_to_report(
    tmp_path: Path, cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No known layout reaches the read-back check, because each is rewritten
    # or rejected with exit 2. So the line edits are made wrong on purpose.
    from checker.adopt import fix as fix_module

    real_apply = fix_module.apply_edits

    def broken_apply(lines: list[str], edits: list[object]) -> list[str]:
        return [*real_apply(lines, edits), "  broken: [", ""]

    monkeypatch.setattr(fix_module, "apply_edits", broken_apply)
    path = manifest(tmp_path, f"      - {PROD}\n{FRANKFURT}")
    before = path.read_text()
    code, _, err = fix(cli, path)
    assert code == 3
    assert "produced invalid YAML" in err
    assert "report it at https://" in err
    assert "--debug" in err
    assert "Traceback" not in err
    assert path.read_text() == before
    code, _, err = fix(cli, path, "--debug")
    assert code == 3
    assert "Traceback" in err
