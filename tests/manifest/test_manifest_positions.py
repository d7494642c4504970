"""JSON paths, position lookup, region table, rule catalogue, imports."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from manifest_generator import generate_manifest
from manifest_helpers import HEADER

from checker.manifest import RULES, FilePositions, load_manifests, position_for
from checker.manifest.positions import format_json_path, parse_json_path
from checker.model import Location
from checker.regions import (
    HOSTNAME_LABELS,
    REGION_CODES,
    hostname_region_label,
    label_for_region,
)

REPO = Path(__file__).resolve().parents[2]
Write = Callable[[str, str], Path]

TEXT = (
    HEADER
    + "subscriptions:\n"
    + '  - subscriptionId: "1234567890123456"\n'
    + "    tenants:\n"
    + "      - hostname: a.eu.qlikcloud.com\n"
    + "        regionCode: eu-west-1\n"
    + "        aliases: [x.example.com, y.example.com]\n"
    + "---\n"
    + HEADER
    + "subscriptions: []\n"
)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "$"),
        (
            ("subscriptions", 0, "tenants", 2, "regionCode"),
            "$.subscriptions[0].tenants[2].regionCode",
        ),
        (("my key",), "$['my key']"),
        (("it's",), "$['it\\'s']"),
        ((1,), "$[1]"),
    ],
)
def test_json_path_round_trip(path: tuple[object, ...], text: str) -> None:
    assert format_json_path(path) == text
    assert parse_json_path(text) == path


def test_json_path_invalid() -> None:
    with pytest.raises(ValueError, match="must start with"):
        parse_json_path("subscriptions[0]")
    with pytest.raises(ValueError, match="at character 2"):
        parse_json_path("$..x")


def test_position_for_value_and_key(write: Write) -> None:
    write("m.yaml", TEXT)
    assert position_for(
        "m.yaml", "$.subscriptions[0].tenants[0].regionCode"
    ) == Location("m.yaml", 7, 21)
    assert position_for(
        "m.yaml", "$.subscriptions[0].tenants[0].regionCode", key=True
    ) == Location("m.yaml", 7, 9)
    assert position_for("m.yaml", "$.subscriptions[0].tenants[0]") == Location(
        "m.yaml", 6, 9
    )
    assert position_for("m.yaml", "$.subscriptions[0]") == Location("m.yaml", 4, 5)
    assert position_for(
        "m.yaml", "$.subscriptions[0].tenants[0].aliases[1]"
    ) == Location("m.yaml", 8, 34)
    assert position_for("m.yaml", ("subscriptions",), document=1) == Location(
        "m.yaml", 12, 16
    )


def test_position_for_missing(write: Write) -> None:
    write("m.yaml", TEXT)
    assert position_for("m.yaml", "$.subscriptions[5]") is None
    assert position_for("m.yaml", "$.nothing") is None
    assert position_for("m.yaml", "$", document=7) is None


def test_file_positions_reused(write: Write) -> None:
    write("m.yaml", TEXT)
    positions = FilePositions.load("m.yaml")
    assert positions is not None
    assert positions.locate("$.kind") == Location("m.yaml", 2, 7)
    assert positions.locate("$.kind", document=1) == Location("m.yaml", 11, 7)


def test_position_for_unreadable(workdir: Path) -> None:
    (workdir / "bad.yaml").write_bytes(b"\xff\xfe")
    assert position_for("bad.yaml", "$") is None


def test_region_table_codes_known() -> None:
    for entry in HOSTNAME_LABELS.values():
        assert entry.region_code in REGION_CODES
    assert {
        entry.label for entry in HOSTNAME_LABELS.values() if not entry.confirmed
    } == {
        "br",
        "ca",
        "se",
    }


@pytest.mark.parametrize(
    ("hostname", "label"),
    [
        ("acme.eu.qlikcloud.com", "eu"),
        ("ACME.US.QLIKCLOUD.COM", "us"),
        ("acme.qlikcloud.com", None),
        ("a.b.eu.qlikcloud.com", None),
        ("acme.eu.qlikcloud.com.evil.example", None),
        ("acme.example.com", None),
        (".eu.qlikcloud.com", None),
    ],
)
def test_hostname_region_label(hostname: str, label: str | None) -> None:
    assert hostname_region_label(hostname) == label


def test_label_for_region() -> None:
    entry = label_for_region("eu-central-1")
    assert entry is not None
    assert entry.label == "de"
    assert label_for_region("us-west-2") is None


def test_rules_documented() -> None:
    docs = (REPO / "docs" / "manifest.md").read_text("utf-8")
    for rule_id in RULES:
        assert f"`{rule_id}`" in docs, rule_id


def test_rules_levels_valid() -> None:
    for rule in RULES.values():
        assert rule.level in {"error", "warning", "info"}
        assert re.fullmatch(r"[a-z]+/[a-z0-9-]+", rule.id)


def test_emitted_rule_ids_known(write: Write) -> None:
    write("m.yaml", HEADER + "subscriptions: 3\nextra: yes\n")
    result = load_manifests(["m.yaml"])
    assert result.diagnostics
    assert all(d.rule_id in RULES for d in result.diagnostics)


def test_import_is_light() -> None:
    code = (
        "import sys\n"
        "from checker.manifest import load_manifests\n"
        "load_manifests(['examples/manifests'])\n"
        "heavy = {'requests', 'urllib3', 'deepdiff', 'pulumi', 'jsonschema', 'ruamel', 'yaml', 'click'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert output.strip() == "[]"


def test_generated_manifest_loads_cleanly(workdir: Path) -> None:
    (workdir / "big.yaml").write_text(generate_manifest(2000, 7), encoding="utf-8")
    result = load_manifests(["big.yaml"])
    assert result.diagnostics == []
    assert len(result.desired.tenants) == 2000
    assert len(result.desired.subscriptions) == 7
    last = result.desired.tenants[-1]
    assert last.hostname.startswith("tenant-001999.")
    assert last.source is not None
    assert last.field_sources["regionCode"].line == last.source.line + 2
