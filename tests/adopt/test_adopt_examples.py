"""A new user's first steps with the shipped examples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from adopt_helpers import ACME, EXAMPLE_MANIFESTS, RunCli, comment_lines


def test_import_acme_then_check(tmp_path: Path, cli: RunCli) -> None:
    out = tmp_path / "out"
    assert cli("import", "--simulate", ACME, "-o", out).code == 0
    result = cli("check", out, "--simulate", ACME)
    assert result.code == 0, result.out + result.err


def test_fix_examples_removes_drift(tmp_path: Path, cli: RunCli) -> None:
    work = tmp_path / "manifests"
    shutil.copytree(EXAMPLE_MANIFESTS, work)
    before = cli("check", work, "--simulate", ACME, "--format", "json")
    fixed = cli("check", "--fix", work, "--simulate", ACME)
    after = cli("check", work, "--simulate", ACME, "--format", "json")
    kinds_before = sorted(item["kind"] for item in json.loads(before.out)["drift"])
    kinds_after = sorted(item["kind"] for item in json.loads(after.out)["drift"])
    assert kinds_before == ["changed", "missing", "moved", "undeclared-subscription", "unmanaged"]
    # Missing tenants stay without --prune, so the fix still exits 1.
    assert fixed.code == 1
    assert kinds_after == ["missing", "undeclared-subscription"]


def test_fix_examples_keeps_comments(tmp_path: Path, cli: RunCli) -> None:
    work = tmp_path / "manifests"
    shutil.copytree(EXAMPLE_MANIFESTS, work)
    cli("check", "--fix", work, "--simulate", ACME)
    for original in sorted(EXAMPLE_MANIFESTS.glob("*.yaml")):
        rewritten = (work / original.name).read_text()
        for line in comment_lines(original.read_text()):
            assert line in rewritten.splitlines(), f"{original.name}: {line!r} lost"


def test_fix_examples_prune_then_clean(tmp_path: Path, cli: RunCli) -> None:
    work = tmp_path / "manifests"
    shutil.copytree(EXAMPLE_MANIFESTS, work)
    fixed = cli("check", "--fix", "--prune", work, "--simulate", ACME)
    again = cli("check", work, "--simulate", ACME)
    assert fixed.code == 0, fixed.out + fixed.err
    assert again.code == 0
