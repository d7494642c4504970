"""The Markdown report for pull-request comments and step summaries."""

from __future__ import annotations

from pathlib import Path

from ci_helpers import STATE, CliRunner, changed, diagnostic

from checker.report import Report
from checker.report.markdown import escape_cell, render_markdown


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]


def test_escape_pipe() -> None:
    assert escape_cell("a|b") == "a\\|b"


def test_escape_newline() -> None:
    assert escape_cell("one\ntwo\r\nthree") == "one<br>two<br>three"


def test_escape_markup() -> None:
    assert escape_cell("<b>*x*_y_ [l](u) `c` & d") == (
        "\\<b\\>\\*x\\*\\_y\\_ \\[l\\](u) \\`c\\` &amp; d"
    )


def test_pipe_in_name_keeps_columns() -> None:
    report = Report(command="check", checked=True, drift=[changed(name=("A | B", "C|D"))])
    [header, row] = table_rows(render_markdown(report, base="."))
    # An unescaped pipe would add columns; escaped ones are preceded by a backslash.
    assert row.replace("\\|", "").count("|") == header.count("|")
    assert "expected 'A \\| B', actual 'C\\|D'" in row


def test_diagnostic_table() -> None:
    report = Report(command="validate", files=["manifests/emea.yaml"], diagnostics=[diagnostic("bad\nvalue")])
    text = render_markdown(report, base=".")
    assert "#### Diagnostics" in text
    assert "| error | manifests/emea.yaml:12 | schema/unknown-key | bad<br>value |" in text
    assert "#### Drift" not in text


def test_heading_states_result() -> None:
    clean = render_markdown(Report(command="check", checked=True))
    drift = render_markdown(Report(command="check", checked=True, drift=[changed()]))
    assert clean.startswith("### qlik-drift check: in sync\n")
    assert drift.startswith("### qlik-drift check: drift found\n")


def test_max_bytes_cuts_rows() -> None:
    many = [diagnostic(f"problem {i}", line=i + 1) for i in range(100)]
    report = Report(command="validate", diagnostics=many)
    full = render_markdown(report, base=".")
    cut = render_markdown(report, base=".", max_bytes=len(full.encode()) // 2)
    assert len(cut.encode()) <= len(full.encode()) // 2
    assert "problem 0 |" in cut
    assert "problem 99 |" not in cut
    kept = len(table_rows(cut)) - 1
    assert f"_{100 - kept} more row(s) left out" in cut


def test_demo_table(cli: CliRunner, workspace: Path) -> None:
    result = cli("check", "manifests", "--simulate", STATE, "--format", "markdown")
    rows = table_rows(result.out)
    assert result.code == 1
    assert rows[0] == "| Kind | Subscription | Tenant | Where | Details |"
    assert any(r.startswith("| moved | 9876543210987654 (EMEA production) | acme-london.uk.qlikcloud.com |") for r in rows)
    assert any("lives under subscription 1234567890123456" in r for r in rows)
    assert any(r.startswith("| undeclared-subscription (info) | 4444555566667777 |") for r in rows)


def test_validate_cli_diagnostics(cli: CliRunner, workspace: Path) -> None:
    bad = workspace / "manifests" / "emea.yaml"
    bad.write_text(bad.read_text().replace("regionCode: eu-west-2", "regoinCode: eu-west-2"))
    result = cli("validate", "manifests", "--format", "markdown")
    rows = table_rows(result.out)
    assert result.code == 1
    assert result.out.startswith("### qlik-drift validate: manifests invalid")
    assert rows[0] == "| Level | Where | Rule | Message |"
    assert any("regoinCode" in row and "manifests/emea.yaml:" in row for row in rows[1:])
