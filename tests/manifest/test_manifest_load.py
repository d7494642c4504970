"""load_manifests and collect_manifest_files on real files."""

from __future__ import annotations

import errno
import gc
import json
import os
import socket
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from manifest_helpers import HEADER, by_rule, where

from checker.cli import run
from checker.errors import UsageError
from checker.manifest import LoadResult, collect_manifest_files, load_manifests
from checker.model import Location

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "manifests"
STATE = REPO / "examples" / "live" / "acme.yaml"

Write = Callable[[str, str], Path]


def tenant_lines(hostname: str, region: str, extra: str = "") -> str:
    return f"      - hostname: {hostname}\n        regionCode: {region}\n{extra}"


def subscription(subscription_id: str, tenants: str, description: str = "") -> str:
    text = f'  - subscriptionId: "{subscription_id}"\n'
    if description:
        text += f"    description: {description}\n"
    return text + "    tenants:\n" + tenants


def manifest(*subscriptions: str) -> str:
    return HEADER + "subscriptions:\n" + "".join(subscriptions)


def test_examples_load_without_diagnostics() -> None:
    result = load_manifests([EXAMPLES])
    assert result.diagnostics == []
    assert result.ok
    assert len(result.desired.tenants) == 7
    assert sorted(result.desired.subscriptions) == [
        "1234567890123456",
        "5555666677778888",
        "9876543210987654",
    ]


def test_examples_tenant_fields() -> None:
    result = load_manifests([EXAMPLES / "emea.yaml"])
    prod = result.desired.subscriptions["9876543210987654"].tenants[0]
    assert prod.hostname == "acme-prod.eu.qlikcloud.com"
    assert prod.id == "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69"
    assert prod.name == "Acme Production"
    assert prod.region_code == "eu-west-1"
    assert prod.status == "active"
    assert prod.aliases == ("analytics.acme.example",)
    assert prod.subscription_id == "9876543210987654"


def test_positions_exact(write: Write) -> None:
    write(
        "m.yaml",
        HEADER
        + "subscriptions:\n"
        + "  # comment\n"
        + '  - subscriptionId: "1234567890123456"\n'
        + "    description: Demo\n"
        + "    tenants:\n"
        + "      - hostname: a.eu.qlikcloud.com\n"
        + "        name: A\n"
        + "        regionCode: eu-west-1\n"
        + "        aliases:\n"
        + "          - a.example.com\n"
        + "      -   name: B\n"
        + "          hostname:   b.de.qlikcloud.com\n"
        + "          regionCode: eu-central-1\n"
        + "          status: disabled\n",
    )
    result = load_manifests(["m.yaml"])
    assert result.diagnostics == []
    sub = result.desired.subscriptions["1234567890123456"]
    assert sub.sources == [Location("m.yaml", 5, 5)]
    first, second = sub.tenants
    assert first.source == Location("m.yaml", 8, 9)
    assert first.field_sources == {
        "hostname": Location("m.yaml", 8, 19),
        "name": Location("m.yaml", 9, 15),
        "regionCode": Location("m.yaml", 10, 21),
        "aliases": Location("m.yaml", 12, 11),
    }
    assert second.source == Location("m.yaml", 13, 11)
    assert second.field_sources == {
        "name": Location("m.yaml", 13, 17),
        "hostname": Location("m.yaml", 14, 23),
        "regionCode": Location("m.yaml", 15, 23),
        "status": Location("m.yaml", 16, 19),
    }


def test_positions_same_with_libyaml(write: Write) -> None:
    # An anchor sends the file to the libyaml reader; positions must not change.
    text = (
        HEADER
        + "subscriptions:\n"
        + '  - subscriptionId: &sid "1234567890123456"\n'
        + "    tenants:\n"
        + "      - hostname: a.eu.qlikcloud.com\n"
        + "        regionCode: eu-west-1\n"
    )
    write("m.yaml", text)
    result = load_manifests(["m.yaml"])
    tenant = result.desired.tenants[0]
    assert result.diagnostics == []
    assert tenant.source == Location("m.yaml", 6, 9)
    assert tenant.field_sources["regionCode"] == Location("m.yaml", 7, 21)
    assert result.desired.subscriptions["1234567890123456"].sources == [
        Location("m.yaml", 4, 5)
    ]


def test_subscription_split_merges(write: Write) -> None:
    write(
        "a.yaml",
        manifest(
            subscription(
                "1234567890123456",
                tenant_lines("a.eu.qlikcloud.com", "eu-west-1"),
                "Split",
            )
        ),
    )
    write(
        "b.yaml",
        manifest(
            subscription(
                "1234567890123456", tenant_lines("b.us.qlikcloud.com", "us-east-1")
            )
        ),
    )
    result = load_manifests(["a.yaml", "b.yaml"])
    sub = result.desired.subscriptions["1234567890123456"]
    assert result.diagnostics == []
    assert [t.hostname for t in sub.tenants] == [
        "a.eu.qlikcloud.com",
        "b.us.qlikcloud.com",
    ]
    assert sub.sources == [Location("a.yaml", 4, 5), Location("b.yaml", 4, 5)]
    assert sub.description == "Split"


def test_subscription_split_across_documents(write: Write) -> None:
    one = manifest(
        subscription(
            "1234567890123456", tenant_lines("a.eu.qlikcloud.com", "eu-west-1")
        )
    )
    two = manifest(
        subscription(
            "1234567890123456", tenant_lines("b.eu.qlikcloud.com", "eu-west-1")
        )
    )
    write("m.yaml", one + "---\n" + two)
    result = load_manifests(["m.yaml"])
    sub = result.desired.subscriptions["1234567890123456"]
    assert len(sub.tenants) == 2
    assert sub.sources == [Location("m.yaml", 4, 5), Location("m.yaml", 12, 5)]


def test_duplicate_tenant_names_both_files(write: Write) -> None:
    write(
        "a.yaml",
        manifest(
            subscription(
                "1234567890123456", tenant_lines("acme.eu.qlikcloud.com", "eu-west-1")
            )
        ),
    )
    write(
        "b.yaml",
        manifest(
            subscription(
                "1111222233334444", tenant_lines("ACME.eu.qlikcloud.com", "eu-west-1")
            )
        ),
    )
    result = load_manifests(["a.yaml", "b.yaml"])
    duplicates = by_rule(result.diagnostics, "lint/duplicate-tenant")
    assert len(duplicates) == 1
    assert where(duplicates[0]) == "b.yaml:6:9"
    assert "a.yaml:6" in duplicates[0].message
    assert "b.yaml:6" in duplicates[0].message
    assert duplicates[0].level == "error"
    assert not result.ok
    # The first declaration is kept, the second left out.
    assert [t.subscription_id for t in result.desired.tenants] == ["1234567890123456"]


def test_missing_path_usage_error(workdir: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_manifests(["nope/missing.yaml"])
    assert "nope/missing.yaml" in str(caught.value)
    assert caught.value.exit_code == 2


def test_empty_folder_usage_error(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    with pytest.raises(UsageError) as caught:
        collect_manifest_files(["empty"])
    assert "empty" in str(caught.value)


def test_non_utf8_file_diagnostic_others_loaded(write: Write, workdir: Path) -> None:
    write(
        "good.yaml",
        manifest(
            subscription(
                "1234567890123456", tenant_lines("a.eu.qlikcloud.com", "eu-west-1")
            )
        ),
    )
    (workdir / "bad.yaml").write_bytes(HEADER.encode() + b"# caf\xe9\n")
    result = load_manifests(["bad.yaml", "good.yaml"])
    encoding = by_rule(result.diagnostics, "file/encoding")
    assert len(encoding) == 1
    assert where(encoding[0]) == "bad.yaml:3:6"
    assert "0xe9" in encoding[0].message
    assert encoding[0].hint == "save the file as UTF-8"
    assert [t.hostname for t in result.desired.tenants] == ["a.eu.qlikcloud.com"]
    assert result.files == ["bad.yaml", "good.yaml"]


def test_unreadable_file_diagnostic(write: Write) -> None:
    # The tests run as root, so file permissions cannot make a file
    # unreadable; reading address 0 of this process's memory fails instead.
    write(
        "good.yaml",
        manifest(
            subscription(
                "1234567890123456", tenant_lines("a.eu.qlikcloud.com", "eu-west-1")
            )
        ),
    )
    result = load_manifests(["/proc/self/mem", "good.yaml"])
    unreadable = by_rule(result.diagnostics, "file/unreadable")
    assert len(unreadable) == 1
    assert where(unreadable[0]) == "/proc/self/mem:1:1"
    assert unreadable[0].message.startswith("cannot read the file")
    assert len(result.desired.tenants) == 1


def test_socket_not_regular_file(workdir: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind("socket.yaml")
        result = load_manifests(["socket.yaml"])
    finally:
        server.close()
    unreadable = by_rule(result.diagnostics, "file/unreadable")
    assert len(unreadable) == 1
    assert unreadable[0].message == "not a regular file"


def test_folder_search_recursive_sorted(write: Write) -> None:
    write("m/z.yaml", HEADER + "subscriptions: []\n")
    write("m/a/b.yml", HEADER + "subscriptions: []\n")
    write("m/a.yaml", HEADER + "subscriptions: []\n")
    write("m/.git/x.yaml", "not: [a manifest\n")
    write("m/readme.txt", "text")
    files = collect_manifest_files(["m"])
    assert [path.as_posix() for path in files] == ["m/a.yaml", "m/a/b.yml", "m/z.yaml"]


def deny_listing(monkeypatch: pytest.MonkeyPatch, folder: str) -> None:
    """Make listing ``folder`` fail as it does without read permission.

    The tests run as root, which may list any folder whatever its mode, so
    os.scandir (which os.walk calls) is replaced for that one folder.
    """
    real_scandir = os.scandir
    denied = os.path.realpath(folder)

    def scandir(path: Any = ".") -> Any:
        if os.path.realpath(path) == denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def two_folders(write: Write) -> None:
    write(
        "m/ok.yaml",
        manifest(
            subscription(
                "1234567890123456", tenant_lines("a.eu.qlikcloud.com", "eu-west-1")
            )
        ),
    )
    write("m/locked/hidden.yaml", "not: [a manifest\n")


def test_unreadable_subfolder_diagnostic(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_folders(write)
    deny_listing(monkeypatch, "m/locked")
    result = load_manifests(["m"])
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule_id == "file/unreadable"
    assert diagnostic.level == "error"
    assert where(diagnostic) == "m/locked:1:1"
    assert "cannot read the folder" in diagnostic.message
    assert "Permission denied" in diagnostic.message
    assert not result.ok
    assert result.files == ["m/ok.yaml"]


def test_unreadable_top_folder_diagnostic(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_folders(write)
    deny_listing(monkeypatch, "m")
    result = load_manifests(["m"])
    (diagnostic,) = result.diagnostics
    assert where(diagnostic) == "m:1:1"
    assert diagnostic.rule_id == "file/unreadable"
    assert result.files == []


def test_collect_unreadable_folder_error(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_folders(write)
    deny_listing(monkeypatch, "m/locked")
    with pytest.raises(UsageError) as caught:
        collect_manifest_files(["m"])
    assert caught.value.message.startswith("m/locked: cannot read the folder")


def test_validate_unreadable_folder_exit_1(
    write: Write, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    two_folders(write)
    deny_listing(monkeypatch, "m/locked")
    code = run(["validate", "m"])
    out = capsys.readouterr().out
    assert code == 1
    assert "m/locked:1:1" in out
    assert "valid" not in out.splitlines()[-1]


def test_check_unreadable_folder_no_compare(
    write: Write, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    two_folders(write)
    deny_listing(monkeypatch, "m/locked")
    code = run(["check", "m", "--simulate", str(STATE), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["summary"]["checked"] is False
    assert report["drift"] == []
    assert [d["ruleId"] for d in report["diagnostics"]] == ["file/unreadable"]


def test_file_given_twice_once(write: Write) -> None:
    write("m.yaml", HEADER + "subscriptions: []\n")
    assert len(collect_manifest_files(["m.yaml", "./m.yaml", "."])) == 1


def test_files_relative_to_cwd(write: Write, workdir: Path) -> None:
    write("sub/m.yaml", HEADER + "subscriptions: []\n")
    result = load_manifests([workdir / "sub" / "m.yaml"])
    assert result.files == ["sub/m.yaml"]
    assert result.desired.files == ["sub/m.yaml"]


def test_files_outside_cwd_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m.yaml").write_text(HEADER + "subscriptions: []\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = load_manifests([tmp_path / "m.yaml"])
    assert result.files == [(tmp_path / "m.yaml").as_posix()]


def test_diagnostics_sorted(write: Write) -> None:
    write("b.yaml", HEADER + "subscriptions: []\nextra: 1\n")
    write("a.yaml", HEADER + "subscriptions: []\nzzz: 1\nyyy: 2\n")
    result = load_manifests(["b.yaml", "a.yaml"])
    assert [where(d) for d in result.diagnostics] == [
        "a.yaml:4:1",
        "a.yaml:5:1",
        "b.yaml:4:1",
    ]


def test_invalid_tenant_left_out(write: Write) -> None:
    tenants = tenant_lines("good.eu.qlikcloud.com", "eu-west-1") + tenant_lines(
        "bad.eu.qlikcloud.com", "eu-west-9"
    )
    write("m.yaml", manifest(subscription("1234567890123456", tenants)))
    result = load_manifests(["m.yaml"])
    assert [t.hostname for t in result.desired.tenants] == ["good.eu.qlikcloud.com"]
    assert not result.ok


def test_invalid_subscription_left_out(write: Write) -> None:
    text = manifest(
        subscription(
            "12345678901234ab", tenant_lines("a.eu.qlikcloud.com", "eu-west-1")
        ),
        subscription(
            "1234567890123456", tenant_lines("b.eu.qlikcloud.com", "eu-west-1")
        ),
    )
    write("m.yaml", text)
    result = load_manifests(["m.yaml"])
    assert list(result.desired.subscriptions) == ["1234567890123456"]
    assert [t.hostname for t in result.desired.tenants] == ["b.eu.qlikcloud.com"]


def test_invalid_document_left_out(write: Write) -> None:
    text = "apiVersion: qlik-drift/v2\nkind: TenantManifest\nsubscriptions:\n"
    text += subscription(
        "1234567890123456", tenant_lines("a.eu.qlikcloud.com", "eu-west-1")
    )
    write("m.yaml", text)
    result = load_manifests(["m.yaml"])
    assert result.desired.subscriptions == {}
    assert [d.rule_id for d in result.diagnostics] == ["schema/const"]


def test_warnings_keep_result_ok(write: Write) -> None:
    write(
        "m.yaml",
        manifest(
            subscription(
                "1234567890123456",
                tenant_lines("a.eu.qlikcloud.com", "eu-west-1", "        name: no\n"),
            )
        ),
    )
    result = load_manifests(["m.yaml"])
    assert [d.level for d in result.diagnostics] == ["warning"]
    assert result.ok
    assert len(result.desired.tenants) == 1


def test_empty_file_warning(write: Write) -> None:
    write("m.yaml", "# nothing here yet\n")
    result = load_manifests(["m.yaml"])
    assert [d.rule_id for d in result.diagnostics] == ["file/empty"]
    assert result.ok


def test_syntax_error_keeps_other_files(write: Write) -> None:
    write("bad.yaml", HEADER + "subscriptions: [\n")
    write(
        "good.yaml",
        manifest(
            subscription(
                "1234567890123456", tenant_lines("a.eu.qlikcloud.com", "eu-west-1")
            )
        ),
    )
    result = load_manifests(["bad.yaml", "good.yaml"])
    assert [d.rule_id for d in result.diagnostics] == ["yaml/syntax"]
    assert len(result.desired.tenants) == 1


def test_load_result_ok_property() -> None:
    from checker.model import DesiredState, Diagnostic

    warning = Diagnostic(Location("f", 1), "warning", "w", "file/empty")
    error = Diagnostic(Location("f", 1), "error", "e", "yaml/syntax")
    assert LoadResult(DesiredState(), [warning]).ok
    assert not LoadResult(DesiredState(), [warning, error]).ok


def test_path_objects_and_strings(write: Write) -> None:
    write("m.yaml", HEADER + "subscriptions: []\n")
    assert load_manifests([Path("m.yaml")]).files == load_manifests(["m.yaml"]).files
    assert load_manifests([os.fspath("m.yaml")]).ok


def test_garbage_collector_state_restored(write: Write) -> None:
    write("m.yaml", HEADER + "subscriptions: []\n")
    assert gc.isenabled()
    load_manifests(["m.yaml"])
    assert gc.isenabled()
    gc.disable()
    try:
        load_manifests(["m.yaml"])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cycles_still_collected_after_load(write: Write) -> None:
    class Node:
        pass

    write("m.yaml", HEADER + "subscriptions: []\n")
    # With the collector off, the garbage cycle is still there when the load
    # moves every tracked object to the oldest generation.
    gc.disable()
    try:
        cycle = Node()
        cycle.self = cycle  # type: ignore[attr-defined]
        alive = weakref.ref(cycle)
        del cycle
        load_manifests(["m.yaml"])
        assert alive() is not None
    finally:
        gc.enable()
    gc.collect()
    assert alive() is None


def test_field_sources_mapping(write: Write) -> None:
    write(
        "m.yaml",
        HEADER
        + "subscriptions:\n"
        + '  - subscriptionId: "1234567890123456"\n'
        + "    tenants:\n"
        + "      - hostname: a.eu.qlikcloud.com\n"
        + "        regionCode: eu-west-1\n",
    )
    tenant = load_manifests(["m.yaml"]).desired.tenants[0]
    assert list(tenant.field_sources) == ["hostname", "regionCode"]
    assert len(tenant.field_sources) == 2
    assert "name" not in tenant.field_sources
    assert tenant.field_sources.get("name") is None
    assert dict(tenant.field_sources) == {
        "hostname": Location("m.yaml", 6, 19),
        "regionCode": Location("m.yaml", 7, 21),
    }
