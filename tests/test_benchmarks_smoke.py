"""The benchmark suite still runs end to end in its quickest mode.

It asserts that every table was produced and that the figures are
plausible results of a correct run, never how fast anything was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TABLES = (
    "## Targets",
    "## Validate: qlik-drift vs check-jsonschema",
    "## Same errors: injected schema errors",
    "## Imports on the validate path",
    "## Diff: drift engine vs DeepDiff(ignore_order=True)",
    "## Check against the simulator",
    "## Simulator alone (no latency)",
)


@pytest.fixture(scope="module")
def quick_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], str]:
    folder = tmp_path_factory.mktemp("bench")
    output = folder / "RESULTS.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--quick",
            "--output",
            str(output),
            "--data-dir",
            str(folder / "data"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    return result, text


@pytest.mark.slow
def test_quick_run_exits_zero(
    quick_run: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    result, _ = quick_run
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("title", TABLES)
def test_quick_run_writes_table(
    quick_run: tuple[subprocess.CompletedProcess[str], str], title: str
) -> None:
    _, text = quick_run
    assert title in text


@pytest.mark.slow
def test_quick_run_records_command(
    quick_run: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    _, text = quick_run
    assert "python -m benchmarks.run --quick" in text


def table_rows(text: str, title: str) -> list[dict[str, str]]:
    """Return the rows of the Markdown table under the heading ``title``."""
    lines = text[text.index(title) :].splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("| "))
    columns = [cell.strip() for cell in lines[header_at].strip("|").split("|")]
    rows = []
    for line in lines[header_at + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(dict(zip(columns, cells, strict=True)))
    return rows


@pytest.mark.slow
def test_quick_run_diff_finds_drift(
    quick_run: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    _, text = quick_run
    rows = table_rows(text, "## Diff:")
    ours = [row for row in rows if row["engine"] == "qlik-drift"]
    assert [row["drift found = expected"] for row in ours] == ["yes"]


@pytest.mark.slow
def test_quick_run_check_finds_drift(
    quick_run: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    _, text = quick_run
    rows = table_rows(text, "## Check against the simulator")
    assert {row["scope"]: row["drift = expected"] for row in rows} == {
        "subscriptions": "yes",
        "organization": "yes",
    }


@pytest.mark.slow
def test_quick_run_requests_minimal(
    quick_run: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    _, text = quick_run
    rows = table_rows(text, "## Targets")
    verdicts = [row["verdict"] for row in rows if "no wasted requests" in row["target"]]
    assert verdicts == ["met", "met"]


@pytest.mark.slow
def test_quick_run_prints_table(
    quick_run: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    result, _ = quick_run
    assert "| target | measured | verdict |" in result.stdout


def test_phases_case_times_each_phase() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.cases",
            "phases",
            str(REPO / "examples" / "manifests" / "emea.yaml"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert list(figures["phases"]) == ["read", "parse", "schema", "build", "lint"]
    assert all(seconds >= 0 for seconds in figures["phases"].values())
    assert figures["total"] >= sum(figures["phases"].values())
