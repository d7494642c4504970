"""GitHub workflow-command annotations and the step summary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ci_helpers import STATE, CliRunner, changed, diagnostic

from checker.report import Report
from checker.report.github import (
    STEP_SUMMARY_MAX_BYTES,
    escape_data,
    escape_property,
    render_github,
    write_step_summary,
)

COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)$")


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Split one workflow command into its level, properties and message."""
    match = COMMAND.match(line)
    assert match is not None, line
    properties = dict(item.split("=", 1) for item in match["props"].split(","))
    return match[1], properties, match["data"]


def annotations(text: str) -> list[tuple[str, dict[str, str], str]]:
    return [parse_command(line) for line in text.splitlines() if line.startswith("::")]


def test_escape_data_percent_and_newlines() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"


def test_escape_data_keeps_colon_and_comma() -> None:
    assert escape_data("a: b, c") == "a: b, c"


def test_escape_property_colon_and_comma() -> None:
    assert escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"


def test_annotation_escapes_message(tmp_path: Path) -> None:
    item = diagnostic("50% of names: bad, really\nsecond line", file="manifests/a,b:c.yaml")
    report = Report(command="validate", files=["manifests/a,b:c.yaml"], diagnostics=[item])
    [line] = [x for x in render_github(report, base=".").splitlines() if x.startswith("::")]
    level, properties, data = parse_command(line)
    assert level == "error"
    assert data == "50%25 of names: bad, really%0Asecond line"
    assert properties["file"] == "manifests/a%2Cb%3Ac.yaml"
    assert properties["title"] == "schema/unknown-key"


def test_annotation_escapes_control_chars() -> None:
    hostname = "b\x00.x\x1b]0;title\x07\x9b"
    report = Report(command="check", drift=[changed(hostname)], checked=True)
    text = render_github(report, base=".")
    [(_, properties, data)] = annotations(text)
    assert re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text) is None
    assert properties["title"] == "changed%3A b\\x00.x\\x1b]0;title\\x07\\x9b"
    assert data.startswith("Tenant b\\x00.x\\x1b]0;title\\x07\\x9b differs")


def test_annotation_escapes_carriage_return() -> None:
    report = Report(command="check", drift=[changed("a\rb.example")], checked=True)
    [(_, properties, data)] = annotations(render_github(report, base="."))
    assert "\r" not in data
    assert "a\\rb.example" in properties["title"]


def test_annotation_title_escaped() -> None:
    report = Report(command="check", drift=[changed()], checked=True)
    [(level, properties, data)] = annotations(render_github(report, base="."))
    assert properties["title"] == "changed%3A acme-prod.eu.qlikcloud.com"
    assert "%0Aname: expected 'Acme Production', actual 'Acme Prod (legacy)'" in data


def test_annotation_line_at_least_one() -> None:
    report = Report(command="validate", diagnostics=[diagnostic(line=0, col=0)])
    [(_, properties, _)] = annotations(render_github(report, base="."))
    assert properties["line"] == "1"
    assert properties["col"] == "1"


def test_levels_map_to_commands() -> None:
    report = Report(
        command="check",
        checked=True,
        diagnostics=[diagnostic(level="warning"), diagnostic(level="info")],
        drift=[changed()],
    )
    levels = [level for level, _, _ in annotations(render_github(report, base="."))]
    assert levels == ["warning", "notice", "error"]


def test_cut_at_ten_per_level_with_notice() -> None:
    errors = [diagnostic(f"error {i}", line=i + 1) for i in range(13)]
    warnings = [diagnostic(f"warning {i}", level="warning", line=i + 1) for i in range(12)]
    notices = [diagnostic(f"note {i}", level="info", line=i + 1) for i in range(10)]
    report = Report(command="validate", diagnostics=errors + warnings + notices)
    found = annotations(render_github(report, base=".", step_summary=True))
    counts = {level: sum(1 for f in found if f[0] == level) for level in ("error", "warning", "notice")}
    assert counts["error"] == 10
    assert counts["warning"] == 10
    # Nine findings and the left-out notice stay within GitHub's ten notices.
    assert counts["notice"] == 10
    level, _, message = found[-1]
    assert level == "notice"
    assert "6 more finding(s) not annotated (3 error, 2 warning, 1 notice)" in message
    assert "step summary" in message


def test_no_notice_under_the_limit() -> None:
    report = Report(command="validate", diagnostics=[diagnostic(line=i + 1) for i in range(10)])
    found = annotations(render_github(report, base="."))
    assert len(found) == 10
    assert all(level == "error" for level, _, _ in found)


def test_notice_without_summary_points_to_output() -> None:
    report = Report(command="validate", diagnostics=[diagnostic(line=i + 1) for i in range(11)])
    *_, (level, _, message) = annotations(render_github(report, base=".", step_summary=False))
    assert level == "notice"
    assert "--output sarif=FILE" in message


def test_summary_line_closes_output() -> None:
    report = Report(command="validate", files=["manifests/emea.yaml"], diagnostics=[diagnostic()])
    last = render_github(report, base=".").splitlines()[-1]
    assert last.startswith("qlik-drift validate failed: 1 file(s), 1 error(s)")


def test_paths_relative_to_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    absolute = tmp_path / "qlik" / "manifests" / "emea.yaml"
    report = Report(command="validate", diagnostics=[diagnostic(file=str(absolute))])
    [(_, properties, _)] = annotations(render_github(report))
    assert properties["file"] == "qlik/manifests/emea.yaml"


def test_step_summary_appends(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## Earlier step\n", encoding="utf-8")
    report = Report(command="validate", files=["manifests/emea.yaml"], diagnostics=[diagnostic()])
    write_step_summary(report, summary, base=".")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Earlier step\n\n### qlik-drift validate: manifests invalid")
    assert "| error | manifests/emea.yaml:12 | schema/unknown-key |" in text


def test_step_summary_respects_cap(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    used = STEP_SUMMARY_MAX_BYTES - 2000
    summary.write_text("x" * used, encoding="utf-8")
    many = [diagnostic(f"problem number {i}", line=i + 1) for i in range(200)]
    report = Report(command="validate", files=["manifests/emea.yaml"], diagnostics=many)
    write_step_summary(report, summary, base=".")
    size = summary.stat().st_size
    added = summary.read_text(encoding="utf-8")[used:]
    assert added.startswith("\n### qlik-drift validate")
    assert size <= STEP_SUMMARY_MAX_BYTES
    assert "problem number 0" in added
    assert "problem number 199" not in added
    assert re.search(r"_\d+ more row\(s\) left out", added)


def test_step_summary_full_file_untouched(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("x" * STEP_SUMMARY_MAX_BYTES, encoding="utf-8")
    report = Report(command="validate", diagnostics=[diagnostic()])
    write_step_summary(report, summary, base=".")
    assert summary.stat().st_size == STEP_SUMMARY_MAX_BYTES


def test_demo_annotations(cli: CliRunner, workspace: Path) -> None:
    result = cli("check", "manifests", "--simulate", STATE, "--format", "github")
    found = annotations(result.out)
    titles = {properties["title"]: (level, properties) for level, properties, _ in found}
    assert result.code == 1
    assert titles["missing%3A acme-tokyo.jp.qlikcloud.com"][0] == "error"
    assert titles["changed%3A acme-prod.eu.qlikcloud.com"][0] == "error"
    assert titles["moved%3A acme-london.uk.qlikcloud.com"][0] == "error"
    assert titles["unmanaged%3A acme-sandbox.us.qlikcloud.com"][0] == "error"
    assert titles["undeclared-subscription%3A subscription 4444555566667777"][0] == "notice"
    for _, properties, _ in found:
        assert int(properties["line"]) >= 1
        assert properties["file"].startswith("manifests/")


def test_demo_unmanaged_anchored_to_subscription(cli: CliRunner, workspace: Path) -> None:
    result = cli("check", "manifests", "--simulate", STATE, "--format", "github")
    found = {p["title"]: p for _, p, _ in annotations(result.out)}
    unmanaged = found["unmanaged%3A acme-sandbox.us.qlikcloud.com"]
    lines = (workspace / unmanaged["file"]).read_text().splitlines()
    assert unmanaged["file"] == "manifests/americas-apac.yaml"
    assert lines[int(unmanaged["line"]) - 1].strip() == '- subscriptionId: "1234567890123456"'


def test_demo_writes_step_summary(
    cli: CliRunner, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = workspace / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("check", "manifests", "--simulate", STATE, "--format", "github")
    text = summary.read_text(encoding="utf-8")
    assert result.code == 1
    assert text.startswith("### qlik-drift check: drift found")
    assert "| missing | 5555666677778888 (APAC) | acme-tokyo.jp.qlikcloud.com |" in text


def test_validate_annotations_from_cli(cli: CliRunner, workspace: Path) -> None:
    bad = workspace / "manifests" / "emea.yaml"
    bad.write_text(bad.read_text().replace("regionCode: eu-west-2", "regoinCode: eu-west-2"))
    result = cli("validate", "manifests", "--format", "github")
    errors = [(p, d) for level, p, d in annotations(result.out) if level == "error"]
    assert result.code == 1
    assert errors
    assert all(p["file"] == "manifests/emea.yaml" for p, _ in errors)
    assert any("regoinCode" in d for _, d in errors)
