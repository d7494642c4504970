"""``check --fix`` on hand-formatted, commented manifests, compared byte for byte.

Each case under data/ has the input manifests, a simulator state for the
live organization, and the files expected after the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from adopt_helpers import DATA, RunCli, copy_case, snapshot

CASES = {
    "changed-name": [],
    "aliases": [],
    "unmanaged": [],
    "moved": [],
    "prune": ["--prune"],
    "crlf": [],
    "empty-blocks": [],
}

# Lines (1-based) each fix removes from the input and adds to the output.
# Everything else must come through byte for byte, in order.
CHANGED_LINES = {
    ("changed-name", "hub.yaml"): ([13], [13, 19]),
    ("aliases", "bi.yaml"): ([10, 18, 22], [10, 16, 21, 23]),
    ("unmanaged", "teams.yaml"): ([], [14, 15, 16, 17, 18, 25, 26, 27, 28, 29]),
    ("moved", "a.yaml"): ([11, 12, 13], [20, 21, 22, 26, 27, 28, 29, 30]),
    ("moved", "b.yaml"): ([], [8, 9, 10, 11]),
    ("prune", "retired.yaml"): ([8, 9, 10, 11, 13, 14, 15, 21, 22, 23], [14]),
    ("crlf", "windows.yaml"): ([8], [8, 10, 11, 12, 13, 14]),
    ("empty-blocks", "new.yaml"): ([6], [6, 7, 8, 9, 10, 13, 14, 15, 16, 17]),
}


def fix_case(case: str, tmp_path: Path, cli: RunCli) -> Path:
    work = copy_case(case, tmp_path)
    live = DATA / case / "live.yaml"
    result = cli("check", "--fix", *CASES[case], "--simulate", live, work)
    assert result.code == 0, result.err + result.out
    return work


@pytest.mark.parametrize("case", list(CASES))
def test_fix_matches_golden(case: str, tmp_path: Path, cli: RunCli) -> None:
    work = fix_case(case, tmp_path, cli)
    expected = snapshot(DATA / case / "expected")
    actual = snapshot(work)
    assert sorted(actual) == sorted(expected)
    for name, content in expected.items():
        assert actual[name] == content, name


@pytest.mark.parametrize(("case", "name"), list(CHANGED_LINES))
def test_fix_keeps_other_lines(case: str, name: str, tmp_path: Path, cli: RunCli) -> None:
    before = (DATA / case / "manifests" / name).read_bytes().splitlines(keepends=True)
    work = fix_case(case, tmp_path, cli)
    after = (work / name).read_bytes().splitlines(keepends=True)
    removed, added = CHANGED_LINES[(case, name)]
    kept_before = [line for n, line in enumerate(before, 1) if n not in removed]
    kept_after = [line for n, line in enumerate(after, 1) if n not in added]
    assert kept_after == kept_before


def test_fix_reports_accepted_items(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("moved", tmp_path)
    result = cli("check", "--fix", "--simulate", DATA / "moved" / "live.yaml", work)
    lines = result.err.splitlines()
    assert lines[0].startswith(f"moved     beta.eu.qlikcloud.com ({work / 'a.yaml'}:11): ")
    assert lines[0].endswith(f"moved from subscription 4000000000000001 to 4000000000000003 in {work / 'b.yaml'}")
    assert lines[1].endswith("to 4000000000000009 in " f"{work / 'a.yaml'} (new subscription block)")
    assert lines[2].startswith("unmanaged zeta.us.qlikcloud.com: added to subscription 4000000000000009")
    assert lines[3] == f"fixed 3 drift item(s) in 2 file(s): {work / 'a.yaml'}, {work / 'b.yaml'}"


def test_fix_accept_changed_only(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("crlf", tmp_path)
    live = DATA / "crlf" / "live.yaml"
    result = cli("check", "--fix", "--accept", "changed", "--simulate", live, work)
    text = (work / "windows.yaml").read_bytes()
    assert result.code == 1
    assert b"name: Windows Tenant 2\r\n" in text
    assert b"mac.eu.qlikcloud.com" not in text
    assert "unmanaged" in result.out


def test_fix_without_prune_keeps_missing(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("prune", tmp_path)
    before = snapshot(work)
    result = cli("check", "--fix", "--simulate", DATA / "prune" / "live.yaml", work)
    assert result.code == 1
    assert snapshot(work) == before
    assert "nothing to fix" in result.err
