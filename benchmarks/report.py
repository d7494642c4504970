"""The results document: Markdown tables, the machine and the targets."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from benchmarks.measure import Series


def fmt_seconds(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if value < 1:
        return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def fmt_mib(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0f} MiB"


def fmt_ratio(value: float, suffix: str = "x") -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.2f}{suffix}" if value < 10 else f"{value:.0f}{suffix}"


@dataclass(slots=True)
class Table:
    title: str
    note: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def row(self, *cells: Any) -> None:
        self.rows.append([str(cell) for cell in cells])

    def render(self) -> str:
        lines = [f"## {self.title}", "", self.note, ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Target:
    """One target of the suite; ``met`` is None when its case did not run."""

    name: str
    measured: str
    met: bool | None
    # The profile that explains a miss: "validate", "imports", "diff" or "read".
    profile: str | None = None

    @property
    def verdict(self) -> str:
        return {True: "met", False: "NOT MET", None: "not run"}[self.met]


@dataclass
class Report:
    command: str
    machine: dict[str, str]
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, Series] = field(default_factory=dict)
    checks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    same_errors: dict[str, list[str]] = field(default_factory=dict)
    forbidden_imports: list[str] = field(default_factory=list)
    # (microseconds, module) of the slowest top-level imports of validate.
    import_times: list[tuple[int, str]] = field(default_factory=list)
    simulator: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    # Markdown sections that explain targets not met, with their profiles.
    explanations: list[str] = field(default_factory=list)
    finished: str = ""
    duration: float = 0.0

    def table(self, title: str, note: str, columns: list[str]) -> Table:
        table = Table(title, note, columns)
        self.tables.append(table)
        return table

    def render(self) -> str:
        machine = self.machine
        lines = [
            "# Benchmark results",
            "",
            "Written by the command below; rerun it to refresh this page. Figures are "
            "wall-clock times on the machine listed, medians of the runs shown, with "
            "other programs possibly running (see the load average).",
            "",
            "```",
            self.command,
            "```",
            "",
            f"- Finished: {self.finished}, after {fmt_seconds(self.duration)}",
            f"- Machine: {machine.get('cores')} cores, {machine.get('cpu')}, "
            f"{machine.get('system')}",
            f"- Python {machine.get('python')}; "
            f"qlik-drift {machine.get('qlik-drift')}, "
            f"check-jsonschema {machine.get('check-jsonschema')}, "
            f"deepdiff {machine.get('deepdiff')}, "
            f"jsonschema {machine.get('jsonschema')}",
            f"- Load average (1, 5, 15 min) at start: {machine.get('load')}; "
            f"at end: {machine.get('load at end')}",
            "",
            "## Targets",
            "",
            "| target | measured | verdict |",
            "|---|---|---|",
        ]
        lines.extend(f"| {t.name} | {t.measured} | {t.verdict} |" for t in self.targets)
        if self.failures:
            lines += ["", "Wrong results:", ""]
            lines.extend(f"- {failure}" for failure in self.failures)
        lines.append("")
        text = "\n".join(lines)
        sections = [table.render() for table in self.tables]
        sections.extend(self.explanations)
        return text + "\n" + "\n".join(sections)
